import type { Queryable } from '../db/database.ts';

/**
 * How many contacts each splitter branch has taken so far, keyed `journey:iteration:tile`. Takes a
 * per-journey transaction lock first, so two workers never hand out the same count slot.
 */
export async function loadSplitterCounts(tx: Queryable, journeyIds: string[]): Promise<Map<string, number[]>> {
  await tx.query(`select pg_advisory_xact_lock(hashtext('splitter:' || id)) from unnest($1::text[]) as id order by id`, [journeyIds]);
  const rows = await tx.query<{ journey_id: string; iteration: number; tile_id: string; branch: number; n: number }>(
    `select journey_id, iteration, tile_id, branch, count(*)::int as n
       from journey_history
      where journey_id = any($1::text[]) and branch is not null
      group by journey_id, iteration, tile_id, branch`,
    [journeyIds],
  );
  const counts = new Map<string, number[]>();
  for (const row of rows) {
    const key = `${row.journey_id}:${row.iteration}:${row.tile_id}`;
    const tally = counts.get(key) ?? [];
    tally[row.branch] = row.n;
    counts.set(key, tally);
  }
  return counts;
}
