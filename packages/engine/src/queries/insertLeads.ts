import type { Queryable } from '../db/database.ts';

export interface LeadEntry {
  key: string;
  journeyId: string;
  iteration: number;
  tileId: string;
  contactId: string | null;
  accountId: string | null;
  topic: string | null;
}

export async function insertLeads(tx: Queryable, entries: LeadEntry[], now: Date): Promise<void> {
  if (entries.length === 0) return;
  // A new lead is scored at once (rescore_at), by whichever scoring models are live.
  await tx.query(
    `insert into leads (idempotency_key, journey_id, iteration, tile_id, contact_id, account_id, topic, created_at, rescore_at)
     select u.*, $8::timestamptz, $8::timestamptz from unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[]) as u
     on conflict (idempotency_key) do nothing`,
    [
      entries.map((e) => e.key),
      entries.map((e) => e.journeyId),
      entries.map((e) => e.iteration),
      entries.map((e) => e.tileId),
      entries.map((e) => e.contactId),
      entries.map((e) => e.accountId),
      entries.map((e) => e.topic),
      now,
    ],
  );
}
