import { describe, expect, it } from 'vitest';
import type { ContactFacts, EventFact } from './facts.ts';
import { ScoringModelDefinition, scoreContact, scoreLead, scoringEventTypes } from './scoring.ts';

const NOW = new Date('2026-03-02T12:00:00Z');
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);
const event = (type: string, occurredAt: Date, properties: Record<string, unknown> = {}): EventFact => ({ type, occurredAt, properties });

function facts(events: EventFact[] = [], overrides: Partial<ContactFacts> = {}): ContactFacts {
  return { id: 'c1', email: 'c1@example.com', consent: 'marketing', attributes: { jobTitle: 'CTO' }, lists: new Set(), segments: new Set(), events, ...overrides };
}

const model = ScoringModelDefinition.parse({
  rules: [
    { event: 'email_opened', points: 5 },
    { event: 'email_clicked', points: 10 },
    { event: 'form_submitted', where: { formId: 'demo' }, points: 30 },
    { event: 'page_visited', where: { pageId: 'pricing' }, within: 'P7D', points: 15 },
    { attribute: 'jobTitle', op: 'in', value: ['CTO', 'CEO'], points: 20 },
  ],
  salesReadyThreshold: 100,
});

describe('lead scoring', () => {
  it('adds points per matching event and once per matching attribute', () => {
    const score = scoreContact(model, facts([event('email_opened', daysAgo(1)), event('email_opened', daysAgo(2)), event('email_clicked', daysAgo(1)), event('form_submitted', daysAgo(1), { formId: 'other' })]), NOW);
    expect(score).toEqual({ score: 5 + 5 + 10 + 20, nextChangeAt: null });
    expect(scoreContact(model, facts([], { attributes: { jobTitle: 'Intern' } }), NOW).score).toBe(0);
  });

  it('counts a windowed rule only for recent events and says when the oldest one drops out', () => {
    const visit = event('page_visited', daysAgo(6), { pageId: 'pricing' });
    const result = scoreContact(model, facts([visit, event('page_visited', daysAgo(8), { pageId: 'pricing' })]), NOW);
    expect(result.score).toBe(15 + 20);
    expect(result.nextChangeAt).toEqual(new Date(visit.occurredAt.getTime() + 7 * DAY + 1));
    expect(scoreContact(model, facts([visit]), result.nextChangeAt!).score).toBe(20);
  });

  it('halves each event every half-life, rounding toward zero, and names the next halving', () => {
    const decaying = ScoringModelDefinition.parse({ rules: [{ event: 'email_clicked', points: 10 }, { event: 'unsubscribed', points: -7 }], decay: { halfLife: 'P30D' }, salesReadyThreshold: 50 });
    const clicked = event('email_clicked', daysAgo(45));
    expect(scoreContact(decaying, facts([clicked]), NOW)).toEqual({ score: 5, nextChangeAt: new Date(clicked.occurredAt.getTime() + 60 * DAY) });
    expect(scoreContact(decaying, facts([clicked]), new Date(NOW.getTime() + 15 * DAY)).score).toBe(2);
    expect(scoreContact(decaying, facts([clicked]), new Date(NOW.getTime() + 135 * DAY))).toEqual({ score: 0, nextChangeAt: null });
    expect(scoreContact(decaying, facts([event('unsubscribed', daysAgo(31))]), NOW).score).toBe(-3);
  });

  it('counts an event dated ahead only from its time on', () => {
    const ahead = event('email_opened', new Date(NOW.getTime() + 3_600_000));
    expect(scoreContact(model, facts([ahead], { attributes: {} }), NOW)).toEqual({ score: 0, nextChangeAt: ahead.occurredAt });
    expect(scoreContact(model, facts([ahead], { attributes: {} }), ahead.occurredAt).score).toBe(5);
  });

  it('scores an account-level lead as the sum over its contacts, with the earliest change', () => {
    const a = facts([event('email_clicked', daysAgo(1))]);
    const b = facts([event('page_visited', daysAgo(3), { pageId: 'pricing' })], { id: 'c2', attributes: {} });
    expect(scoreLead(model, [a, b], NOW)).toEqual({ score: 10 + 20 + 15, nextChangeAt: new Date(daysAgo(3).getTime() + 7 * DAY + 1) });
    expect(scoreLead(model, [], NOW)).toEqual({ score: 0, nextChangeAt: null });
  });

  it('lists the event types a model needs and refuses malformed models', () => {
    expect(scoringEventTypes(model).sort()).toEqual(['email_clicked', 'email_opened', 'form_submitted', 'page_visited']);
    expect(ScoringModelDefinition.safeParse({ rules: [], salesReadyThreshold: 10 }).success).toBe(false);
    expect(ScoringModelDefinition.safeParse({ rules: [{ event: 'x', points: 1.5 }], salesReadyThreshold: 10 }).success).toBe(false);
    expect(ScoringModelDefinition.safeParse({ rules: [{ attribute: 'city', op: 'eq', points: 1 }], salesReadyThreshold: 10 }).success).toBe(false);
    expect(ScoringModelDefinition.safeParse({ rules: [{ event: 'x', points: 1 }], decay: { halfLife: 'P0D' }, salesReadyThreshold: 10 }).success).toBe(false);
  });
});
