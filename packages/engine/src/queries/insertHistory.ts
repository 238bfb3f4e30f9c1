import type { Queryable } from '../db/database.ts';

export interface HistoryEntry {
  journeyId: string;
  iteration: number;
  contactId: string;
  tileId: string;
  at: Date;
  outcome: string;
  branch: number | null;
  /** The journey version the step was taken under. */
  journeyVersion: number | null;
}

export async function insertHistory(tx: Queryable, entries: HistoryEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.query(
    `insert into journey_history (journey_id, iteration, contact_id, tile_id, at, outcome, branch, journey_version)
     select * from unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::int[], $8::int[])`,
    [
      entries.map((e) => e.journeyId),
      entries.map((e) => e.iteration),
      entries.map((e) => e.contactId),
      entries.map((e) => e.tileId),
      entries.map((e) => e.at),
      entries.map((e) => e.outcome),
      entries.map((e) => e.branch),
      entries.map((e) => e.journeyVersion),
    ],
  );
}
