import { ConsentLevel } from '@waymark/core';
import type { Queryable } from '../db/database.ts';

/**
 * Enters the contact into every live, started journey whose entry is a form-submitted tile for
 * `formId`, in one statement, at the entry tile and due now. A contact already on the journey in
 * this iteration stays where it is (a repeat submission does not start it again). Below the
 * journey's minimum consent, or outside a business-unit-scoped journey's unit, it is recorded as
 * excluded with the reason; a later submission that gives enough consent lets it in. A suppressed
 * address (an erased person) never enters. Returns the journeys it entered.
 */
export async function admitToInboundJourneys(db: Queryable, formId: string, contactId: string, now: Date): Promise<string[]> {
  const rows = await db.query<{ journey_id: string; status: string }>(
    `with entry as (
       select j.id, greatest(j.current_iteration, 1) as iteration, j.definition #>> '{tiles,0,id}' as tile_id,
              array_position($4::text[], coalesce(j.definition ->> 'minimumConsent', 'none')) as minimum_consent,
              case when j.definition ->> 'scope' = 'businessUnit' then j.business_unit_id end as scoped_unit
         from journeys j
        where j.status = 'live'
          and j.definition #>> '{tiles,0,type}' = 'formSubmitted' and j.definition #>> '{tiles,0,formId}' = $1
          and (j.definition ->> 'startAt')::timestamptz <= $3 and (j.definition ->> 'endAt')::timestamptz > $3
     ), candidate as (
       select e.id as journey_id, e.iteration, c.id as contact_id, c.account_id, e.tile_id,
              case when array_position($4::text[], c.consent) < e.minimum_consent then 'consent'
                   when e.scoped_unit is not null and c.business_unit_id is distinct from e.scoped_unit then 'scope' end as reason
         from entry e cross join contacts c
        where c.id = $2 and not c.suppressed
     )
     insert into journey_contacts as jc (journey_id, iteration, contact_id, account_id, tile_id, status, reason, due_at, tile_entered_at, entered_at, finished_at)
     select journey_id, iteration, contact_id, account_id, tile_id,
            case when reason is null then 'active' else 'excluded' end, reason,
            case when reason is null then $3::timestamptz end, $3, $3,
            case when reason is not null then $3::timestamptz end
       from candidate
     on conflict (journey_id, iteration, contact_id) do update
        set status = 'active', reason = null, tile_id = excluded.tile_id, due_at = excluded.tile_entered_at,
            tile_entered_at = excluded.tile_entered_at, entered_at = excluded.entered_at, finished_at = null, version = jc.version + 1
      where jc.status = 'excluded' and jc.reason = 'consent' and excluded.status = 'active'
     returning jc.journey_id, jc.status`,
    [formId, contactId, now, ConsentLevel.options],
  );
  return rows.filter((row) => row.status === 'active').map((row) => row.journey_id);
}
