import { ConsentLevel, type JourneyDefinition, type SegmentGroupTile } from '@waymark/core';
import type { Queryable } from '../db/database.ts';
import { compileSegmentQuery, SqlParams, type StoredSegment } from '../segments/compileQuery.ts';
import { segmentGroupPredicate } from '../segments/segmentGroupPredicate.ts';

export interface ForecastAudience {
  /** Contacts the entry would admit now. */
  contacts: number;
  /** Those it would hold but record as excluded, by reason. */
  excluded: { consent: number; scope: number };
  /** Of the admitted, how many no email would reach at send time (hard bounce, suppression segment). */
  blocked: number;
  /** Of the admitted, how many match each condition tile's query now, by tile id. */
  conditions: Map<string, number>;
}

/**
 * Counts a journey's audience in one pass over the contacts: who the entry segment group holds,
 * minus erased addresses, split by admission's exclusions (consent, scope), with how many of the
 * admitted each condition tile's query holds now and how many are blocked from mail. Set-based
 * (hashed membership sets, grouped event scans), never a look per contact.
 */
export async function countForecastAudience(
  db: Queryable,
  journey: { definition: JourneyDefinition; businessUnitId: string | null },
  entry: SegmentGroupTile,
  segments: ReadonlyMap<string, StoredSegment>,
  now: Date,
): Promise<ForecastAudience> {
  const def = journey.definition;
  const params = new SqlParams();
  const ctx = { params, now, segments, strategy: 'set' as const };
  const audience = segmentGroupPredicate(entry, ctx);
  const conditions = def.tiles.flatMap((tile) => (tile.type === 'condition' ? [{ id: tile.id, sql: compileSegmentQuery(tile.query, ctx) }] : []));
  const belowMinimum = params.add(ConsentLevel.options.slice(0, ConsentLevel.options.indexOf(def.minimumConsent ?? 'none')));
  const scopedUnit = params.add(def.scope === 'businessUnit' ? journey.businessUnitId : null);
  const suppression = params.add(def.suppressionSegmentId ?? null);
  const [row] = await db.query<Record<string, number>>(
    `with audience as (
       select c.id, c.email,
              case when c.consent = any(${belowMinimum}::text[]) then 'consent'
                   when ${scopedUnit}::text is not null and c.business_unit_id is distinct from ${scopedUnit}::text then 'scope' end as reason,
              ${conditions.length > 0 ? conditions.map((condition, index) => `(${condition.sql}) as c${index}`).join(', ') : 'null as c0'}
         from contacts c
        where ${audience} and not c.suppressed
     )
     select count(*) filter (where reason is null)::int as contacts,
            count(*) filter (where reason = 'consent')::int as consent,
            count(*) filter (where reason = 'scope')::int as scope,
            count(*) filter (where reason is null and (
              id in (select m.contact_id from segment_members m where m.segment_id = ${suppression}::text
                     union all select m.contact_id from segment_membership m where m.segment_id = ${suppression}::text)
              -- Hashing every address costs; only when some address bounced at all.
              or case when exists (select 1 from bounced_emails)
                      then encode(sha256(convert_to(lower(email), 'UTF8')), 'hex') in (select b.email_hash from bounced_emails b) else false end))::int as blocked
            ${conditions.map((_, index) => `, count(*) filter (where reason is null and c${index})::int as c${index}`).join('')}
       from audience`,
    params.values,
  );
  return {
    contacts: row!.contacts!,
    excluded: { consent: row!.consent!, scope: row!.scope! },
    blocked: row!.blocked!,
    conditions: new Map(conditions.map((condition, index) => [condition.id, row![`c${index}`]!])),
  };
}
