import { describe, it, expect } from 'vitest';
import { compareCodePoints, eventMatchesWhere, matchesAttribute, matchesQuery } from './evaluate.ts';
import type { ContactFacts, EventFact } from './facts.ts';
import type { SegmentQuery } from './segmentQuery.ts';

const NOW = new Date('2024-06-15T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

function contact(overrides: Partial<ContactFacts> = {}): ContactFacts {
  return {
    id: 'c1',
    email: 'ada@example.com',
    firstName: 'Ada',
    lastName: null,
    consent: 'marketing',
    attributes: { city: 'Berlin', age: 36, vip: true, empty: null },
    account: { id: 'a1', name: 'Analytical Engines', ownerUserId: 'u1', attributes: { industry: 'software', seats: 120 } },
    lists: new Set(['list-news']),
    segments: new Set(['seg-buyers']),
    events: [],
    ...overrides,
  };
}

const matches = (query: SegmentQuery, facts = contact()) => matchesQuery(query, facts, NOW);

describe('attribute operators', () => {
  it('eq / neq compare values of the same type only', () => {
    expect(matches({ attribute: 'city', op: 'eq', value: 'Berlin' })).toBe(true);
    expect(matches({ attribute: 'city', op: 'eq', value: 'Paris' })).toBe(false);
    expect(matches({ attribute: 'age', op: 'eq', value: '36' })).toBe(false);
    expect(matches({ attribute: 'city', op: 'neq', value: 'Paris' })).toBe(true);
    expect(matches({ attribute: 'city', op: 'neq', value: 'Berlin' })).toBe(false);
  });

  it('in / notIn look for the value in a list', () => {
    expect(matches({ attribute: 'city', op: 'in', value: ['Paris', 'Berlin'] })).toBe(true);
    expect(matches({ attribute: 'city', op: 'in', value: ['Paris', 'Rome'] })).toBe(false);
    expect(matches({ attribute: 'city', op: 'notIn', value: ['Paris', 'Rome'] })).toBe(true);
    expect(matches({ attribute: 'city', op: 'notIn', value: ['Paris', 'Berlin'] })).toBe(false);
  });

  it('contains / startsWith work on strings only', () => {
    expect(matches({ attribute: 'email', op: 'contains', value: '@example' })).toBe(true);
    expect(matches({ attribute: 'email', op: 'contains', value: '@other' })).toBe(false);
    expect(matches({ attribute: 'email', op: 'startsWith', value: 'ada' })).toBe(true);
    expect(matches({ attribute: 'email', op: 'startsWith', value: 'example' })).toBe(false);
    expect(matches({ attribute: 'age', op: 'contains', value: '3' })).toBe(false);
  });

  it('gt / gte / lt / lte order numbers and strings, and refuse mixed types', () => {
    expect(matches({ attribute: 'age', op: 'gt', value: 35 })).toBe(true);
    expect(matches({ attribute: 'age', op: 'gt', value: 36 })).toBe(false);
    expect(matches({ attribute: 'age', op: 'gte', value: 36 })).toBe(true);
    expect(matches({ attribute: 'age', op: 'gte', value: 37 })).toBe(false);
    expect(matches({ attribute: 'age', op: 'lt', value: 37 })).toBe(true);
    expect(matches({ attribute: 'age', op: 'lt', value: 36 })).toBe(false);
    expect(matches({ attribute: 'age', op: 'lte', value: 36 })).toBe(true);
    expect(matches({ attribute: 'age', op: 'lte', value: 35 })).toBe(false);
    expect(matches({ attribute: 'city', op: 'gt', value: 'Amsterdam' })).toBe(true);
    // '36' > 4 would be true as numbers and false as strings: mixed types match nothing.
    expect(matches({ attribute: 'age', op: 'gt', value: '4' })).toBe(false);
    expect(matches({ attribute: 'age', op: 'lt', value: '4' })).toBe(false);
  });

  it('exists / notExists treat null like absent', () => {
    expect(matches({ attribute: 'city', op: 'exists' })).toBe(true);
    expect(matches({ attribute: 'nothing', op: 'exists' })).toBe(false);
    expect(matches({ attribute: 'empty', op: 'exists' })).toBe(false);
    expect(matches({ attribute: 'nothing', op: 'notExists' })).toBe(true);
    expect(matches({ attribute: 'empty', op: 'notExists' })).toBe(true);
    expect(matches({ attribute: 'city', op: 'notExists' })).toBe(false);
  });

  it('reads contact columns before custom attributes', () => {
    const facts = contact({ attributes: { firstName: 'Shadow' } });
    expect(matches({ attribute: 'firstName', op: 'eq', value: 'Ada' }, facts)).toBe(true);
    expect(matches({ attribute: 'lastName', op: 'exists' }, facts)).toBe(false);
    expect(matches({ attribute: 'consent', op: 'eq', value: 'marketing' }, facts)).toBe(true);
  });

  describe('missing values', () => {
    // A contact with no value at all: only the negative operators match it.
    const missing = (op: Parameters<typeof matchesAttribute>[1], value?: Parameters<typeof matchesAttribute>[2]) =>
      [matchesAttribute(undefined, op, value), matchesAttribute(null, op, value)];

    it('neq and notIn include contacts with no value ("city is not New York" includes people with no city)', () => {
      expect(missing('neq', 'New York')).toEqual([true, true]);
      expect(missing('notIn', ['New York'])).toEqual([true, true]);
    });

    it('every other comparison excludes them', () => {
      expect(missing('eq', 'New York')).toEqual([false, false]);
      expect(missing('in', ['New York'])).toEqual([false, false]);
      expect(missing('contains', 'York')).toEqual([false, false]);
      expect(missing('startsWith', 'New')).toEqual([false, false]);
      expect(missing('gt', 1)).toEqual([false, false]);
      expect(missing('gte', 1)).toEqual([false, false]);
      expect(missing('lt', 1)).toEqual([false, false]);
      expect(missing('lte', 1)).toEqual([false, false]);
      // eq null is not a way to ask "missing": that is notExists.
      expect(missing('eq', null)).toEqual([false, false]);
    });
  });
});

describe('and / or / not', () => {
  const berlin: SegmentQuery = { attribute: 'city', op: 'eq', value: 'Berlin' };
  const paris: SegmentQuery = { attribute: 'city', op: 'eq', value: 'Paris' };

  it('combines parts', () => {
    expect(matches({ and: [berlin, { attribute: 'vip', op: 'eq', value: true }] })).toBe(true);
    expect(matches({ and: [berlin, paris] })).toBe(false);
    expect(matches({ or: [paris, berlin] })).toBe(true);
    expect(matches({ or: [paris, paris] })).toBe(false);
    expect(matches({ not: paris })).toBe(true);
    expect(matches({ not: berlin })).toBe(false);
  });
});

describe('events', () => {
  const events: EventFact[] = [
    { type: 'page_viewed', occurredAt: daysAgo(1), properties: { path: '/pricing' } },
    { type: 'page_viewed', occurredAt: daysAgo(3), properties: { path: '/pricing' } },
    { type: 'page_viewed', occurredAt: daysAgo(20), properties: { path: '/pricing' } },
    { type: 'page_viewed', occurredAt: daysAgo(2), properties: { path: '/blog' } },
    { type: 'purchase', occurredAt: daysAgo(40), properties: { amount: 100 } },
    // Recorded with a future timestamp (clock skew, replay): not yet part of the contact's past.
    { type: 'webinar_joined', occurredAt: new Date(NOW.getTime() + 60_000), properties: {} },
  ];
  const facts = contact({ events });

  it('matches at least one event of the type by default', () => {
    expect(matches({ event: 'purchase' }, facts)).toBe(true);
    expect(matches({ event: 'refund' }, facts)).toBe(false);
  });

  it('filters by where on properties', () => {
    expect(matches({ event: 'page_viewed', where: { path: '/blog' } }, facts)).toBe(true);
    expect(matches({ event: 'page_viewed', where: { path: '/careers' } }, facts)).toBe(false);
    expect(matches({ event: 'purchase', where: { amount: '100' } }, facts)).toBe(false);
  });

  it('counts with gte and lte', () => {
    expect(matches({ event: 'page_viewed', where: { path: '/pricing' }, count: { gte: 3 } }, facts)).toBe(true);
    expect(matches({ event: 'page_viewed', where: { path: '/pricing' }, count: { gte: 4 } }, facts)).toBe(false);
    expect(matches({ event: 'page_viewed', count: { gte: 2, lte: 4 } }, facts)).toBe(true);
    expect(matches({ event: 'page_viewed', count: { lte: 3 } }, facts)).toBe(false);
    // "never did it": lte 0 matches a contact with no such event.
    expect(matches({ event: 'refund', count: { lte: 0 } }, facts)).toBe(true);
    expect(matches({ event: 'purchase', count: { lte: 0 } }, facts)).toBe(false);
  });

  it('counts only events within the period before now', () => {
    expect(matches({ event: 'page_viewed', where: { path: '/pricing' }, within: 'P7D', count: { gte: 2 } }, facts)).toBe(true);
    expect(matches({ event: 'page_viewed', where: { path: '/pricing' }, within: 'P7D', count: { gte: 3 } }, facts)).toBe(false);
    expect(matches({ event: 'purchase', within: 'P30D' }, facts)).toBe(false);
    expect(matches({ event: 'purchase', within: 'P60D' }, facts)).toBe(true);
  });

  it('ignores events after now', () => {
    expect(matches({ event: 'webinar_joined' }, facts)).toBe(false);
    expect(matchesQuery({ event: 'webinar_joined' }, facts, new Date(NOW.getTime() + 120_000))).toBe(true);
  });

  it('eventMatchesWhere needs every pair, and no where matches all', () => {
    const event: EventFact = { type: 'x', occurredAt: NOW, properties: { a: 1, b: 'two' } };
    expect(eventMatchesWhere(event, undefined)).toBe(true);
    expect(eventMatchesWhere(event, { a: 1, b: 'two' })).toBe(true);
    expect(eventMatchesWhere(event, { a: 1, b: 'three' })).toBe(false);
    expect(eventMatchesWhere(event, { c: 1 })).toBe(false);
  });
});

describe('account', () => {
  it('matches the account columns and attributes', () => {
    expect(matches({ account: { attribute: 'name', op: 'startsWith', value: 'Analytical' } })).toBe(true);
    expect(matches({ account: { attribute: 'seats', op: 'gte', value: 100 } })).toBe(true);
    expect(matches({ account: { and: [{ attribute: 'industry', op: 'eq', value: 'software' }, { not: { attribute: 'seats', op: 'lt', value: 50 } }] } })).toBe(true);
    expect(matches({ account: { or: [{ attribute: 'industry', op: 'eq', value: 'retail' }, { attribute: 'ownerUserId', op: 'eq', value: 'u2' }] } })).toBe(false);
  });

  it('does not read the contact inside account, nor the account outside it', () => {
    // city is the contact's; seats is the account's.
    expect(matches({ account: { attribute: 'city', op: 'eq', value: 'Berlin' } })).toBe(false);
    expect(matches({ attribute: 'seats', op: 'eq', value: 120 })).toBe(false);
  });

  it('matches nobody without an account, even with a negative operator', () => {
    const facts = contact({ account: null });
    expect(matches({ account: { attribute: 'industry', op: 'neq', value: 'retail' } }, facts)).toBe(false);
    expect(matches({ account: { attribute: 'industry', op: 'notExists' } }, facts)).toBe(false);
    expect(matches({ not: { account: { attribute: 'industry', op: 'eq', value: 'retail' } } }, facts)).toBe(true);
  });

  it('behaviour, segments and lists inside account match nobody', () => {
    const facts = contact({ events: [{ type: 'purchase', occurredAt: daysAgo(1), properties: {} }] });
    expect(matches({ event: 'purchase' }, facts)).toBe(true);
    expect(matches({ account: { event: 'purchase' } }, facts)).toBe(false);
    expect(matches({ account: { inSegment: 'seg-buyers' } }, facts)).toBe(false);
    expect(matches({ account: { subscribedTo: 'list-news' } }, facts)).toBe(false);
  });
});

describe('inSegment and subscribedTo', () => {
  it('look at the contact segments and lists', () => {
    expect(matches({ inSegment: 'seg-buyers' })).toBe(true);
    expect(matches({ inSegment: 'seg-churned' })).toBe(false);
    expect(matches({ subscribedTo: 'list-news' })).toBe(true);
    expect(matches({ subscribedTo: 'list-offers' })).toBe(false);
    // A segment id is not a list id.
    expect(matches({ subscribedTo: 'seg-buyers' })).toBe(false);
    expect(matches({ inSegment: 'list-news' })).toBe(false);
  });
});

describe('derived lead fields', () => {
  it('leadScore compares as a number and is absent without a lead', () => {
    expect(matches({ attribute: 'leadScore', op: 'gte', value: 50 }, contact({ leadScore: 60 }))).toBe(true);
    expect(matches({ attribute: 'leadScore', op: 'gte', value: 50 }, contact({ leadScore: 40 }))).toBe(false);
    expect(matches({ attribute: 'leadScore', op: 'exists' }, contact())).toBe(false);
    expect(matches({ attribute: 'leadScore', op: 'notExists' }, contact({ leadScore: null }))).toBe(true);
  });

  it('salesReady is false unless a lead is sales-ready', () => {
    expect(matches({ attribute: 'salesReady', op: 'eq', value: true }, contact({ salesReady: true }))).toBe(true);
    expect(matches({ attribute: 'salesReady', op: 'eq', value: true }, contact())).toBe(false);
    expect(matches({ attribute: 'salesReady', op: 'eq', value: false }, contact())).toBe(true);
  });

  it('a custom attribute cannot shadow a derived field', () => {
    expect(matches({ attribute: 'leadScore', op: 'eq', value: 99 }, contact({ attributes: { leadScore: 99 } }))).toBe(false);
  });
});

describe('string order and own attributes', () => {
  it('orders strings by code point (UTF-8 byte order), as PostgreSQL\'s "C" collation does', () => {
    expect(compareCodePoints('\uFFFF', '😀')).toBe(-1);
    expect(compareCodePoints('😀', '\uFFFF')).toBe(1);
    expect(compareCodePoints('a', 'b')).toBe(-1);
    expect(compareCodePoints('ab', 'a')).toBe(1);
    expect(compareCodePoints('😀', '😀')).toBe(0);
    expect(compareCodePoints('Z', 'a')).toBe(-1);
    const sorted = ['😀', '\uFFFF', 'é', 'z', 'A', '\uE000'].sort(compareCodePoints);
    expect(sorted).toEqual(['A', 'z', 'é', '\uE000', '\uFFFF', '😀']);
    expect(matches({ attribute: 'nick', op: 'gt', value: '\uFFFF' }, contact({ attributes: { nick: '😀' } }))).toBe(true);
  });

  it('reads only own attributes and event properties, never inherited ones', () => {
    expect(matches({ attribute: 'constructor', op: 'exists' })).toBe(false);
    expect(matches({ attribute: 'toString', op: 'notExists' })).toBe(true);
    const event: EventFact = { type: 'buy', occurredAt: daysAgo(1), properties: {} };
    expect(eventMatchesWhere(event, { constructor: null })).toBe(false);
  });
});
