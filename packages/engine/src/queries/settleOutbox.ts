import { ConsentLevel } from '@waymark/core';
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
  /** Why it was given up on (`rejected`, `expired`, ...), shown with the message; only when `retryAt` is null. */
  reason?: string;
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
              next_attempt_at = coalesce(f.retry_at, o.next_attempt_at), locked_until = null, last_error = f.error,
              failure_reason = case when f.retry_at is null then f.reason end
         from unnest($1::bigint[], $2::text[], $3::timestamptz[], $5::text[]) as f(id, error, retry_at, reason)
        where o.id = f.id
       returning o.id, o.kind, o.journey_id, o.iteration, o.tile_id, o.contact_id, o.account_id, f.error, f.retry_at
     )
     insert into effect_failures (outbox_id, kind, journey_id, iteration, tile_id, contact_id, account_id, at, error, retry_at)
     select s.id, s.kind, s.journey_id, s.iteration, s.tile_id, c.id, s.account_id, $4, s.error, s.retry_at
       from settled s left join contacts c on c.id = s.contact_id`,
    [failures.map((f) => f.id), failures.map((f) => f.error.slice(0, 1000)), failures.map((f) => f.retryAt), now, failures.map((f) => f.reason ?? null)],
  );
}

/**
 * Gives up, in one statement, on the claimed emails that must not go out whatever happens, each
 * with its reason: the address hard-bounced; the contact's consent dropped below the journey's
 * minimum while on it; the contact is in the journey's suppression segment (checked now, so it
 * holds even part-way through). Returns the ids it settled.
 */
export async function failUnsendableEmails(db: Queryable, outboxIds: number[], now: Date): Promise<number[]> {
  if (outboxIds.length === 0) return [];
  const rows = await db.query<{ id: number }>(
    `with checked as (
       select o.id,
              case
                when exists (select 1 from bounced_emails b where b.email_hash = encode(sha256(convert_to(lower(c.email), 'UTF8')), 'hex'))
                  then 'hardBounce'
                when array_position($3::text[], c.consent) < array_position($3::text[], coalesce(j.definition ->> 'minimumConsent', 'none'))
                  then 'consent'
                when exists (select 1 from segment_members sm where sm.segment_id = j.definition ->> 'suppressionSegmentId' and sm.contact_id = c.id)
                  or exists (select 1 from segment_membership m where m.segment_id = j.definition ->> 'suppressionSegmentId' and m.contact_id = c.id)
                  then 'suppressed'
              end as reason
         from outbox o
         join contacts c on c.id = o.contact_id
         join journeys j on j.id = o.journey_id
        where o.id = any($1::bigint[])
     ), blocked as (
       update outbox o set status = 'failed', locked_until = null, failure_reason = checked.reason,
              last_error = case checked.reason
                             when 'hardBounce' then 'the address hard-bounced: no further mail is sent to it'
                             when 'consent' then 'consent is below the journey''s minimum consent'
                             else 'the contact is in the journey''s suppression segment'
                           end
         from checked
        where o.id = checked.id and checked.reason is not null
       returning o.id, o.kind, o.journey_id, o.iteration, o.tile_id, o.contact_id, o.account_id, o.last_error
     ), logged as (
       insert into effect_failures (outbox_id, kind, journey_id, iteration, tile_id, contact_id, account_id, at, error, retry_at)
       select id, kind, journey_id, iteration, tile_id, contact_id, account_id, $2, last_error, null from blocked
     )
     select id from blocked`,
    [outboxIds, now, ConsentLevel.options],
  );
  return rows.map((row) => row.id);
}
