import { findUserById, revokeUserSessions, setPasswordHash, setUserActive, type Queryable } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireAdmin } from '../auth.ts';
import { hashPassword, Password } from '../passwords.ts';
import type { Caller, ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { badRequest, conflict, forbidden, notFound } from '../problem.ts';
import { existingIds } from './businessUnits.ts';
import { canSee, unitFilter } from '../visibility.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
export const UserInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.email().max(320),
    businessUnitId: z.string().min(1).max(200),
    role: z.enum(['admin', 'marketer', 'viewer']),
    level: z.enum(['organization', 'businessUnit']),
    /** Lets the person sign in with email and password; only its scrypt hash is kept. */
    password: Password.optional(),
  })
  .strict();
/** What an admin changes about a person: the name, a new password, or whether they may sign in at all. */
export const UserPatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    password: Password.optional(),
    active: z.boolean().optional(),
  })
  .strict();
const ListFilter = z.object({ businessUnitId: z.string().max(200).optional() });

// Never the password hash: only whether there is one.
const COLUMNS = `t.id, t.name, t.email, t.business_unit_id as "businessUnitId", t.role, t.level, t.deactivated_at is null as active,
  t.password_hash is not null as "hasPassword", t.created_at as "createdAt"`;

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
    // Hashed before the transaction: scrypt takes a while, and holds no connection meanwhile.
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    try {
      const row = await db.transaction(async (tx) => {
        if (!(await existingIds(tx, 'business_units', [input.businessUnitId])).size) {
          throw badRequest('Unknown business unit', [{ path: 'businessUnitId', message: 'no business unit with this id' }]);
        }
        if (await emailInUse(tx, input.email)) throw emailTaken();
        const [created] = await tx.query(
          `insert into users as t (name, email, business_unit_id, role, level, created_at, password_hash) values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
          [input.name, input.email, input.businessUnitId, input.role, input.level, clock.now(), passwordHash],
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

  app.patch('/users/:id', async (request) => {
    const { caller } = request;
    requireAdmin(caller);
    const { id } = decode(IdParams, request.params);
    const input = decode(UserPatch, body(request.body));
    const user = await findUserById(db, id);
    if (!user || !mayManage(caller, user)) throw notFound('User', id);
    if (input.active === false && id === caller.userId) {
      throw badRequest('You cannot deactivate yourself', [{ path: 'active', message: 'another admin must deactivate you' }]);
    }
    const now = clock.now();
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    await db.transaction(async (tx) => {
      if (input.name !== undefined) await tx.query('update users set name = $2 where id = $1', [id, input.name]);
      if (input.active !== undefined) await setUserActive(tx, id, input.active, now);
      if (passwordHash) {
        await setPasswordHash(tx, id, passwordHash);
        // A new password ends the person's sessions, but an admin's own current one.
        await revokeUserSessions(tx, id, now, caller.credential.kind === 'session' ? caller.credential.sessionId : null);
      }
    });
    const [row] = await db.query(`select ${COLUMNS} from users t where t.id = $1`, [id]);
    return row;
  });
}

/**
 * Whom an admin may change: someone it sees (another unit's people do not exist for a
 * business-unit-level admin), and for a business-unit-level admin only people of that level.
 */
function mayManage(caller: Caller, user: { businessUnitId: string; level: string }): boolean {
  if (!canSee(caller, user.businessUnitId)) return false;
  if (caller.level === 'businessUnit' && user.level !== 'businessUnit') {
    throw forbidden('A business-unit-level admin changes business-unit-level users of its own unit only');
  }
  return true;
}
