import { scoreLead, scoringEventTypes, type ContactFacts } from '@waymark/core';
import type { Database } from './db/database.ts';
import { recordEvents, type NewEvent } from './events.ts';
import { claimLeadsToScore } from './queries/claimLeadsToScore.ts';
import { loadContactFacts } from './queries/loadContactFacts.ts';
import { loadScoringModels } from './queries/loadScoringModels.ts';
import { markLeadsOfChangedContacts } from './queries/markLeadsForRescoring.ts';
import { saveLeadScores, type LeadModelScore, type LeadNext } from './queries/saveLeadScores.ts';

/**
 * Contact changes are noticed by their `updated_at`, which is set before the change commits; this
 * overlap makes sure a change that committed just after the previous pass is still seen.
 */
const CHANGE_OVERLAP_MS = 5_000;

/**
 * One lead-scoring pass: scores, under every live scoring model, the leads whose score is due
 * (new leads, new events of their contacts, changed contacts, the next decay step), in one
 * transaction. A lead reaching a model's sales-ready threshold is marked and a `lead_sales_ready`
 * event is recorded for its contacts, so triggers and segments can act on it. Returns how many
 * leads changed score or status.
 */
export async function scoreLeads(db: Database, now: Date, limit = 500): Promise<number> {
  const models = await loadScoringModels(db);
  if (models.length === 0) return 0;
  const eventTypes = [...new Set(models.flatMap((model) => scoringEventTypes(model.definition)))];
  return db.transaction(async (tx) => {
    await markLeadsOfChangedContacts(tx, new Date(now.getTime() - CHANGE_OVERLAP_MS), now);
    const due = await claimLeadsToScore(tx, now, limit);
    if (due.length === 0) return 0;
    const facts = await loadContactFacts(tx, [...new Set(due.flatMap((lead) => lead.contact_ids))], eventTypes);
    const scores: LeadModelScore[] = [];
    const next: LeadNext[] = [];
    for (const lead of due) {
      const contacts = lead.contact_ids.map((id) => facts.get(id)).filter((one): one is ContactFacts => one !== undefined);
      let rescoreAt: number | null = null;
      for (const model of models) {
        const result = scoreLead(model.definition, contacts, now);
        scores.push({ leadId: lead.id, modelId: model.id, modelVersion: model.version, score: result.score, threshold: model.definition.salesReadyThreshold });
        const at = result.nextChangeAt?.getTime();
        if (at !== undefined) rescoreAt = rescoreAt === null ? at : Math.min(rescoreAt, at);
      }
      next.push({ leadId: lead.id, rescoreAt: rescoreAt === null ? null : new Date(rescoreAt) });
    }
    const saved = await saveLeadScores(tx, scores, next, now);
    const contactsOf = new Map(due.map((lead) => [lead.id, lead.contact_ids]));
    const salesReady: NewEvent[] = saved
      .filter((lead) => lead.became_sales_ready)
      .flatMap((lead) =>
        (contactsOf.get(lead.id) ?? []).map((contactId) => ({
          contactId,
          type: 'lead_sales_ready',
          occurredAt: now,
          properties: { leadId: lead.id, score: lead.score, ...(lead.contact_id ? {} : { accountId: lead.account_id }) },
          messageId: `lead_sales_ready:${lead.id}:${contactId}`,
        })),
      );
    await recordEvents(tx, salesReady, now);
    return saved.filter((lead) => lead.changed).length;
  });
}
