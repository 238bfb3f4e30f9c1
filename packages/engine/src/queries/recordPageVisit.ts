import type { Queryable } from '../db/database.ts';

export interface VisitOrigin {
  contact_id: string;
  journey_id: string | null;
  tile_id: string | null;
  iteration: number | null;
}

/**
 * Stores one visit of a page; for a visitor who is still a contact, returns it with the journey and
 * tile of the email that brought it (when that email is the contact's own), all in one statement.
 */
export async function recordPageVisit(db: Queryable, visit: { pageId: string; contactId: string | null; outboxId: number | null }, now: Date): Promise<VisitOrigin | null> {
  const rows = await db.query<VisitOrigin>(
    `with known as (
       select c.id from contacts c where c.id = $2::text
     ), stored as (
       insert into page_visits (page_id, contact_id, visited_at) values ($1, (select id from known), $4)
     )
     select k.id as contact_id, o.journey_id, o.tile_id, o.iteration
       from known k left join outbox o on o.id = $3::bigint and o.contact_id = k.id`,
    [visit.pageId, visit.contactId, visit.outboxId, now],
  );
  return rows[0] ?? null;
}
