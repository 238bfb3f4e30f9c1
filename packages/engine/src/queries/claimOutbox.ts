import type { Queryable } from '../db/database.ts';

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
}

/**
 * Leases due effects of one kind to this sender for two minutes of wall time (not engine time:
 * a crashed sender's lease must run out even while a manual clock stands still).
 */
export function claimOutbox(db: Queryable, kind: 'email' | 'workflow', now: Date, limit: number): Promise<ClaimedEffect[]> {
  return db.query<ClaimedEffect>(
    `update outbox o set locked_until = now() + interval '2 minutes', attempts = o.attempts + 1
      where o.id in (select id from outbox
                      where kind = $1 and status = 'pending' and next_attempt_at <= $2
                        and (locked_until is null or locked_until < now())
                      order by id limit $3 for update skip locked)
      returning o.id, o.idempotency_key, o.journey_id, o.iteration, o.tile_id, o.contact_id, o.account_id, o.target_id, o.attempts`,
    [kind, now, limit],
  );
}
