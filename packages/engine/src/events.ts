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
 * Stores events and wakes the contacts waiting in triggers on them, so the next step pass
 * re-evaluates just those contacts. Returns how many events were new.
 */
export async function recordEvents(db: Queryable, events: NewEvent[], now: Date): Promise<number> {
  if (events.length === 0) return 0;
  const inserted = await db.query<{ contact_id: string }>(
    `insert into events (contact_id, type, occurred_at, properties, message_id)
     select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::jsonb[], $5::text[])
     on conflict (message_id) do nothing
     returning contact_id`,
    [
      events.map((e) => e.contactId),
      events.map((e) => e.type),
      events.map((e) => e.occurredAt),
      events.map((e) => JSON.stringify(e.properties)),
      events.map((e) => e.messageId ?? null),
    ],
  );
  if (inserted.length === 0) return 0;
  await wakeWaitingContacts(db, [...new Set(inserted.map((row) => row.contact_id))], now);
  return inserted.length;
}

export async function wakeWaitingContacts(db: Queryable, contactIds: string[], now: Date): Promise<void> {
  await db.query(
    `update journey_contacts set due_at = $2
      where waits_for_events and status = 'active' and contact_id = any($1::text[]) and due_at > $2`,
    [contactIds, now],
  );
}
