import { ConsentLevel } from '@waymark/core';
import type { Database, Queryable } from './db/database.ts';
import { lockJourneyVersions, type RunnableJourney } from './journeys.ts';
import { SqlParams, type StoredSegment } from './segments/compileQuery.ts';
import { segmentGroupPredicate } from './segments/segmentGroupPredicate.ts';

/**
 * Admits every contact the journey's entry segment group holds (of `contactIds`, when given) and
 * that has not entered this iteration yet, in one statement. Contacts below the minimum consent,
 * or outside the owner's business unit on a business-unit-scoped journey, are recorded as
 * excluded with the reason, so they are counted once and never enter later. A suppressed address
 * (an erased person, re-imported) never enters. The admitted pass the entry tile right here (its
 * history row is written by the same statement) and wait, due now, on the tile after it.
 * Returns how many rows were added.
 */
export async function admitFromSegments(
  tx: Queryable,
  journey: RunnableJourney,
  segments: ReadonlyMap<string, StoredSegment>,
  now: Date,
  contactIds?: readonly string[],
): Promise<number> {
  const entry = journey.entry;
  if (entry?.type !== 'segmentGroup' || journey.currentIteration < 1) return 0;
  const params = new SqlParams([journey.id, journey.currentIteration, entry.id, now, entry.next]);
  let predicate = `${segmentGroupPredicate(entry, { params, now, segments })} and not c.suppressed`;
  if (contactIds) predicate += ` and c.id = any(${params.add(contactIds)}::text[])`;
  const minimumConsent = params.add(ConsentLevel.options.indexOf(journey.definition.minimumConsent ?? 'none') + 1);
  const consentLevels = params.add(ConsentLevel.options);
  const scopedUnit = params.add(journey.definition.scope === 'businessUnit' ? journey.businessUnitId : null);
  const exclusion = `case
      when array_position(${consentLevels}::text[], c.consent) < ${minimumConsent}::int then 'consent'
      when ${scopedUnit}::text is not null and c.business_unit_id is distinct from ${scopedUnit}::text then 'scope'
    end`;
  // A path that ends right after the entry tile completes at once.
  const status = `case when x.reason is not null then 'excluded' when $5::text is null then 'completed' else 'active' end`;
  const rows = await tx.query<{ n: number }>(
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
       insert into journey_history (journey_id, iteration, contact_id, tile_id, at, outcome, journey_version)
       select $1::text, $2::int, contact_id, $3::text, $4::timestamptz, 'entered', ${params.add(journey.version)}::int from admitted where status <> 'excluded'
       returning 1)
     select (select count(*)::int from admitted) as n, (select count(*) from entered) as entered`,
    params.values,
  );
  return rows[0]?.n ?? 0;
}

/**
 * Admits whole the current iteration of each started journey that has not been admitted whole
 * since it started (or since its segments changed wholesale): one transaction per journey, skipped
 * while another worker does it. Returns how many rows were added.
 */
export async function admitWholeIterations(db: Database, journeys: readonly RunnableJourney[], segments: ReadonlyMap<string, StoredSegment>, now: Date): Promise<number> {
  if (journeys.length === 0) return 0;
  const pending = await db.query<{ journey_id: string }>(
    `select journey_id from journey_iterations ji
      where ji.admitted_at is null and (ji.journey_id, ji.number) in (select * from unnest($1::text[], $2::int[]))`,
    [journeys.map((journey) => journey.id), journeys.map((journey) => journey.currentIteration)],
  );
  const byId = new Map(journeys.map((journey) => [journey.id, journey]));
  let admitted = 0;
  for (const { journey_id } of pending) {
    admitted += await db.transaction(async (tx) => {
      // Admit with the version that stands while this runs: contacts land on its tiles.
      const journey = (await lockJourneyVersions(tx, new Map([[journey_id, byId.get(journey_id)!]]))).get(journey_id);
      if (!journey) return 0;
      const locked = await tx.query('select 1 from journey_iterations where journey_id = $1 and number = $2 and admitted_at is null for update skip locked', [
        journey.id,
        journey.currentIteration,
      ]);
      if (locked.length === 0) return 0;
      // Segment filters on jsonb attributes defeat the planner's row estimates, and a nested loop
      // over a journey's existing rows then costs contacts x rows. A whole-set hash join is what
      // whole admission always wants, whatever the statistics say.
      await tx.exec('set local enable_nestloop = off');
      const n = await admitFromSegments(tx, journey, segments, now);
      await tx.query('update journey_iterations set admitted_at = $3 where journey_id = $1 and number = $2', [journey.id, journey.currentIteration, now]);
      return n;
    });
  }
  return admitted;
}

/** Admits, into every started journey, those of `contactIds` its entry now holds. */
export async function admitChangedContacts(tx: Queryable, journeys: readonly RunnableJourney[], segments: ReadonlyMap<string, StoredSegment>, contactIds: readonly string[], now: Date): Promise<number> {
  if (contactIds.length === 0) return 0;
  let admitted = 0;
  const current = await lockJourneyVersions(tx, new Map(journeys.map((journey) => [journey.id, journey])));
  for (const journey of current.values()) admitted += await admitFromSegments(tx, journey, segments, now, contactIds);
  return admitted;
}

/** Admits one contact through a form-submitted entry tile (inbound journeys). */
export async function admitContact(db: Queryable, journey: RunnableJourney, contactId: string, now: Date): Promise<boolean> {
  const entry = journey.entry;
  if (!entry || journey.currentIteration < 1) return false;
  const rows = await db.query(
    `insert into journey_contacts (journey_id, iteration, contact_id, account_id, tile_id, status, due_at, tile_entered_at, entered_at)
     select $1, $2, c.id, c.account_id, $3, 'active', $4, $4, $4 from contacts c where c.id = $5 and not c.suppressed
     on conflict do nothing returning 1`,
    [journey.id, journey.currentIteration, entry.id, now, contactId],
  );
  return rows.length > 0;
}
