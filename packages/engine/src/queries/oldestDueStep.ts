import type { Queryable } from '../db/database.ts';

/**
 * When the longest-waiting due step of a live journey fell due, or null when nothing is due: how
 * far the workers are behind. One probe of the due index, cheap enough for every metrics scrape.
 */
export async function oldestDueStep(db: Queryable, now: Date): Promise<Date | null> {
  const [row] = await db.query<{ due_at: Date | null }>(
    `select min(jc.due_at) as due_at
       from journey_contacts jc
      where jc.status = 'active' and jc.due_at <= $1
        and jc.journey_id in (select id from journeys where status = 'live')`,
    [now],
  );
  return row?.due_at ?? null;
}
