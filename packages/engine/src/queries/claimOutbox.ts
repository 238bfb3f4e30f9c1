import type { Queryable } from '../db/database.ts';

/** How many effects one sender takes at a time, and for how long they are its own. */
export interface OutboxLease {
  limit: number;
  seconds: number;
}

export interface ClaimedEffect {
  id: number;
  idempotency_key: string;
  journey_id: string;
  iteration: number;
  tile_id: string;
  contact_id: string | null;
  account_id: string | null;
  target_id: string;
  attempts: number;
  /** When the effect was queued: workflow calls stop retrying a day after it. */
  created_at: Date;
  /** The engine time of its first claim: emails stop retrying 3 days after it. */
  first_attempt_at: Date;
}

/**
 * Leases due effects of one kind to this sender for `leaseSeconds` of wall time (not engine time:
 * a crashed sender's lease must run out even while a manual clock stands still). Another sender
 * takes them over only once the lease has run out, so the lease must outlast one batch's sending.
 */
export function claimOutbox(db: Queryable, kind: 'email' | 'workflow', now: Date, limit: number, leaseSeconds: number): Promise<ClaimedEffect[]> {
  return db.query<ClaimedEffect>(
    `update outbox o set locked_until = now() + make_interval(secs => $4), attempts = o.attempts + 1,
            first_attempt_at = coalesce(o.first_attempt_at, $2)
      where o.id in (select id from outbox
                      where kind = $1 and status = 'pending' and next_attempt_at <= $2
                        and (locked_until is null or locked_until < now())
                      order by id limit $3 for update skip locked)
      returning o.id, o.idempotency_key, o.journey_id, o.iteration, o.tile_id, o.contact_id, o.account_id, o.target_id, o.attempts, o.created_at, o.first_attempt_at`,
    [kind, now, limit, leaseSeconds],
  );
}
