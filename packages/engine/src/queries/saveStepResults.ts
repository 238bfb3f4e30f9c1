import type { Queryable } from '../db/database.ts';

export interface StepWrite {
  journeyId: string;
  iteration: number;
  contactId: string;
  tileId: string | null;
  status: 'active' | 'completed' | 'exited';
  reason: string | null;
  dueAt: Date | null;
  tileEnteredAt: Date | null;
  waitsForEvents: boolean;
  finishedAt: Date | null;
}

/** Writes where every stepped contact now stands, in one statement. */
export async function saveStepResults(tx: Queryable, writes: StepWrite[]): Promise<void> {
  if (writes.length === 0) return;
  await tx.query(
    `update journey_contacts jc
        set tile_id = u.tile_id, status = u.status, reason = u.reason, due_at = u.due_at,
            tile_entered_at = u.tile_entered_at, waits_for_events = u.waits_for_events,
            finished_at = u.finished_at, version = jc.version + 1
       from unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::boolean[], $10::timestamptz[])
            as u(journey_id, iteration, contact_id, tile_id, status, reason, due_at, tile_entered_at, waits_for_events, finished_at)
      where jc.journey_id = u.journey_id and jc.iteration = u.iteration and jc.contact_id = u.contact_id`,
    [
      writes.map((w) => w.journeyId),
      writes.map((w) => w.iteration),
      writes.map((w) => w.contactId),
      writes.map((w) => w.tileId),
      writes.map((w) => w.status),
      writes.map((w) => w.reason),
      writes.map((w) => w.dueAt),
      writes.map((w) => w.tileEnteredAt),
      writes.map((w) => w.waitsForEvents),
      writes.map((w) => w.finishedAt),
    ],
  );
}
