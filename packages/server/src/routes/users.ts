import type { Queryable } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireAdmin } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { badRequest, conflict, forbidden, notFound } from '../problem.ts';
import { existingIds } from './businessUnits.ts';
import { unitFilter } from '../visibility.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
export const UserInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.email().max(320),
    businessUnitId: z.string().min(1).max(200),
    role: z.enum(['admin', 'marketer', 'viewer']),
    level: z.enum(['organization', 'businessUnit']),
  })
  .strict();
const ListFilter = z.object({ businessUnitId: z.string().max(200).optional() });

const COLUMNS = `t.id, t.name, t.email, t.business_unit_id as "businessUnitId", t.role, t.level, t.created_at as "createdAt"`;

const emailTaken = () => conflict('A user with this email already exists', [{ path: 'email', message: 'already in use' }]);
const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === '23505';

async function emailInUse(db: Queryable, email: string): Promise<boolean> {
  return (await db.query('select 1 from users where lower(email) = lower($1)', [email])).length > 0;
}

export function userRoutes(app: FastifyInstance, { db, clock }: ServerContext): void {
  app.post('/users', async (request, reply) => {
    const { caller } = request;
    requireAdmin(caller);
    const input = decode(UserInput, body(request.body));
    if (caller.level === 'businessUnit' && (input.businessUnitId !== caller.businessUnitId || input.level === 'organization')) {
      throw forbidden('A business-unit-level admin creates business-unit-level users of its own unit only');
    }
    try {
      const row = await db.transaction(async (tx) => {
        if (!(await existingIds(tx, 'business_units', [input.businessUnitId])).size) {
          throw badRequest('Unknown business unit', [{ path: 'businessUnitId', message: 'no business unit with this id' }]);
        }
        if (await emailInUse(tx, input.email)) throw emailTaken();
        const [created] = await tx.query(
          `insert into users as t (name, email, business_unit_id, role, level, created_at) values ($1, $2, $3, $4, $5, $6) returning ${COLUMNS}`,
          [input.name, input.email, input.businessUnitId, input.role, input.level, clock.now()],
        );
        return created;
      });
      return reply.status(201).send(row);
    } catch (error) {
      // Two requests racing for the same address: the unique index decides, the loser gets a 409.
      if (isUniqueViolation(error)) throw emailTaken();
      throw error;
    }
  });

  app.get('/users', async (request) => {
    const filter = decode(ListFilter, request.query);
    const params: unknown[] = [];
    let where = 'where true';
    if (filter.businessUnitId) {
      params.push(filter.businessUnitId);
      where += ` and t.business_unit_id = $${params.length}`;
    }
    // A business-unit-level user sees its own unit's staff only.
    where += unitFilter(request.caller, 't.business_unit_id', params);
    return listPage(db, request.query, `select ${COLUMNS} from users t ${where}`, params);
  });

  app.get('/users/:id', async (request) => {
    const { id } = decode(IdParams, request.params);
    const params: unknown[] = [id];
    const [row] = await db.query(`select ${COLUMNS} from users t where t.id = $1${unitFilter(request.caller, 't.business_unit_id', params)}`, params);
    if (!row) throw notFound('User', id);
    return row;
  });
}
