import type { Queryable } from '../db/database.ts';

export interface DueStep {
  journey_id: string;
  iteration: number;
  contact_id: string;
  account_id: string | null;
  tile_id: string;
  tile_entered_at: Date;
}

/** Locks up to `limit` rows that are due; rows another worker holds are skipped, not waited for. */
export function claimDueSteps(tx: Queryable, now: Date, journeyIds: string[], limit: number): Promise<DueStep[]> {
  return tx.query<DueStep>(
    `select journey_id, iteration, contact_id, account_id, tile_id, tile_entered_at
       from journey_contacts
      where status = 'active' and due_at <= $1 and journey_id = any($2::text[])
      order by due_at
      limit $3
      for update skip locked`,
    [now, journeyIds, limit],
  );
}
