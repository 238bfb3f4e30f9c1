import type { Queryable } from '../db/database.ts';
import { afterEventsInserted } from '../events.ts';

/**
 * Marks emails the SMTP server accepted as sent and, in the same statement, records their
 * `email_delivered` events (one per message, keyed so a repeat adds nothing), which wakes the
 * contacts waiting in triggers on delivery. Returns how many were marked.
 */
export async function markEmailsSent(db: Queryable, outboxIds: number[], now: Date): Promise<number> {
  if (outboxIds.length === 0) return 0;
  const [row] = await db.query<{ n: number }>(
    `with sent as (
       update outbox set status = 'sent', sent_at = $2, locked_until = null, last_error = null
        where id = any($1::bigint[])
       returning id, contact_id, journey_id, tile_id, iteration
     ), inserted as (
       insert into events (contact_id, type, occurred_at, properties, message_id)
       select s.contact_id, 'email_delivered', $2,
              jsonb_build_object('journeyId', s.journey_id, 'tileId', s.tile_id, 'iteration', s.iteration, 'outboxId', s.id),
              'delivered:' || s.id
         from sent s join contacts c on c.id = s.contact_id
       on conflict (message_id) do nothing
       returning contact_id
     ), ${afterEventsInserted('$2')}
     select count(*)::int as n from sent`,
    [outboxIds, now],
  );
  return row?.n ?? 0;
}
