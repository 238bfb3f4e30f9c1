import { handKeptMembers, type Queryable } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { changeMembers } from './memberChanges.ts';
import { body, decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { notFound } from '../problem.ts';
import { requireWriter } from '../auth.ts';
import { requireOrganizationWriter, visibleUnit } from '../visibility.ts';
import { contactColumns, MAX_BATCH } from './contacts.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
export const ListInput = z.object({ name: z.string().trim().min(1).max(200) }).strict();
const ContactIds = z.array(z.string().min(1).max(200)).max(MAX_BATCH);
export const MembersChange = z.object({ add: ContactIds.optional(), remove: ContactIds.optional() }).strict();

const COLUMNS = `t.id, t.name, t.created_at as "createdAt"`;

async function loadList(db: Queryable, id: string, forUpdate = false) {
  const [row] = await db.query<{ id: string; name: string }>(`select ${COLUMNS} from subscription_lists t where t.id = $1${forUpdate ? ' for update' : ''}`, [id]);
  if (!row) throw notFound('Subscription list', id);
  return row;
}

export function subscriptionListRoutes(app: FastifyInstance, { db, clock, worker }: ServerContext): void {
  app.post('/subscription-lists', async (request, reply) => {
    requireOrganizationWriter(request.caller, 'Subscription lists');
    const input = decode(ListInput, body(request.body));
    const [row] = await db.query(`insert into subscription_lists as t (name, created_at) values ($1, $2) returning ${COLUMNS}`, [input.name, clock.now()]);
    return reply.status(201).send(row);
  });

  app.get('/subscription-lists', async (request) => listPage(db, request.query, `select ${COLUMNS} from subscription_lists t where true`, []));

  app.get('/subscription-lists/:id', async (request) => loadList(db, decode(IdParams, request.params).id));

  app.patch('/subscription-lists/:id', async (request) => {
    requireOrganizationWriter(request.caller, 'Subscription lists');
    const { id } = decode(IdParams, request.params);
    const input = decode(ListInput.partial().strict(), body(request.body));
    const list = await loadList(db, id);
    const [row] = await db.query(`update subscription_lists t set name = $2 where t.id = $1 returning ${COLUMNS}`, [id, input.name ?? list.name]);
    if (!row) throw notFound('Subscription list', id);
    return row;
  });

  /**
   * A manual change by staff. Unlike a contact's own unsubscribe, removing someone here does not
   * take them off journeys already under way (contract §5.4): no `unsubscribed` event is recorded.
   * A business-unit-level writer changes the memberships of its own unit's contacts only.
   */
  app.post('/subscription-lists/:id/members', async (request) => {
    requireWriter(request.caller);
    const { id } = decode(IdParams, request.params);
    const change = decode(MembersChange, body(request.body));
    const add = change.add ?? [];
    const remove = change.remove ?? [];
    const result = await db.transaction(async (tx) => {
      await loadList(tx, id, true);
      return changeMembers(tx, request.caller, 'list', id, add, remove, clock.now());
    });
    // Journeys that target the list admit its new members.
    worker.poke();
    return result;
  });

  // Of the list's members, those the caller sees: the list is shared, its people are not.
  app.get('/subscription-lists/:id/members', async (request) => {
    const list = await loadList(db, decode(IdParams, request.params).id);
    const { where, params } = handKeptMembers('list', list.id, visibleUnit(request.caller));
    return listPage(db, request.query, `select ${contactColumns('c')} from contacts c where ${where}`, params, 'c');
  });
}
