import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hashApiKey, newApiKey, requireWriter } from '../auth.ts';
import type { Caller, ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { badRequest, forbidden, notFound } from '../problem.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
export const ApiKeyInput = z.object({ userId: z.string().min(1).max(200) }).strict();
const ListFilter = z.object({ userId: z.string().max(200).optional() });

// Neither the key nor its hash ever leaves the server after creation.
const COLUMNS = `t.id, t.user_id as "userId", t.created_at as "createdAt", t.last_used_at as "lastUsedAt", t.revoked_at as "revokedAt"`;

/**
 * The keys a caller may see and revoke, as `$1` (a user id: only its own keys) and `$2` (a business
 * unit: keys of that unit's business-unit-level users); an organization-level admin sees every key.
 */
const VISIBLE = `(t.user_id = $1 or $2::text is not null and t.user_id in (select u.id from users u where u.business_unit_id = $2 and u.level = 'businessUnit')
  or ($1::text is null and $2::text is null))`;

function visibility(caller: Caller): [string | null, string | null] {
  if (caller.role !== 'admin') return [caller.userId, null];
  return caller.level === 'businessUnit' ? [caller.userId, caller.businessUnitId] : [null, null];
}

export function apiKeyRoutes(app: FastifyInstance, { db, clock }: ServerContext): void {
  app.post('/api-keys', async (request, reply) => {
    const { caller } = request;
    requireWriter(caller);
    const input = decode(ApiKeyInput, body(request.body));
    if (caller.role !== 'admin' && input.userId !== caller.userId) throw forbidden('Only admins create API keys for other users');
    const key = newApiKey();
    const row = await db.transaction(async (tx) => {
      const [user] = await tx.query<{ businessUnitId: string; level: Caller['level'] }>('select business_unit_id as "businessUnitId", level from users where id = $1', [input.userId]);
      if (!user) throw badRequest('Unknown user', [{ path: 'userId', message: 'no user with this id' }]);
      // A key carries its user's rights: a business-unit-level admin must not mint wider ones.
      if (caller.level === 'businessUnit' && input.userId !== caller.userId && (user.businessUnitId !== caller.businessUnitId || user.level !== 'businessUnit')) {
        throw forbidden('A business-unit-level admin creates keys for business-unit-level users of its own unit only');
      }
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
    const params: unknown[] = [...visibility(caller)];
    let where = `where ${VISIBLE}`;
    if (filter.userId) {
      params.push(filter.userId);
      where += ` and t.user_id = $${params.length}`;
    }
    return listPage(db, request.query, `select ${COLUMNS} from api_keys t ${where}`, params);
  });

  app.delete('/api-keys/:id', async (request, reply) => {
    const { caller } = request;
    requireWriter(caller);
    const { id } = decode(IdParams, request.params);
    // A key of someone else is invisible to a non-admin: 404, as if it did not exist.
    const rows = await db.query(`update api_keys t set revoked_at = coalesce(t.revoked_at, $3) where ${VISIBLE} and t.id = $4 returning t.id`, [
      ...visibility(caller),
      clock.now(),
      id,
    ]);
    if (rows.length === 0) throw notFound('API key', id);
    return reply.status(204).send();
  });
}
