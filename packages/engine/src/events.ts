import type { Queryable } from './db/database.ts';

export interface NewEvent {
  contactId: string;
  type: string;
  occurredAt: Date;
  properties: Record<string, unknown>;
  /** Optional idempotency key: an event resent with the same key is stored once. */
  messageId?: string | null;
}

/** An event that names its contact by id or by email (any case), as API clients send them. */
export type ReferencedEvent = Omit<NewEvent, 'contactId'> & ({ contactId: string; email?: undefined } | { contactId?: undefined; email: string });

/**
 * What follows the insert of events (`inserted`, returning contact_id), in the same statement: the
 * contacts waiting in triggers wake up (the next step pass re-evaluates just them), and the scores
 * of their leads, and of their accounts' account-level leads, are due again. `now` names the
 * parameter holding the time.
 */
export const afterEventsInserted = (now: string) => `touched as (
       select distinct contact_id from inserted
     ), woken as (
       update journey_contacts jc set due_at = ${now}
         from touched t
        where jc.waits_for_events and jc.status = 'active' and jc.contact_id = t.contact_id and jc.due_at > ${now}
       returning 1
     ), contact_leads as (
       update leads l set rescore_at = ${now}
         from touched t
        where l.contact_id = t.contact_id and (l.rescore_at is null or l.rescore_at > ${now})
       returning 1
     ), account_leads as (
       update leads l set rescore_at = ${now}
         from (select distinct c.account_id from touched t join contacts c on c.id = t.contact_id where c.account_id is not null) a
        where l.contact_id is null and l.account_id = a.account_id and (l.rescore_at is null or l.rescore_at > ${now})
       returning 1
     )`;
const AFTER_INSERT = afterEventsInserted('$6');

const columns = (events: readonly Omit<NewEvent, 'contactId'>[]) => [
  events.map((e) => e.type),
  events.map((e) => e.occurredAt),
  events.map((e) => JSON.stringify(e.properties)),
  events.map((e) => e.messageId ?? null),
];

/**
 * Stores events and, in the same statement, wakes the contacts waiting in triggers on them and
 * asks for their leads to be scored again. Returns how many events were new.
 */
export async function recordEvents(db: Queryable, events: NewEvent[], now: Date): Promise<number> {
  if (events.length === 0) return 0;
  const [row] = await db.query<{ n: number }>(
    `with inserted as (
       insert into events (contact_id, type, occurred_at, properties, message_id)
       select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::jsonb[], $5::text[])
       on conflict (message_id) do nothing
       returning contact_id
     ), ${AFTER_INSERT}
     select count(*)::int as n from inserted`,
    [events.map((e) => e.contactId), ...columns(events), now],
  );
  return row?.n ?? 0;
}

/**
 * Like recordEvents for events naming their contact by id or email, in one statement that is all
 * or nothing: when any event names no contact, nothing is stored and their positions are returned.
 * With a `unit`, only that business unit's contacts are found: another unit's contact is as unknown
 * as an address nobody has, so the answer tells nothing about it (null: every unit's).
 */
export async function recordReferencedEvents(
  db: Queryable,
  events: readonly ReferencedEvent[],
  now: Date,
  unit: string | null = null,
): Promise<{ stored: number; unknown: number[] }> {
  if (events.length === 0) return { stored: 0, unknown: [] };
  const [row] = await db.query<{ n: number; unknown: number[] }>(
    `with given as (
       select * from unnest($1::text[], $7::text[], $2::text[], $3::timestamptz[], $4::jsonb[], $5::text[]) with ordinality
         as g(contact_id, email, type, occurred_at, properties, message_id, n)
     ), resolved as (
       select g.*, case when g.contact_id is not null then (select c.id from contacts c where c.id = g.contact_id and ($8::text is null or c.business_unit_id = $8))
                        else (select c.id from contacts c where lower(c.email) = lower(g.email) and ($8::text is null or c.business_unit_id = $8)) end as id
         from given g
     ), missing as (
       select (n - 1)::int as n from resolved where id is null
     ), inserted as (
       insert into events (contact_id, type, occurred_at, properties, message_id)
       select id, type, occurred_at, properties, message_id from resolved
        where not exists (select 1 from missing)
        order by n
       on conflict (message_id) do nothing
       returning contact_id
     ), ${AFTER_INSERT}
     select (select count(*)::int from inserted) as n, array(select n from missing order by n) as unknown`,
    [events.map((e) => e.contactId ?? null), ...columns(events), now, events.map((e) => e.email ?? null), unit],
  );
  return { stored: row?.n ?? 0, unknown: row?.unknown ?? [] };
}

export async function wakeWaitingContacts(db: Queryable, contactIds: string[], now: Date): Promise<void> {
  await db.query(
    `update journey_contacts set due_at = $2
      where waits_for_events and status = 'active' and contact_id = any($1::text[]) and due_at > $2`,
    [contactIds, now],
  );
}
