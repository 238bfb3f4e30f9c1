import type { Queryable } from '../db/database.ts';

/**
 * Hands back claimed effects that were never tried (the batch stopped early: the server became
 * unreachable, the worker is stopping, or the lease was running out), uncounted, for any sender to take.
 */
export async function releaseOutbox(db: Queryable, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(`update outbox set locked_until = null, attempts = greatest(attempts - 1, 0) where id = any($1::bigint[]) and status = 'pending'`, [ids]);
}
