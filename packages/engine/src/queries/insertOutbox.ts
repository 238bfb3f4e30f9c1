import type { Queryable } from '../db/database.ts';

export interface OutboxEntry {
  key: string;
  kind: 'email' | 'workflow';
  journeyId: string;
  /** The journey version that queued it. */
  journeyVersion: number | null;
  iteration: number;
  tileId: string;
  contactId: string | null;
  accountId: string | null;
  /** The email or workflow to use. */
  targetId: string;
}

/** Queues effects; a key already queued (a retried step) is ignored, so each effect exists once. */
export async function insertOutbox(tx: Queryable, entries: OutboxEntry[], now: Date): Promise<void> {
  if (entries.length === 0) return;
  await tx.query(
    `insert into outbox (idempotency_key, kind, journey_id, iteration, tile_id, contact_id, account_id, target_id, journey_version, next_attempt_at, created_at)
     select u.*, $9::timestamptz, $9::timestamptz
       from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $10::int[]) as u
     on conflict (idempotency_key) do nothing`,
    [
      entries.map((e) => e.key),
      entries.map((e) => e.kind),
      entries.map((e) => e.journeyId),
      entries.map((e) => e.iteration),
      entries.map((e) => e.tileId),
      entries.map((e) => e.contactId),
      entries.map((e) => e.accountId),
      entries.map((e) => e.targetId),
      now,
      entries.map((e) => e.journeyVersion),
    ],
  );
}
