import type { Database } from './db/database.ts';
import { loadLiveJourneys, type BrokenJourney } from './journeys.ts';
import { insertMilestone } from './queries/insertMilestone.ts';

const DAY_MS = 86_400_000;

/**
 * Moves live journeys along their schedule: past `endAt` a journey ends wherever its contacts are;
 * at `startAt` its first iteration starts; a recurring journey starts its next iteration when the
 * interval has passed, and stops after the last. A live journey whose stored definition no longer
 * parses becomes `failed`, with a milestone saying why, and the others go on. Returns how many
 * changes it made.
 */
export async function advanceLifecycle(db: Database, now: Date): Promise<number> {
  const { runnable, broken } = await loadLiveJourneys(db);
  let changes = await failBrokenJourneys(db, broken, now);
  for (const journey of runnable) {
    await db.transaction(async (tx) => {
      // Re-read under lock so two workers never start the same iteration.
      const [row] = await tx.query<{ status: string; current_iteration: number }>('select status, current_iteration from journeys where id = $1 for update', [journey.id]);
      if (row?.status !== 'live') return;
      const iteration = row.current_iteration;
      if (now >= journey.endAt) {
        await tx.query(`update journeys set status = 'ended', updated_at = $2 where id = $1`, [journey.id, now]);
        await insertMilestone(tx, journey.id, 'ended', now);
        changes += 1;
        return;
      }
      if (now < journey.startAt) return;
      const recurrence = journey.definition.recurrence;
      if (iteration === 0) {
        await insertMilestone(tx, journey.id, 'started', now);
        await startIteration(tx, journey.id, 1, now);
        changes += 1;
        return;
      }
      if (!recurrence) return;
      const [current] = await tx.query<{ started_at: Date }>('select started_at from journey_iterations where journey_id = $1 and number = $2', [journey.id, iteration]);
      if (!current || now.getTime() < current.started_at.getTime() + recurrence.intervalDays * DAY_MS) return;
      await tx.query(`update journey_iterations set status = 'completed' where journey_id = $1 and number = $2`, [journey.id, iteration]);
      if (iteration >= recurrence.count) {
        await tx.query(`update journeys set status = 'stopped', updated_at = $2 where id = $1`, [journey.id, now]);
        await insertMilestone(tx, journey.id, 'stopped', now, { reason: 'lastIterationCompleted' });
      } else {
        await startIteration(tx, journey.id, iteration + 1, now);
      }
      changes += 1;
    });
  }
  return changes;
}

/** Its contacts stay where they stand, so nothing about them is lost; the journey takes no more steps. */
async function failBrokenJourneys(db: Database, broken: BrokenJourney[], now: Date): Promise<number> {
  let changes = 0;
  for (const journey of broken) {
    await db.transaction(async (tx) => {
      const failed = await tx.query(`update journeys set status = 'failed', updated_at = $2 where id = $1 and status = 'live' returning id`, [journey.id, now]);
      if (failed.length === 0) return;
      await insertMilestone(tx, journey.id, 'failed', now, { reason: 'definitionInvalid', error: journey.error });
      changes += 1;
    });
  }
  return changes;
}

async function startIteration(tx: Parameters<Parameters<Database['transaction']>[0]>[0], journeyId: string, number: number, now: Date): Promise<void> {
  await tx.query('insert into journey_iterations (journey_id, number, started_at) values ($1, $2, $3) on conflict do nothing', [journeyId, number, now]);
  await tx.query('update journeys set current_iteration = $2, updated_at = $3 where id = $1', [journeyId, number, now]);
  await insertMilestone(tx, journeyId, 'iterationStarted', now, { number });
}
