import type { Queryable } from '../db/database.ts';

export async function markOutboxSent(db: Queryable, ids: number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.query(`update outbox set status = 'sent', sent_at = $2, locked_until = null, last_error = null where id = any($1::bigint[])`, [ids, now]);
}

export interface OutboxFailure {
  id: number;
  error: string;
  /** When to try again; null gives up for good. */
  retryAt: Date | null;
}

export async function markOutboxFailed(db: Queryable, failures: OutboxFailure[]): Promise<void> {
  if (failures.length === 0) return;
  await db.query(
    `update outbox o set status = case when f.retry_at is null then 'failed' else 'pending' end,
            next_attempt_at = coalesce(f.retry_at, o.next_attempt_at), locked_until = null, last_error = f.error
       from unnest($1::bigint[], $2::text[], $3::timestamptz[]) as f(id, error, retry_at)
      where o.id = f.id`,
    [failures.map((f) => f.id), failures.map((f) => f.error.slice(0, 1000)), failures.map((f) => f.retryAt)],
  );
}
