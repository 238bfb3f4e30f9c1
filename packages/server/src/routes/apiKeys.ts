import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hashApiKey, newApiKey, requireWriter } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { badRequest, forbidden, notFound } from '../problem.ts';
import { existingIds } from './businessUnits.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
const ApiKeyInput = z.object({ userId: z.string().min(1).max(200) }).strict();
const ListFilter = z.object({ userId: z.string().max(200).optional() });

// Neither the key nor its hash ever leaves the server after creation.
const COLUMNS = `t.id, t.user_id as "userId", t.created_at as "createdAt", t.last_used_at as "lastUsedAt", t.revoked_at as "revokedAt"`;

export function apiKeyRoutes(app: FastifyInstance, { db, clock }: ServerContext): void {
  app.post('/api-keys', async (request, reply) => {
    const { caller } = request;
    requireWriter(caller);
    const input = decode(ApiKeyInput, body(request.body));
    if (caller.role !== 'admin' && input.userId !== caller.userId) throw forbidden('Only admins create API keys for other users');
    const key = newApiKey();
    const row = await db.transaction(async (tx) => {
      if (!(await existingIds(tx, 'users', [input.userId])).size) throw badRequest('Unknown user', [{ path: 'userId', message: 'no user with this id' }]);
      const [created] = await tx.query<{ id: string; userId: string; createdAt: Date }>(
        `insert into api_keys as t (user_id, key_hash, created_at) values ($1, $2, $3) returning t.id, t.user_id as "userId", t.created_at as "createdAt"`,
        [input.userId, hashApiKey(key), clock.now()],
      );
      return created!;
    });
    // The only time the key is shown: it is not stored, only its hash.
    return reply.status(201).send({ id: row.id, key, userId: row.userId, createdAt: row.createdAt });
  });

  app.get('/api-keys', async (request) => {
    const { caller } = request;
    const filter = decode(ListFilter, request.query);
    const params: unknown[] = [];
    let where = 'where true';
    // Admins see every key; anyone else only their own.
    const userId = caller.role === 'admin' ? filter.userId : caller.userId;
    if (userId) {
      params.push(userId);
      where += ` and t.user_id = $${params.length}`;
    }
    return listPage(db, request.query, `select ${COLUMNS} from api_keys t ${where}`, params);
  });

  app.delete('/api-keys/:id', async (request, reply) => {
    const { caller } = request;
    requireWriter(caller);
    const { id } = decode(IdParams, request.params);
    // A key of someone else is invisible to a non-admin: 404, as if it did not exist.
    const rows = await db.query(
      `update api_keys set revoked_at = coalesce(revoked_at, $2) where id = $1 and ($3::text is null or user_id = $3) returning id`,
      [id, clock.now(), caller.role === 'admin' ? null : caller.userId],
    );
    if (rows.length === 0) throw notFound('API key', id);
    return reply.status(204).send();
  });
}
