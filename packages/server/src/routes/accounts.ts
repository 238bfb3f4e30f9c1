import type { Queryable } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireWriter } from '../auth.ts';
import type { Caller, ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { badRequest, notFound, type FieldError } from '../problem.ts';
import { AttributeValues, declareAttributes, type AttributeValue } from './attributes.ts';
import { existingIds } from './businessUnits.ts';
import { canSee, requireReach, unitFilter, visibleIds } from '../visibility.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
const Ref = z.string().min(1).max(200).nullable().optional();
const fields = {
  name: z.string().trim().min(1).max(200),
  businessUnitId: Ref,
  ownerUserId: Ref,
  attributes: AttributeValues.optional(),
};
export const AccountInput = z.object(fields).strict();
export const AccountPatch = z.object(fields).partial().strict();
const ListFilter = z.object({ q: z.string().max(200).optional(), businessUnitId: z.string().max(200).optional() });

const COLUMNS = `t.id, t.name, t.business_unit_id as "businessUnitId", t.owner_user_id as "ownerUserId", t.attributes, t.created_at as "createdAt", t.updated_at as "updatedAt"`;

interface Account {
  id: string;
  name: string;
  businessUnitId: string | null;
  ownerUserId: string | null;
  attributes: Record<string, AttributeValue>;
}

async function checkReferences(db: Queryable, caller: Caller, values: { businessUnitId?: string | null; ownerUserId?: string | null }): Promise<void> {
  const errors: FieldError[] = [];
  if (values.businessUnitId && !(await existingIds(db, 'business_units', [values.businessUnitId])).size) errors.push({ path: 'businessUnitId', message: 'no business unit with this id' });
  if (values.ownerUserId && !(await visibleIds(db, caller, 'users', [values.ownerUserId])).size) errors.push({ path: 'ownerUserId', message: 'no user with this id' });
  if (errors.length > 0) throw badRequest('Unknown referenced record', errors);
}

async function loadAccount(db: Queryable, id: string, caller: Caller, forUpdate = false): Promise<Account> {
  const [row] = await db.query<Account>(`select ${COLUMNS} from accounts t where t.id = $1${forUpdate ? ' for update' : ''}`, [id]);
  if (!row || !canSee(caller, row.businessUnitId)) throw notFound('Account', id);
  return row;
}

function requireAccountReach(caller: Caller, businessUnitId: string | null | undefined): void {
  requireReach(caller, businessUnitId, 'The account');
}

export function accountRoutes(app: FastifyInstance, { db, clock, worker }: ServerContext): void {
  app.post('/accounts', async (request, reply) => {
    const { caller } = request;
    requireWriter(caller);
    const input = decode(AccountInput, body(request.body));
    const businessUnitId = input.businessUnitId === undefined ? caller.businessUnitId : input.businessUnitId;
    requireAccountReach(caller, businessUnitId);
    const row = await db.transaction(async (tx) => {
      await checkReferences(tx, caller, { businessUnitId, ownerUserId: input.ownerUserId });
      await declareAttributes(tx, 'account', [{ path: 'attributes', values: input.attributes }]);
      const now = clock.now();
      const [created] = await tx.query(
        `insert into accounts as t (name, business_unit_id, owner_user_id, attributes, created_at, updated_at) values ($1, $2, $3, jsonb_strip_nulls($4::jsonb), $5, $5) returning ${COLUMNS}`,
        [input.name, businessUnitId, input.ownerUserId ?? null, JSON.stringify(input.attributes ?? {}), now],
      );
      return created;
    });
    return reply.status(201).send(row);
  });

  app.get('/accounts', async (request) => {
    const filter = decode(ListFilter, request.query);
    const params: unknown[] = [];
    let where = 'where true';
    if (filter.q) {
      params.push(filter.q);
      where += ` and starts_with(lower(t.name), lower($${params.length}))`;
    }
    if (filter.businessUnitId) {
      params.push(filter.businessUnitId);
      where += ` and t.business_unit_id = $${params.length}`;
    }
    where += unitFilter(request.caller, 't.business_unit_id', params);
    return listPage(db, request.query, `select ${COLUMNS} from accounts t ${where}`, params);
  });

  app.get('/accounts/:id', async (request) => loadAccount(db, decode(IdParams, request.params).id, request.caller));

  app.patch('/accounts/:id', async (request) => {
    const { caller } = request;
    requireWriter(caller);
    const { id } = decode(IdParams, request.params);
    const patch = decode(AccountPatch, body(request.body));
    const row = await db.transaction(async (tx) => {
      const account = await loadAccount(tx, id, request.caller, true);
      requireAccountReach(caller, account.businessUnitId);
      if (patch.businessUnitId !== undefined) requireAccountReach(caller, patch.businessUnitId);
      await checkReferences(tx, caller, patch);
      await declareAttributes(tx, 'account', [{ path: 'attributes', values: patch.attributes }]);
      // Attributes merge: a PATCH names the ones it changes, the others stay.
      const [updated] = await tx.query(
        `update accounts t set name = $2, business_unit_id = $3, owner_user_id = $4, attributes = jsonb_strip_nulls(t.attributes || $5::jsonb), updated_at = $6
          where t.id = $1 returning ${COLUMNS}`,
        [
          id,
          patch.name ?? account.name,
          patch.businessUnitId === undefined ? account.businessUnitId : patch.businessUnitId,
          patch.ownerUserId === undefined ? account.ownerUserId : patch.ownerUserId,
          JSON.stringify(patch.attributes ?? {}),
          clock.now(),
        ],
      );
      return updated;
    });
    // Account facts feed segment queries (`{account: ...}`) of live journeys.
    worker.poke();
    return row;
  });

  app.delete('/accounts/:id', async (request, reply) => {
    const { caller } = request;
    requireWriter(caller);
    const { id } = decode(IdParams, request.params);
    await db.transaction(async (tx) => {
      const account = await loadAccount(tx, id, request.caller, true);
      requireAccountReach(caller, account.businessUnitId);
      // Its contacts stay, without an account (the schema sets account_id to null).
      await tx.query('delete from accounts where id = $1', [id]);
    });
    worker.poke();
    return reply.status(204).send();
  });
}
