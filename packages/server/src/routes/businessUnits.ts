import type { Queryable } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireAdmin } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { badRequest, notFound } from '../problem.ts';
import { requireReach, unitFilter } from '../visibility.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
export const BusinessUnitInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    parentId: z.string().min(1).max(200).nullable().optional(),
  })
  .strict();

const COLUMNS = `t.id, t.name, t.parent_id as "parentId", t.created_at as "createdAt"`;

/** Tables whose rows other resources point at; a fixed list, so the name is never user input. */
type ReferencedTable = 'business_units' | 'subscription_lists';

/** Which of `ids` exist in `table`, in one statement. Ids are text, so any string is safe to look up. */
export async function existingIds(db: Queryable, table: ReferencedTable, ids: readonly string[]): Promise<Set<string>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Set();
  const rows = await db.query<{ id: string }>(`select id from ${table} where id = any($1::text[])`, [wanted]);
  return new Set(rows.map((row) => row.id));
}

export function businessUnitRoutes(app: FastifyInstance, { db, clock }: ServerContext): void {
  app.post('/business-units', async (request, reply) => {
    requireAdmin(request.caller);
    const input = decode(BusinessUnitInput, body(request.body));
    // Only organization-level admins shape the organization above their own unit. Checked first,
    // so that another unit's id and an unknown one get the same answer.
    requireReach(request.caller, input.parentId, 'The parent business unit');
    const row = await db.transaction(async (tx) => {
      if (input.parentId && !(await existingIds(tx, 'business_units', [input.parentId])).has(input.parentId)) {
        throw badRequest('Unknown parent business unit', [{ path: 'parentId', message: 'no business unit with this id' }]);
      }
      const [created] = await tx.query(`insert into business_units as t (name, parent_id, created_at) values ($1, $2, $3) returning ${COLUMNS}`, [
        input.name,
        input.parentId ?? null,
        clock.now(),
      ]);
      return created;
    });
    return reply.status(201).send(row);
  });

  // A business-unit-level user sees its own unit only: the others are as invisible as their records.
  app.get('/business-units', async (request) => {
    const params: unknown[] = [];
    return listPage(db, request.query, `select ${COLUMNS} from business_units t where true${unitFilter(request.caller, 't.id', params)}`, params);
  });

  app.get('/business-units/:id', async (request) => {
    const { id } = decode(IdParams, request.params);
    const params: unknown[] = [id];
    const [row] = await db.query(`select ${COLUMNS} from business_units t where t.id = $1${unitFilter(request.caller, 't.id', params)}`, params);
    if (!row) throw notFound('Business unit', id);
    return row;
  });
}
