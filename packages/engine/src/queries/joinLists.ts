import type { Queryable } from '../db/database.ts';

/** Adds the contact to the subscription lists (by its own choice, on a form); already a member stays one. */
export async function joinLists(db: Queryable, contactId: string, listIds: readonly string[], now: Date): Promise<void> {
  if (listIds.length === 0) return;
  await db.query(
    `insert into list_members (list_id, contact_id, added_at)
     select l.id, $2, $3 from subscription_lists l where l.id = any($1::text[])
     on conflict do nothing`,
    [[...new Set(listIds)], contactId, now],
  );
}
