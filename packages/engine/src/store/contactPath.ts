import type { Queryable } from '../db/database.ts';

export interface PathEntry {
  tileId: string;
  at: Date;
  outcome: string;
  /** The journey version the step was taken under (steps only). */
  version?: number | null;
  /** Why an effect of the tile failed (outcomes `workflowFailed`, `emailFailed`). */
  reason?: string;
  /** When a failed effect is tried again; null when the engine gave up on it. */
  retryAt?: Date | null;
}

export interface ContactPath {
  status: 'active' | 'completed' | 'exited' | 'excluded';
  tileId: string | null;
  iteration: number;
  reason?: string;
  enteredAt: Date;
  history: PathEntry[];
}

/**
 * Where a contact stands in a journey (latest iteration) and the tiles it passed on the way, with
 * each failed attempt of a tile's effect (a workflow call that failed, an email that could not go)
 * in time order, so the path shows what went wrong and whether it is retried.
 */
export async function contactPath(db: Queryable, journeyId: string, contactId: string): Promise<ContactPath | null> {
  const [row] = await db.query<{ status: ContactPath['status']; tile_id: string | null; iteration: number; reason: string | null; entered_at: Date; account_id: string | null }>(
    `select status, tile_id, iteration, reason, entered_at, account_id from journey_contacts where journey_id = $1 and contact_id = $2 order by iteration desc limit 1`,
    [journeyId, contactId],
  );
  if (!row) return null;
  const steps = await db.query<{ tileId: string; at: Date; outcome: string; version: number | null }>(
    `select tile_id as "tileId", at, outcome, journey_version as version from journey_history where journey_id = $1 and contact_id = $2 and iteration = $3 order by seq`,
    [journeyId, contactId, row.iteration],
  );
  const failures = await effectFailures(db, journeyId, contactId, row.account_id, row.iteration);
  // Steps keep their order; a failure goes after every step taken at or before its time.
  const history: PathEntry[] = [];
  let next = 0;
  for (const step of steps) {
    while (next < failures.length && failures[next]!.at < step.at) history.push(failures[next++]!);
    history.push(step);
  }
  history.push(...failures.slice(next));
  return { status: row.status, tileId: row.tile_id, iteration: row.iteration, ...(row.reason ? { reason: row.reason } : {}), enteredAt: row.entered_at, history };
}

/** Failed attempts at the contact's effects in one iteration, and at its account's per-account ones. */
async function effectFailures(db: Queryable, journeyId: string, contactId: string, accountId: string | null, iteration: number): Promise<PathEntry[]> {
  const rows = await db.query<{ tileId: string; at: Date; kind: string; reason: string; retryAt: Date | null }>(
    `select tile_id as "tileId", at, kind, error as reason, retry_at as "retryAt"
       from effect_failures
      where journey_id = $1 and iteration = $4 and (contact_id = $2 or (contact_id is null and account_id = $3::text))
      order by at, id`,
    [journeyId, contactId, accountId, iteration],
  );
  return rows.map(({ kind, ...row }) => ({ ...row, outcome: kind === 'workflow' ? 'workflowFailed' : 'emailFailed' }));
}
