/**
 * Lead scoring: how a lead builds up its score until it is ready to forward to sales.
 *
 * A scoring model gives points for behaviour (opens, clicks, form submissions, page visits, any
 * custom event, optionally filtered by `where` and limited to a recent window) and for attribute
 * matches. With `decay.halfLife`, each event's points halve (rounded toward zero) every half-life
 * after it happened, so interest fades unless it is renewed. A lead whose score reaches the
 * model's `salesReadyThreshold` is sales-ready.
 *
 * Pure: the score of a contact at `now`, and the next instant at which that score would change
 * with time alone, so the engine knows when to look again without polling.
 */
import { z } from 'zod';
import { Duration, durationToMillis } from './duration.ts';
import { contactValue, eventMatchesWhere, matchesAttribute } from './evaluate.ts';
import type { ContactFacts } from './facts.ts';
import { AttributeOp, AttributeValue } from './segmentQuery.ts';

const Points = z.number().int().min(-100_000).max(100_000);
const Scalar = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);

export const ScoringEventRule = z
  .object({
    /** e.g. email_opened, email_clicked, form_submitted, page_visited, or a custom event type. */
    event: z.string().trim().min(1).max(100),
    where: z.record(z.string().max(100), Scalar).optional(),
    /** Only events at most this old count. */
    within: Duration.optional(),
    /** Points for each matching event. */
    points: Points,
  })
  .strict();
export type ScoringEventRule = z.infer<typeof ScoringEventRule>;

export const ScoringAttributeRule = z
  .object({
    attribute: z.string().min(1).max(100).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'attribute names are letters, digits and _'),
    op: AttributeOp,
    value: AttributeValue.optional(),
    /** Points once, while the contact matches. */
    points: Points,
  })
  .strict()
  .superRefine((rule, ctx) => {
    const needsValue = rule.op !== 'exists' && rule.op !== 'notExists';
    if (needsValue && rule.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `operator ${rule.op} needs a value` });
    if ((rule.op === 'in' || rule.op === 'notIn') && rule.value !== undefined && !Array.isArray(rule.value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `operator ${rule.op} needs an array value` });
    }
  });
export type ScoringAttributeRule = z.infer<typeof ScoringAttributeRule>;

export const ScoringRule = z.union([ScoringEventRule, ScoringAttributeRule]);
export type ScoringRule = z.infer<typeof ScoringRule>;

/** What a scoring model computes; its name and status live beside it. */
export const ScoringModelDefinition = z
  .object({
    rules: z.array(ScoringRule).min(1).max(100),
    decay: z.object({ halfLife: Duration }).strict().nullable().optional(),
    salesReadyThreshold: z.number().int().min(1).max(100_000_000),
  })
  .strict();
export type ScoringModelDefinition = z.infer<typeof ScoringModelDefinition>;

export interface ContactScore {
  score: number;
  /** When the score would next change with time alone (decay, windows, events dated ahead), or null. */
  nextChangeAt: Date | null;
}

/** Event types a model gives points for: the only events the engine needs to load for it. */
export function scoringEventTypes(model: ScoringModelDefinition): string[] {
  return [...new Set(model.rules.flatMap((rule) => ('event' in rule ? [rule.event] : [])))];
}

/** One contact's score under `model` at `now`. */
export function scoreContact(model: ScoringModelDefinition, facts: ContactFacts, now: Date): ContactScore {
  const at = now.getTime();
  const halfLife = model.decay ? durationToMillis(model.decay.halfLife) : null;
  let score = 0;
  let next = Infinity;
  for (const rule of model.rules) {
    if ('attribute' in rule) {
      if (matchesAttribute(contactValue(facts, rule.attribute), rule.op, rule.value)) score += rule.points;
      continue;
    }
    const within = rule.within ? durationToMillis(rule.within) : null;
    for (const event of facts.events) {
      if (event.type !== rule.event || !eventMatchesWhere(event, rule.where)) continue;
      const happened = event.occurredAt.getTime();
      const age = at - happened;
      // An event dated in the future counts once its time has come, as in segments.
      if (age < 0) {
        next = Math.min(next, happened);
        continue;
      }
      if (within !== null) {
        if (age > within) continue;
        next = Math.min(next, happened + within + 1);
      }
      if (halfLife === null) {
        score += rule.points;
        continue;
      }
      const halvings = Math.floor(age / halfLife);
      const points = Math.trunc(rule.points / 2 ** halvings);
      score += points;
      if (points !== 0) next = Math.min(next, happened + (halvings + 1) * halfLife);
    }
  }
  return { score, nextChangeAt: Number.isFinite(next) ? new Date(next) : null };
}

/** The score of a lead: of its contact, or for an account-level lead the sum over the account's contacts. */
export function scoreLead(model: ScoringModelDefinition, contacts: readonly ContactFacts[], now: Date): ContactScore {
  let score = 0;
  let next: number | null = null;
  for (const facts of contacts) {
    const one = scoreContact(model, facts, now);
    score += one.score;
    if (one.nextChangeAt) next = next === null ? one.nextChangeAt.getTime() : Math.min(next, one.nextChangeAt.getTime());
  }
  return { score, nextChangeAt: next === null ? null : new Date(next) };
}
