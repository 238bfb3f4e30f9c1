import type { Queryable } from '../db/database.ts';

/**
 * Asks for the leads of contacts changed since `since` (their attributes can earn points) to be
 * scored again, in one statement; a lead already due keeps its time. An account-level lead counts
 * each of its account's contacts. Returns how many leads it marked.
 */
export async function markLeadsOfChangedContacts(db: Queryable, since: Date, now: Date): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `with changed as (
       select c.id, c.account_id, c.updated_at from contacts c where c.updated_at >= $1
     ), marked as (
       update leads l set rescore_at = $2
         from changed c
        where (l.contact_id = c.id or (l.contact_id is null and l.account_id = c.account_id))
          and c.updated_at >= coalesce(l.scored_at, '-infinity')
          and (l.rescore_at is null or l.rescore_at > $2)
       returning 1
     )
     select count(*)::int as n from marked`,
    [since, now],
  );
  return rows[0]?.n ?? 0;
}

/** Asks for every lead to be scored again now (a scoring model was published or changed). */
export async function markAllLeadsForRescoring(db: Queryable, now: Date): Promise<void> {
  await db.query(`update leads set rescore_at = $1 where rescore_at is null or rescore_at > $1`, [now]);
}
