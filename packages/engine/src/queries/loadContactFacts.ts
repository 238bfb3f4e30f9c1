import type { ConsentLevel, ContactFacts, EventFact } from '@waymark/core';
import type { Queryable } from '../db/database.ts';

interface FactRow {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  consent: ConsentLevel;
  time_zone: string | null;
  account_id: string | null;
  business_unit_id: string | null;
  owner_user_id: string | null;
  created_at: Date;
  attributes: Record<string, unknown>;
  lead_score: number | null;
  sales_ready: boolean;
  account: { id: string; name: string; business_unit_id: string | null; owner_user_id: string | null; attributes: Record<string, unknown> } | null;
  lists: string[];
  segments: string[];
  events: { type: string; occurred_at: string; properties: Record<string, unknown> }[] | null;
}

/**
 * Everything conditions and triggers look at, for a whole batch of contacts in one statement.
 * Only events of `eventTypes` are loaded: the ones the journey's tiles can ask about.
 */
export async function loadContactFacts(db: Queryable, contactIds: string[], eventTypes: string[]): Promise<Map<string, ContactFacts>> {
  const rows = await db.query<FactRow>(
    // The derived lead fields (leadScore, salesReady) come from the contact's own leads and its
    // account's account-level leads, exactly as the segment compiler reads them; aggregated for the
    // whole batch at once, by index, rather than once per contact.
    `with batch_leads as (
       select x.id, max(x.score) as score, bool_or(x.ready) as sales_ready
         from (select l.contact_id as id, l.score, l.sales_ready_at is not null as ready from leads l where l.contact_id = any($1::text[])
               union all
               select c.id, l.score, l.sales_ready_at is not null from contacts c join leads l on l.account_id = c.account_id and l.contact_id is null
                where c.id = any($1::text[])) x
        group by x.id
     )
     select c.id, c.email, c.first_name, c.last_name, c.consent, c.time_zone, c.account_id, c.business_unit_id,
            c.owner_user_id, c.created_at, c.attributes, bl.score as lead_score, coalesce(bl.sales_ready, false) as sales_ready,
            (select to_jsonb(a) from (select a.id, a.name, a.business_unit_id, a.owner_user_id, a.attributes from accounts a where a.id = c.account_id) a) as account,
            array(select lm.list_id from list_members lm where lm.contact_id = c.id) as lists,
            array(select sm.segment_id from segment_members sm where sm.contact_id = c.id
                  union all select m.segment_id from segment_membership m where m.contact_id = c.id) as segments,
            (select jsonb_agg(jsonb_build_object('type', e.type, 'occurred_at', e.occurred_at, 'properties', e.properties))
               from events e where e.contact_id = c.id and e.type = any($2::text[])) as events
       from contacts c
       left join batch_leads bl on bl.id = c.id
      where c.id = any($1::text[])`,
    [contactIds, eventTypes],
  );
  return new Map(
    rows.map((row) => {
      const events: EventFact[] = (row.events ?? []).map((e) => ({ type: e.type, occurredAt: new Date(e.occurred_at), properties: e.properties }));
      const facts: ContactFacts = {
        id: row.id,
        email: row.email,
        firstName: row.first_name,
        lastName: row.last_name,
        consent: row.consent,
        timeZone: row.time_zone,
        accountId: row.account_id,
        businessUnitId: row.business_unit_id,
        ownerUserId: row.owner_user_id,
        createdAt: row.created_at.toISOString(),
        leadScore: row.lead_score,
        salesReady: row.sales_ready,
        attributes: row.attributes,
        account: row.account
          ? { id: row.account.id, name: row.account.name, businessUnitId: row.account.business_unit_id, ownerUserId: row.account.owner_user_id, attributes: row.account.attributes }
          : null,
        lists: new Set(row.lists),
        segments: new Set(row.segments),
        events,
      };
      return [row.id, facts];
    }),
  );
}
