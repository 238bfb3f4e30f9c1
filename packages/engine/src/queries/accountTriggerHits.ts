import type { Queryable } from '../db/database.ts';

export interface AccountTriggerHit {
  journeyId: string;
  iteration: number;
  tileId: string;
  accountId: string;
}

export const accountHitKey = (journeyId: string, iteration: number, accountId: string) => `${journeyId}:${iteration}:${accountId}`;

/** Which account-based triggers already fired for these rows' accounts, keyed by accountHitKey. */
export async function loadAccountTriggerHits(
  db: Queryable,
  rows: { journey_id: string; iteration: number; account_id: string | null }[],
): Promise<Map<string, Set<string>>> {
  const withAccount = rows.filter((row) => row.account_id !== null);
  const hits = new Map<string, Set<string>>();
  if (withAccount.length === 0) return hits;
  const found = await db.query<{ journey_id: string; iteration: number; account_id: string; tile_id: string }>(
    `select h.journey_id, h.iteration, h.account_id, h.tile_id
       from account_trigger_hits h
       join (select distinct * from unnest($1::text[], $2::int[], $3::text[]) as r(journey_id, iteration, account_id)) r
         on r.journey_id = h.journey_id and r.iteration = h.iteration and r.account_id = h.account_id`,
    [withAccount.map((row) => row.journey_id), withAccount.map((row) => row.iteration), withAccount.map((row) => row.account_id)],
  );
  for (const hit of found) {
    const key = accountHitKey(hit.journey_id, hit.iteration, hit.account_id);
    hits.set(key, (hits.get(key) ?? new Set()).add(hit.tile_id));
  }
  return hits;
}

export async function insertAccountTriggerHits(db: Queryable, hits: AccountTriggerHit[], now: Date): Promise<void> {
  if (hits.length === 0) return;
  await db.query(
    `insert into account_trigger_hits (journey_id, iteration, tile_id, account_id, at)
     select *, $5::timestamptz from unnest($1::text[], $2::int[], $3::text[], $4::text[])
     on conflict do nothing`,
    [hits.map((h) => h.journeyId), hits.map((h) => h.iteration), hits.map((h) => h.tileId), hits.map((h) => h.accountId), now],
  );
}

/** Makes the account's other contacts waiting in that trigger due now, so they follow at once. */
export async function wakeAccountContacts(db: Queryable, hits: AccountTriggerHit[], now: Date): Promise<void> {
  if (hits.length === 0) return;
  await db.query(
    `update journey_contacts jc set due_at = $5
       from unnest($1::text[], $2::int[], $3::text[], $4::text[]) as h(journey_id, iteration, tile_id, account_id)
      where jc.journey_id = h.journey_id and jc.iteration = h.iteration and jc.account_id = h.account_id
        and jc.tile_id = h.tile_id and jc.status = 'active' and jc.due_at > $5`,
    [hits.map((h) => h.journeyId), hits.map((h) => h.iteration), hits.map((h) => h.tileId), hits.map((h) => h.accountId), now],
  );
}
