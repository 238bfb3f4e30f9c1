import type { Queryable } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireWriter } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { badRequest, notFound } from '../problem.ts';
import { existingIds } from './businessUnits.ts';
import { contactColumns, MAX_BATCH, unknownContacts } from './contacts.ts';

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
    requireWriter(request.caller);
    const input = decode(ListInput, body(request.body));
    const [row] = await db.query(`insert into subscription_lists as t (name, created_at) values ($1, $2) returning ${COLUMNS}`, [input.name, clock.now()]);
    return reply.status(201).send(row);
  });

  app.get('/subscription-lists', async (request) => listPage(db, request.query, `select ${COLUMNS} from subscription_lists t where true`, []));

  app.get('/subscription-lists/:id', async (request) => loadList(db, decode(IdParams, request.params).id));

  app.patch('/subscription-lists/:id', async (request) => {
    requireWriter(request.caller);
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
   */
  app.post('/subscription-lists/:id/members', async (request) => {
    requireWriter(request.caller);
    const { id } = decode(IdParams, request.params);
    const change = decode(MembersChange, body(request.body));
    const add = change.add ?? [];
    const remove = change.remove ?? [];
    const result = await db.transaction(async (tx) => {
      await loadList(tx, id, true);
      const known = await existingIds(tx, 'contacts', [...add, ...remove]);
      const errors = [...unknownContacts(add, known, 'add'), ...unknownContacts(remove, known, 'remove')];
      if (errors.length > 0) throw badRequest('Unknown contacts', errors.slice(0, 1000));
      const added = await tx.query(
        `insert into list_members (list_id, contact_id, added_at) select $1, x, $3 from unnest($2::text[]) as x on conflict do nothing returning contact_id`,
        [id, [...new Set(add)], clock.now()],
      );
      const removed = await tx.query('delete from list_members where list_id = $1 and contact_id = any($2::text[]) returning contact_id', [id, [...new Set(remove)]]);
      return { added: added.length, removed: removed.length };
    });
    // Journeys that target the list admit its new members.
    worker.poke();
    return result;
  });

  app.get('/subscription-lists/:id/members', async (request) => {
    const list = await loadList(db, decode(IdParams, request.params).id);
    return listPage(
      db,
      request.query,
      `select ${contactColumns('c')} from contacts c where exists (select 1 from list_members lm where lm.list_id = $1 and lm.contact_id = c.id)`,
      [list.id],
      'c',
    );
  });
}
