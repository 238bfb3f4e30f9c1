import { admitChangedContacts, admitWholeIterations } from './admission.ts';
import type { Database } from './db/database.ts';
import type { RunnableJourney } from './journeys.ts';
import { loadSegments } from './queries/loadSegments.ts';
import { claimDirtyContacts, evaluateContacts, evaluateStaleSegments, rollSegmentWindows } from './segments/membership.ts';

export interface UpkeepOptions {
  /** Queued contacts evaluated per transaction. */
  batchSize: number;
  /** At most this many batches per call, so one tick never starves stepping and sending. */
  maxBatches: number;
  /** Evaluate every dynamic segment whole (the periodic safety net), not only changed ones. */
  all?: boolean;
}

export interface UpkeepResult {
  /** Contacts whose memberships were re-evaluated. */
  contacts: number;
  /** Journey rows added (admitted or excluded). */
  admitted: number;
}

/**
 * Keeps segment membership current and lets started journeys admit whoever it now holds, in the
 * order that keeps admission right: time first (windows roll), then segments evaluated whole,
 * then queued contacts a batch at a time (evaluated and admitted in the batch's transaction), and
 * last the iterations that still need a whole admission.
 */
export async function keepSegmentsCurrent(db: Database, started: readonly RunnableJourney[], now: Date, options: UpkeepOptions): Promise<UpkeepResult> {
  const segments = await loadSegments(db);
  await rollSegmentWindows(db, segments, now);
  await evaluateStaleSegments(db, segments, now, { all: options.all });
  const result: UpkeepResult = { contacts: 0, admitted: 0 };
  for (let batch = 0; batch < options.maxBatches; batch += 1) {
    const done = await db.transaction(async (tx) => {
      // Everything here derives from the queue, and the queue rows go in the same commit: a crash
      // that loses the commit brings them back. So the commit need not wait for the disk (a later
      // durable commit, such as a step acting on an admission, flushes this one first).
      await tx.exec('set local synchronous_commit = off');
      const ids = await claimDirtyContacts(tx, options.batchSize);
      if (ids.length === 0) return null;
      await evaluateContacts(tx, segments, ids, now);
      return { contacts: ids.length, admitted: await admitChangedContacts(tx, started, segments, ids, now) };
    });
    if (!done) break;
    result.contacts += done.contacts;
    result.admitted += done.admitted;
  }
  result.admitted += await admitWholeIterations(db, started, segments, now);
  return result;
}
