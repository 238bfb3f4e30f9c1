import type { Queryable } from '../db/database.ts';

export interface LeadToScore {
  id: string;
  contact_id: string | null;
  account_id: string | null;
  /** The contacts whose behaviour counts: the lead's contact, or every contact of its account. */
  contact_ids: string[];
}

/** Locks up to `limit` leads whose score is due; leads another worker holds are skipped. */
export function claimLeadsToScore(tx: Queryable, now: Date, limit: number): Promise<LeadToScore[]> {
  return tx.query<LeadToScore>(
    `select l.id, l.contact_id, l.account_id,
            case when l.contact_id is not null then array[l.contact_id]
                 else array(select c.id from contacts c where c.account_id = l.account_id order by c.id) end as contact_ids
       from leads l
      where l.rescore_at <= $1
      order by l.rescore_at
      limit $2
      for update of l skip locked`,
    [now, limit],
  );
}
