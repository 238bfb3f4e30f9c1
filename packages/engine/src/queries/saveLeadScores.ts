import type { Queryable } from '../db/database.ts';

export interface LeadModelScore {
  leadId: string;
  modelId: string;
  modelVersion: number;
  score: number;
  threshold: number;
}

export interface LeadNext {
  leadId: string;
  /** When the score would next change with time alone; null: not by itself. */
  rescoreAt: Date | null;
}

export interface SavedLead {
  id: string;
  contact_id: string | null;
  account_id: string | null;
  score: number;
  changed: boolean;
  became_sales_ready: boolean;
}

/**
 * Writes a batch's scores in one statement: each (lead, model) score, sales-ready once a model's
 * threshold is reached (and never taken back), and on the lead its best score, its status and when
 * to look again. Returns each lead with whether its score or status changed.
 */
export function saveLeadScores(tx: Queryable, scores: LeadModelScore[], leads: LeadNext[], now: Date): Promise<SavedLead[]> {
  if (leads.length === 0) return Promise.resolve([]);
  return tx.query<SavedLead>(
    `with input as (
       select * from unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[]) as u(lead_id, model_id, model_version, score, threshold)
     ), upserted as (
       insert into lead_scores as s (lead_id, model_id, score, model_version, sales_ready_at, computed_at)
       select lead_id, model_id, score, model_version, case when score >= threshold then $8::timestamptz end, $8::timestamptz from input
       on conflict (lead_id, model_id) do update
         set score = excluded.score, model_version = excluded.model_version, computed_at = excluded.computed_at,
             sales_ready_at = coalesce(s.sales_ready_at, excluded.sales_ready_at)
       returning s.lead_id, s.score, s.sales_ready_at
     ), best as (
       select lead_id, max(score) as score, min(sales_ready_at) as sales_ready_at from upserted group by lead_id
     ), next as (
       select * from unnest($6::text[], $7::timestamptz[]) as n(lead_id, rescore_at)
     ), before as (
       select l.id, l.score, l.status, l.sales_ready_at from leads l join next n on n.lead_id = l.id
     )
     update leads l
        set score = coalesce(b.score, 0),
            sales_ready_at = coalesce(l.sales_ready_at, b.sales_ready_at),
            status = case when l.status = 'new' and coalesce(l.sales_ready_at, b.sales_ready_at) is not null then 'salesReady' else l.status end,
            rescore_at = n.rescore_at,
            scored_at = $8::timestamptz
       from next n
       join before o on o.id = n.lead_id
       left join best b on b.lead_id = n.lead_id
      where l.id = n.lead_id
     returning l.id, l.contact_id, l.account_id, l.score,
               (l.score is distinct from o.score or l.status is distinct from o.status) as changed,
               (o.sales_ready_at is null and l.sales_ready_at is not null) as became_sales_ready`,
    [
      scores.map((s) => s.leadId),
      scores.map((s) => s.modelId),
      scores.map((s) => s.modelVersion),
      scores.map((s) => s.score),
      scores.map((s) => s.threshold),
      leads.map((l) => l.leadId),
      leads.map((l) => l.rescoreAt),
      now,
    ],
  );
}
