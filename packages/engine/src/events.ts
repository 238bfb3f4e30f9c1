import type { Queryable } from './db/database.ts';

export interface NewEvent {
  contactId: string;
  type: string;
  occurredAt: Date;
  properties: Record<string, unknown>;
  /** Optional idempotency key: an event resent with the same key is stored once. */
  messageId?: string | null;
}

/**
 * Stores events and, in the same statement, wakes the contacts waiting in triggers on them (so
 * the next step pass re-evaluates just those contacts) and asks for the scores of their leads, and
 * of their accounts' account-level leads, to be computed again. Returns how many events were new.
 */
export async function recordEvents(db: Queryable, events: NewEvent[], now: Date): Promise<number> {
  if (events.length === 0) return 0;
  const [row] = await db.query<{ n: number }>(
    `with inserted as (
       insert into events (contact_id, type, occurred_at, properties, message_id)
       select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::jsonb[], $5::text[])
       on conflict (message_id) do nothing
       returning contact_id
     ), touched as (
       select distinct contact_id from inserted
     ), woken as (
       update journey_contacts jc set due_at = $6
         from touched t
        where jc.waits_for_events and jc.status = 'active' and jc.contact_id = t.contact_id and jc.due_at > $6
       returning 1
     ), contact_leads as (
       update leads l set rescore_at = $6
         from touched t
        where l.contact_id = t.contact_id and (l.rescore_at is null or l.rescore_at > $6)
       returning 1
     ), account_leads as (
       update leads l set rescore_at = $6
         from (select distinct c.account_id from touched t join contacts c on c.id = t.contact_id where c.account_id is not null) a
        where l.contact_id is null and l.account_id = a.account_id and (l.rescore_at is null or l.rescore_at > $6)
       returning 1
     )
     select count(*)::int as n from inserted`,
    [
      events.map((e) => e.contactId),
      events.map((e) => e.type),
      events.map((e) => e.occurredAt),
      events.map((e) => JSON.stringify(e.properties)),
      events.map((e) => e.messageId ?? null),
      now,
    ],
  );
  return row?.n ?? 0;
}

export async function wakeWaitingContacts(db: Queryable, contactIds: string[], now: Date): Promise<void> {
  await db.query(
    `update journey_contacts set due_at = $2
      where waits_for_events and status = 'active' and contact_id = any($1::text[]) and due_at > $2`,
    [contactIds, now],
  );
}
