import type { Queryable } from '../db/database.ts';

export interface ActivityEntry {
  key: string;
  journeyId: string;
  iteration: number;
  tileId: string;
  contactId: string | null;
  accountId: string | null;
  activityType: string;
  subject: string;
  dueAt: Date | null;
  assignTo: string;
  journeyOwnerId: string | null;
}

/** Creates activities, assigned to the contact's, account's or journey's owner, once per key. */
export async function insertActivities(tx: Queryable, entries: ActivityEntry[], now: Date): Promise<void> {
  if (entries.length === 0) return;
  await tx.query(
    `insert into activities (idempotency_key, journey_id, iteration, tile_id, contact_id, account_id, activity_type, subject, due_at, assigned_user_id, created_at)
     select u.key, u.journey_id, u.iteration, u.tile_id, u.contact_id, u.account_id, u.activity_type, u.subject, u.due_at,
            case u.assign_to when 'contactOwner' then c.owner_user_id when 'accountOwner' then a.owner_user_id else u.journey_owner end,
            $12::timestamptz
       from unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::text[], $11::text[])
            as u(key, journey_id, iteration, tile_id, contact_id, account_id, activity_type, subject, due_at, assign_to, journey_owner)
       left join contacts c on c.id = u.contact_id
       left join accounts a on a.id = coalesce(u.account_id, c.account_id)
     on conflict (idempotency_key) do nothing`,
    [
      entries.map((e) => e.key),
      entries.map((e) => e.journeyId),
      entries.map((e) => e.iteration),
      entries.map((e) => e.tileId),
      entries.map((e) => e.contactId),
      entries.map((e) => e.accountId),
      entries.map((e) => e.activityType),
      entries.map((e) => e.subject),
      entries.map((e) => e.dueAt),
      entries.map((e) => e.assignTo),
      entries.map((e) => e.journeyOwnerId),
      now,
    ],
  );
}
