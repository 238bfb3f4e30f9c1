import { ConsentLevel, type JourneyDefinition } from '@waymark/core';
import type { Queryable } from '../db/database.ts';
import { SqlParams, type StoredSegment } from '../segments/compileQuery.ts';
import { segmentGroupPredicate } from '../segments/segmentGroupPredicate.ts';

/** Everything, beyond its facts, that decides how one contact would go through one journey. */
export interface PreviewStanding {
  businessUnitId: string | null;
  accountId: string | null;
  consent: ConsentLevel;
  /** An erased person's address: it never enters anything. */
  suppressed: boolean;
  /** Whether the entry tile holds the contact now (always true for a form or API entry). */
  inAudience: boolean;
  /** Why no email of this journey would go out to it at send time, or null. */
  messagesBlocked: 'hardBounce' | 'consent' | 'suppression' | null;
  /** The contact's row in the journey's current iteration, when it already entered. */
  current: { status: 'active' | 'completed' | 'exited' | 'excluded'; tileId: string | null; reason: string | null; tileEnteredAt: Date } | null;
  /** Email tiles whose message already went to the contact in this iteration. */
  sentTiles: string[];
  /** Contacts each count-mode splitter branch already took, by tile id. */
  splitterCounts: Map<string, number[]>;
  /** Account-based triggers another contact of its account already satisfied. */
  accountTriggersFired: Set<string>;
}

/**
 * One read-only statement: the contact's audience membership (through the same predicate
 * admission uses), the send-time blocks, and where it stands in the journey. Null for no contact.
 */
export async function loadPreviewStanding(
  db: Queryable,
  journey: { id: string; definition: JourneyDefinition },
  iteration: number,
  contactId: string,
  segments: ReadonlyMap<string, StoredSegment>,
  now: Date,
): Promise<PreviewStanding | null> {
  const def = journey.definition;
  const params = new SqlParams([contactId, journey.id, iteration, ConsentLevel.options, def.minimumConsent ?? 'none', def.suppressionSegmentId ?? null]);
  const entry = def.tiles[0];
  const audience = entry?.type === 'segmentGroup' ? segmentGroupPredicate(entry, { params, now, segments }) : 'true';
  const [row] = await db.query<{
    business_unit_id: string | null;
    account_id: string | null;
    consent: ConsentLevel;
    suppressed: boolean;
    in_audience: boolean;
    blocked: PreviewStanding['messagesBlocked'];
    current: { status: NonNullable<PreviewStanding['current']>['status']; tile_id: string | null; reason: string | null; tile_entered_at: string } | null;
    sent_tiles: string[];
    splitter_counts: { tile_id: string; branch: number; n: number }[] | null;
    account_hits: string[];
  }>(
    `select c.business_unit_id, c.account_id, c.consent, c.suppressed, (${audience}) as in_audience,
            case
              when exists (select 1 from bounced_emails b where b.email_hash = encode(sha256(convert_to(lower(c.email), 'UTF8')), 'hex')) then 'hardBounce'
              when array_position($4::text[], c.consent) < array_position($4::text[], $5::text) then 'consent'
              when exists (select 1 from segment_members sm where sm.segment_id = $6::text and sm.contact_id = c.id)
                or exists (select 1 from segment_membership m where m.segment_id = $6::text and m.contact_id = c.id) then 'suppression'
            end as blocked,
            (select to_jsonb(x) from (select jc.status, jc.tile_id, jc.reason, jc.tile_entered_at from journey_contacts jc
                                       where jc.journey_id = $2::text and jc.iteration = $3::int and jc.contact_id = c.id) x) as current,
            array(select distinct h.tile_id from journey_history h
                   where h.journey_id = $2::text and h.iteration = $3::int and h.contact_id = c.id and h.outcome = 'sent') as sent_tiles,
            (select jsonb_agg(s) from (select h.tile_id, h.branch, count(*)::int as n from journey_history h
                                        where h.journey_id = $2::text and h.iteration = $3::int and h.branch is not null
                                        group by h.tile_id, h.branch) s) as splitter_counts,
            array(select t.tile_id from account_trigger_hits t where t.journey_id = $2::text and t.iteration = $3::int and t.account_id = c.account_id) as account_hits
       from contacts c
      where c.id = $1::text`,
    params.values,
  );
  if (!row) return null;
  const splitterCounts = new Map<string, number[]>();
  for (const count of row.splitter_counts ?? []) {
    const tally = splitterCounts.get(count.tile_id) ?? [];
    tally[count.branch] = count.n;
    splitterCounts.set(count.tile_id, tally);
  }
  return {
    businessUnitId: row.business_unit_id,
    accountId: row.account_id,
    consent: row.consent,
    suppressed: row.suppressed,
    inAudience: row.in_audience,
    messagesBlocked: row.blocked,
    current: row.current
      ? { status: row.current.status, tileId: row.current.tile_id, reason: row.current.reason, tileEnteredAt: new Date(row.current.tile_entered_at) }
      : null,
    sentTiles: row.sent_tiles,
    splitterCounts,
    accountTriggersFired: new Set(row.account_hits),
  };
}
