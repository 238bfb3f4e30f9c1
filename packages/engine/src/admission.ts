import { ConsentLevel } from '@waymark/core';
import type { Database, Queryable } from './db/database.ts';
import type { RunnableJourney } from './journeys.ts';
import { SqlParams, type StoredSegment } from './segments/compileQuery.ts';
import { segmentGroupPredicate } from './segments/segmentGroupPredicate.ts';

/**
 * Admits every contact the journey's entry segment group holds and that has not entered this
 * iteration yet, in one statement. Contacts below the minimum consent, or outside the owner's
 * business unit on a business-unit-scoped journey, are recorded as excluded with the reason, so
 * they are counted once and never enter later. The admitted pass the entry tile right here (its
 * history row is written by the same statement) and wait, due now, on the tile after it.
 * Returns how many rows were added.
 */
export async function admitFromSegments(db: Database, journey: RunnableJourney, segments: ReadonlyMap<string, StoredSegment>, now: Date): Promise<number> {
  const entry = journey.entry;
  if (entry?.type !== 'segmentGroup' || journey.currentIteration < 1) return 0;
  const params = new SqlParams([journey.id, journey.currentIteration, entry.id, now, entry.next]);
  const predicate = segmentGroupPredicate(entry, { params, now, segments });
  const minimumConsent = params.add(ConsentLevel.options.indexOf(journey.definition.minimumConsent ?? 'none') + 1);
  const consentLevels = params.add(ConsentLevel.options);
  const scopedUnit = params.add(journey.definition.scope === 'businessUnit' ? journey.businessUnitId : null);
  const exclusion = `case
      when array_position(${consentLevels}::text[], c.consent) < ${minimumConsent}::int then 'consent'
      when ${scopedUnit}::text is not null and c.business_unit_id is distinct from ${scopedUnit}::text then 'scope'
    end`;
  // A path that ends right after the entry tile completes at once.
  const status = `case when x.reason is not null then 'excluded' when $5::text is null then 'completed' else 'active' end`;
  // Segment filters on jsonb attributes defeat the planner's row estimates, and a nested loop
  // over a journey's existing rows then costs contacts x rows. A whole-set hash join is what
  // admission always wants, whatever the statistics say.
  const rows = await db.transaction(async (tx) => {
    await tx.exec('set local enable_nestloop = off');
    return tx.query<{ n: number }>(
      `with admitted as (
         insert into journey_contacts (journey_id, iteration, contact_id, account_id, tile_id, status, reason, due_at, tile_entered_at, entered_at, finished_at)
         select $1::text, $2::int, c.id, c.account_id, case when x.reason is null then $5::text else $3::text end,
                ${status}, x.reason,
                case when ${status} = 'active' then $4::timestamptz end, $4::timestamptz, $4::timestamptz,
                case when ${status} <> 'active' then $4::timestamptz end
           from contacts c
           cross join lateral (select ${exclusion} as reason) x
          where ${predicate}
            and not exists (select 1 from journey_contacts jc where jc.journey_id = $1::text and jc.iteration = $2::int and jc.contact_id = c.id)
         on conflict do nothing
         returning contact_id, status),
       entered as (
         insert into journey_history (journey_id, iteration, contact_id, tile_id, at, outcome)
         select $1::text, $2::int, contact_id, $3::text, $4::timestamptz, 'entered' from admitted where status <> 'excluded'
         returning 1)
       select (select count(*)::int from admitted) as n, (select count(*) from entered) as entered`,
      params.values,
    );
  });
  return rows[0]?.n ?? 0;
}

/** Admits one contact through a form-submitted entry tile (inbound journeys). */
export async function admitContact(db: Queryable, journey: RunnableJourney, contactId: string, now: Date): Promise<boolean> {
  const entry = journey.entry;
  if (!entry || journey.currentIteration < 1) return false;
  const rows = await db.query(
    `insert into journey_contacts (journey_id, iteration, contact_id, account_id, tile_id, status, due_at, tile_entered_at, entered_at)
     select $1, $2, c.id, c.account_id, $3, 'active', $4, $4, $4 from contacts c where c.id = $5
     on conflict do nothing returning 1`,
    [journey.id, journey.currentIteration, entry.id, now, contactId],
  );
  return rows.length > 0;
}
