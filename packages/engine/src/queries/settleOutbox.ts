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

/**
 * Puts failed effects back for a retry, or gives up on them, and logs each failed attempt in
 * effect_failures (in the same statement), so insights and the contact's path can show it.
 */
export async function markOutboxFailed(db: Queryable, failures: OutboxFailure[], now: Date): Promise<void> {
  if (failures.length === 0) return;
  await db.query(
    `with settled as (
       update outbox o set status = case when f.retry_at is null then 'failed' else 'pending' end,
              next_attempt_at = coalesce(f.retry_at, o.next_attempt_at), locked_until = null, last_error = f.error
         from unnest($1::bigint[], $2::text[], $3::timestamptz[]) as f(id, error, retry_at)
        where o.id = f.id
       returning o.id, o.kind, o.journey_id, o.iteration, o.tile_id, o.contact_id, o.account_id, f.error, f.retry_at
     )
     insert into effect_failures (outbox_id, kind, journey_id, iteration, tile_id, contact_id, account_id, at, error, retry_at)
     select s.id, s.kind, s.journey_id, s.iteration, s.tile_id, c.id, s.account_id, $4, s.error, s.retry_at
       from settled s left join contacts c on c.id = s.contact_id`,
    [failures.map((f) => f.id), failures.map((f) => f.error.slice(0, 1000)), failures.map((f) => f.retryAt), now],
  );
}

/**
 * Gives up, in one statement, on the claimed emails whose recipient's address hard-bounced:
 * they fail with the reason instead of being sent. Returns the ids it settled.
 */
export async function failBouncedEmails(db: Queryable, outboxIds: number[], now: Date): Promise<number[]> {
  if (outboxIds.length === 0) return [];
  const rows = await db.query<{ id: number }>(
    `with bounced as (
       update outbox o set status = 'failed', locked_until = null, last_error = 'the address hard-bounced: no further mail is sent to it'
         from contacts c
        where o.id = any($1::bigint[]) and c.id = o.contact_id
          and exists (select 1 from bounced_emails b where b.email_hash = encode(sha256(convert_to(lower(c.email), 'UTF8')), 'hex'))
       returning o.id, o.kind, o.journey_id, o.iteration, o.tile_id, o.contact_id, o.account_id, o.last_error
     ), logged as (
       insert into effect_failures (outbox_id, kind, journey_id, iteration, tile_id, contact_id, account_id, at, error, retry_at)
       select id, kind, journey_id, iteration, tile_id, contact_id, account_id, $2, last_error, null from bounced
     )
     select id from bounced`,
    [outboxIds, now],
  );
  return rows.map((row) => row.id);
}
