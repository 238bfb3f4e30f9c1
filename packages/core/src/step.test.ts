import { describe, it, expect } from 'vitest';
import type { ContactFacts, EventFact } from './facts.ts';
import type { Tile, TriggerTile } from './schema.ts';
import { needsFacts, ruleEventType, step, type StepContext, type StepInput } from './step.ts';

const ZONE = 'America/New_York';
const ENTERED = new Date('2024-03-08T14:00:00Z'); // Friday 09:00 EST
const ctx = (now: Date, overrides: Partial<StepContext> = {}): StepContext => ({ journeyId: 'j1', iteration: 2, timeZone: ZONE, now, ...overrides });
const hoursAfter = (at: Date, hours: number) => new Date(at.getTime() + hours * 3_600_000);

function facts(events: EventFact[] = [], attributes: Record<string, unknown> = {}): ContactFacts {
  return { id: 'c1', email: 'c1@example.com', consent: 'marketing', attributes, lists: new Set(), segments: new Set(), events };
}

function input(overrides: Partial<StepInput> = {}): StepInput {
  return { contactId: 'c1', enteredAt: ENTERED, ...overrides };
}

describe('entry tiles', () => {
  it('segment group and form move on to next at once, with no effects', () => {
    const group: Tile = { id: 'entry', type: 'segmentGroup', combine: 'union', segments: [], next: 'send' };
    const form: Tile = { id: 'entry', type: 'formSubmitted', formId: 'f1', next: null };
    expect(step(group, input(), ctx(ENTERED))).toEqual({ kind: 'move', next: 'send', outcome: 'entered', effects: [] });
    expect(step(form, input(), ctx(ENTERED))).toEqual({ kind: 'move', next: null, outcome: 'entered', effects: [] });
  });
});

describe('email', () => {
  it('asks for the email to be sent and moves on', () => {
    const tile: Tile = { id: 'send', type: 'email', emailId: 'em1', next: 'wait' };
    expect(step(tile, input(), ctx(ENTERED))).toEqual({ kind: 'move', next: 'wait', outcome: 'sent', effects: [{ kind: 'email', emailId: 'em1' }] });
  });

  it('sends nothing without an email (check-for-errors keeps such a journey from going live)', () => {
    const tile: Tile = { id: 'send', type: 'email', emailId: null, next: null };
    expect(step(tile, input(), ctx(ENTERED))).toMatchObject({ kind: 'move', effects: [] });
  });
});

describe('scheduler', () => {
  const tile: Tile = { id: 'wait', type: 'scheduler', wait: { for: 'P7D' }, next: 'after' };
  const release = new Date('2024-03-15T13:00:00Z'); // next Friday 09:00 EDT, after the DST change

  it('waits until the release time', () => {
    expect(step(tile, input(), ctx(hoursAfter(ENTERED, 1)))).toEqual({ kind: 'wait', until: release });
    expect(step(tile, input(), ctx(new Date(release.getTime() - 1)))).toEqual({ kind: 'wait', until: release });
  });

  it('moves on at and after the release time', () => {
    expect(step(tile, input(), ctx(release))).toEqual({ kind: 'move', next: 'after', outcome: 'waited', effects: [] });
    expect(step(tile, input(), ctx(hoursAfter(release, 5)))).toMatchObject({ kind: 'move', next: 'after' });
  });

  it('reads the window in the journey zone', () => {
    const windowed: Tile = { id: 'wait', type: 'scheduler', wait: { for: 'PT10H' }, window: { days: ['mon'], from: '08:00', to: '10:00' }, next: null };
    expect(step(windowed, input(), ctx(ENTERED))).toEqual({ kind: 'wait', until: new Date('2024-03-11T12:00:00Z') });
  });
});

describe('trigger', () => {
  const clicked: TriggerTile = {
    id: 'clicked',
    type: 'trigger',
    rules: [{ tile: 'send', on: 'clicked' }],
    match: 'any',
    timeout: 'P3D',
    basis: 'contact',
    onTrue: 'yes',
    onFalse: 'no',
  };
  const timeoutAt = new Date('2024-03-11T13:00:00Z'); // Monday 09:00 EDT: P3D keeps the local time
  const click = (properties: Record<string, unknown>, occurredAt = hoursAfter(ENTERED, 2)): EventFact => ({
    type: 'email_clicked',
    occurredAt,
    properties: { journeyId: 'j1', tileId: 'send', iteration: 2, url: 'https://example.com/a', ...properties },
  });
  const now = hoursAfter(ENTERED, 3);

  it('waits until the timeout while nothing happened', () => {
    expect(step(clicked, input({ facts: facts() }), ctx(now))).toEqual({ kind: 'wait', until: timeoutAt });
  });

  it('goes to onTrue on a click of the upstream email in this journey and iteration', () => {
    expect(step(clicked, input({ facts: facts([click({})]) }), ctx(now))).toEqual({ kind: 'move', next: 'yes', outcome: 'true', effects: [] });
  });

  it('ignores clicks from another journey, tile or iteration, and other email events', () => {
    const others = [
      click({ journeyId: 'j2' }),
      click({ tileId: 'remind' }),
      click({ iteration: 1 }),
      { ...click({}), type: 'email_opened' },
    ];
    expect(step(clicked, input({ facts: facts(others) }), ctx(now))).toEqual({ kind: 'wait', until: timeoutAt });
  });

  it('counts a click made before the contact reached the trigger', () => {
    const early = click({}, hoursAfter(ENTERED, -24));
    expect(step(clicked, input({ facts: facts([early]) }), ctx(now))).toMatchObject({ next: 'yes' });
  });

  it('reads a missing iteration property as iteration 1', () => {
    const { iteration: _, ...properties } = click({}).properties;
    const event: EventFact = { type: 'email_clicked', occurredAt: now, properties };
    expect(step(clicked, input({ facts: facts([event]) }), ctx(now, { iteration: 1 }))).toMatchObject({ next: 'yes' });
    expect(step(clicked, input({ facts: facts([event]) }), ctx(now, { iteration: 2 }))).toMatchObject({ kind: 'wait' });
  });

  it('goes to onFalse once the timeout has passed', () => {
    expect(step(clicked, input({ facts: facts() }), ctx(timeoutAt))).toEqual({ kind: 'move', next: 'no', outcome: 'false', effects: [] });
    expect(step(clicked, input({ facts: facts() }), ctx(new Date(timeoutAt.getTime() - 1)))).toMatchObject({ kind: 'wait' });
  });

  it('prefers true over false when the event is there at timeout', () => {
    expect(step(clicked, input({ facts: facts([click({})]) }), ctx(hoursAfter(timeoutAt, 1)))).toMatchObject({ next: 'yes' });
  });

  it('a link-specific rule needs that link', () => {
    const linkRule: TriggerTile = { ...clicked, rules: [{ tile: 'send', on: 'clicked', link: 'https://example.com/pricing' }] };
    expect(step(linkRule, input({ facts: facts([click({})]) }), ctx(now))).toMatchObject({ kind: 'wait' });
    expect(step(linkRule, input({ facts: facts([click({ url: 'https://example.com/pricing' })]) }), ctx(now))).toMatchObject({ next: 'yes' });
  });

  it('a custom event with where counts only matching events at or after the contact reached the trigger', () => {
    const custom: TriggerTile = { ...clicked, rules: [{ event: 'page_viewed', where: { path: '/pricing' } }] };
    const view = (path: string, occurredAt: Date): EventFact => ({ type: 'page_viewed', occurredAt, properties: { path } });
    const before = view('/pricing', new Date(ENTERED.getTime() - 1));
    const otherPage = view('/blog', hoursAfter(ENTERED, 1));
    expect(step(custom, input({ facts: facts([before, otherPage]) }), ctx(now))).toMatchObject({ kind: 'wait' });
    expect(step(custom, input({ facts: facts([before, view('/pricing', ENTERED)]) }), ctx(now))).toMatchObject({ next: 'yes' });
  });

  it('a form rule needs a submission of that form after the contact arrived', () => {
    const form: TriggerTile = { ...clicked, rules: [{ formId: 'f1', on: 'submitted' }] };
    const submitted = (formId: string, occurredAt: Date): EventFact => ({ type: 'form_submitted', occurredAt, properties: { formId } });
    expect(step(form, input({ facts: facts([submitted('f1', hoursAfter(ENTERED, -1)), submitted('f2', now)]) }), ctx(now))).toMatchObject({ kind: 'wait' });
    expect(step(form, input({ facts: facts([submitted('f1', now)]) }), ctx(now))).toMatchObject({ next: 'yes' });
  });

  it('a page rule needs a visit to that page after the contact arrived', () => {
    const page: TriggerTile = { ...clicked, rules: [{ pageId: 'p1', on: 'visited' }] };
    const visited = (pageId: string, occurredAt: Date): EventFact => ({ type: 'page_visited', occurredAt, properties: { pageId } });
    expect(step(page, input({ facts: facts([visited('p1', hoursAfter(ENTERED, -1)), visited('p2', now)]) }), ctx(now))).toMatchObject({ kind: 'wait' });
    // A form submission on that page is not a visit.
    expect(step(page, input({ facts: facts([{ type: 'form_submitted', occurredAt: now, properties: { pageId: 'p1', formId: 'p1' } }]) }), ctx(now))).toMatchObject({ kind: 'wait' });
    expect(step(page, input({ facts: facts([visited('p1', ENTERED)]) }), ctx(now))).toMatchObject({ next: 'yes' });
  });

  it('names the event type each rule waits for', () => {
    expect(ruleEventType({ tile: 'send', on: 'bounced' })).toBe('email_bounced');
    expect(ruleEventType({ formId: 'f1', on: 'submitted' })).toBe('form_submitted');
    expect(ruleEventType({ pageId: 'p1', on: 'visited' })).toBe('page_visited');
    expect(ruleEventType({ event: 'lead_sales_ready' })).toBe('lead_sales_ready');
  });

  it('match all needs every rule, match any one of them', () => {
    const rules: TriggerTile['rules'] = [{ tile: 'send', on: 'clicked' }, { event: 'demo_booked' }];
    const oneOfTwo = facts([click({})]);
    expect(step({ ...clicked, rules, match: 'all' }, input({ facts: oneOfTwo }), ctx(now))).toMatchObject({ kind: 'wait' });
    expect(step({ ...clicked, rules, match: 'any' }, input({ facts: oneOfTwo }), ctx(now))).toMatchObject({ next: 'yes' });
    const both = facts([click({}), { type: 'demo_booked', occurredAt: now, properties: {} }]);
    expect(step({ ...clicked, rules, match: 'all' }, input({ facts: both }), ctx(now))).toMatchObject({ next: 'yes' });
  });

  it('a trigger without rules never holds', () => {
    expect(step({ ...clicked, rules: [], match: 'all' }, input({ facts: facts([click({})]) }), ctx(timeoutAt))).toMatchObject({ next: 'no' });
  });
});

describe('splitter', () => {
  it('percentage mode records the branch it chose and goes to its next', () => {
    const tile: Tile = { id: 'split', type: 'splitter', mode: 'percentage', branches: [{ share: 50, next: 'a' }, { share: 50, next: 'b' }] };
    const seen = new Set<string | null>();
    for (let n = 0; n < 50; n += 1) {
      const result = step(tile, input({ contactId: `c${n}` }), ctx(ENTERED));
      if (result.kind !== 'move') throw new Error('splitter must move');
      expect(result.next).toBe(result.branch === 0 ? 'a' : 'b');
      expect(result.outcome).toBe(`branch ${result.branch! + 1}`);
      // Deterministic: the same contact again, later, takes the same branch.
      expect(step(tile, input({ contactId: `c${n}` }), ctx(hoursAfter(ENTERED, 5)))).toEqual(result);
      seen.add(result.next);
    }
    expect(seen).toEqual(new Set(['a', 'b']));
  });

  it('count mode fills branches in order from the assigned counts', () => {
    const tile: Tile = { id: 'split', type: 'splitter', mode: 'count', branches: [{ share: 2, next: 'a' }, { share: 1, next: 'b' }, { share: 0, next: 'c' }] };
    expect(step(tile, input({ splitterAssigned: [1, 0, 0] }), ctx(ENTERED))).toEqual({ kind: 'move', next: 'a', outcome: 'branch 1', branch: 0, effects: [] });
    expect(step(tile, input({ splitterAssigned: [2, 0, 0] }), ctx(ENTERED))).toMatchObject({ next: 'b', branch: 1 });
    expect(step(tile, input({ splitterAssigned: [2, 1, 7] }), ctx(ENTERED))).toMatchObject({ next: 'c', branch: 2 });
  });
});

describe('condition', () => {
  const tile: Tile = { id: 'vip', type: 'condition', query: { attribute: 'tier', op: 'eq', value: 'gold' }, onTrue: 'yes', onFalse: 'no' };

  it('branches at once on the contact', () => {
    expect(step(tile, input({ facts: facts([], { tier: 'gold' }) }), ctx(ENTERED))).toEqual({ kind: 'move', next: 'yes', outcome: 'true', effects: [] });
    expect(step(tile, input({ facts: facts([], { tier: 'silver' }) }), ctx(ENTERED))).toEqual({ kind: 'move', next: 'no', outcome: 'false', effects: [] });
  });

  it('takes the false path when the facts were not loaded', () => {
    expect(step(tile, input(), ctx(ENTERED))).toMatchObject({ next: 'no' });
  });

  it('evaluates event windows against ctx.now', () => {
    const recent: Tile = { ...tile, query: { event: 'purchase', within: 'P1D' } };
    const bought = facts([{ type: 'purchase', occurredAt: ENTERED, properties: {} }]);
    expect(step(recent, input({ facts: bought }), ctx(hoursAfter(ENTERED, 12)))).toMatchObject({ next: 'yes' });
    expect(step(recent, input({ facts: bought }), ctx(hoursAfter(ENTERED, 36)))).toMatchObject({ next: 'no' });
  });
});

describe('activity', () => {
  it('creates the activity due dueIn after now, in local days', () => {
    const tile: Tile = { id: 'call', type: 'activity', activityType: 'phoneCall', subject: 'Call', dueIn: 'P3D', assignTo: 'contactOwner', perAccount: true, next: 'lead' };
    // Now is Friday 09:00 EST; three local days later is Monday 09:00 EDT.
    expect(step(tile, input(), ctx(ENTERED))).toEqual({
      kind: 'move',
      next: 'lead',
      outcome: 'created',
      effects: [{ kind: 'activity', activityType: 'phoneCall', subject: 'Call', dueAt: new Date('2024-03-11T13:00:00Z'), assignTo: 'contactOwner', perAccount: true }],
    });
  });

  it('counts dueIn from now, not from when the contact arrived', () => {
    const tile: Tile = { id: 'task', type: 'activity', activityType: 'task', subject: 'Follow up', dueIn: 'PT2H', assignTo: 'journeyOwner', perAccount: false, next: null };
    const result = step(tile, input({ enteredAt: hoursAfter(ENTERED, -48) }), ctx(ENTERED));
    expect(result).toMatchObject({ effects: [{ dueAt: hoursAfter(ENTERED, 2) }] });
  });

  it('has no due date without dueIn', () => {
    const tile: Tile = { id: 'task', type: 'activity', activityType: 'task', subject: 'Follow up', assignTo: 'journeyOwner', perAccount: false, next: null };
    expect(step(tile, input(), ctx(ENTERED))).toMatchObject({ effects: [{ kind: 'activity', dueAt: null }] });
  });
});

describe('createLead', () => {
  it('creates a lead with its topic, or null', () => {
    const withTopic: Tile = { id: 'lead', type: 'createLead', topic: 'Pricing', perAccount: true, next: 'end' };
    expect(step(withTopic, input(), ctx(ENTERED))).toEqual({ kind: 'move', next: 'end', outcome: 'created', effects: [{ kind: 'lead', topic: 'Pricing', perAccount: true }] });
    const without: Tile = { id: 'lead', type: 'createLead', perAccount: false, next: null };
    expect(step(without, input(), ctx(ENTERED))).toMatchObject({ effects: [{ kind: 'lead', topic: null, perAccount: false }] });
  });
});

describe('launchWorkflow', () => {
  it('asks for the workflow call and moves on', () => {
    const tile: Tile = { id: 'crm', type: 'launchWorkflow', workflowId: 'wf1', perAccount: false, next: 'after' };
    expect(step(tile, input(), ctx(ENTERED))).toEqual({ kind: 'move', next: 'after', outcome: 'launched', effects: [{ kind: 'workflow', workflowId: 'wf1', perAccount: false }] });
  });

  it('calls nothing without a workflow', () => {
    const tile: Tile = { id: 'crm', type: 'launchWorkflow', workflowId: null, perAccount: false, next: null };
    expect(step(tile, input(), ctx(ENTERED))).toMatchObject({ effects: [] });
  });
});

describe('needsFacts', () => {
  it('is true only for the tiles that look at the contact', () => {
    const condition: Tile = { id: 'c', type: 'condition', query: { inSegment: 's' }, onTrue: null, onFalse: null };
    const trigger: Tile = { id: 't', type: 'trigger', rules: [], match: 'any', timeout: 'P1D', basis: 'contact', onTrue: null, onFalse: null };
    const email: Tile = { id: 'e', type: 'email', emailId: 'em1', next: null };
    expect([condition, trigger, email].map(needsFacts)).toEqual([true, true, false]);
  });
});
