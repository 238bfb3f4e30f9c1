import { ConsentLevel } from '@waymark/core';
import type { Queryable } from '../db/database.ts';

export interface FormContact {
  email: string;
  firstName: string | null;
  lastName: string | null;
  /** Custom attributes to set; the others stay as they are. */
  attributes: Record<string, string | number | boolean>;
  /** A consent level the submitter gave; it only ever raises the contact's consent. */
  consent: ConsentLevel | null;
}

/**
 * Creates the contact with this email (any case), or updates the one that has it, in one
 * statement that is safe against two submissions racing: names and attributes given replace
 * the stored ones, the others stay; consent only rises.
 */
export async function upsertFormContact(db: Queryable, contact: FormContact, now: Date): Promise<{ id: string; created: boolean }> {
  const [row] = await db.query<{ id: string; created: boolean }>(
    `insert into contacts as c (email, first_name, last_name, consent, attributes, created_at, updated_at)
     values ($1, $2, $3, coalesce($4, 'none'), $5::jsonb, $7, $7)
     on conflict (lower(email)) do update set
       first_name = coalesce(excluded.first_name, c.first_name),
       last_name = coalesce(excluded.last_name, c.last_name),
       consent = case when $4::text is not null and array_position($6::text[], $4::text) > array_position($6::text[], c.consent) then $4::text else c.consent end,
       attributes = c.attributes || excluded.attributes,
       updated_at = excluded.updated_at
     returning c.id, (xmax = 0) as created`,
    [contact.email, contact.firstName, contact.lastName, contact.consent, JSON.stringify(contact.attributes), ConsentLevel.options, now],
  );
  return row!;
}
