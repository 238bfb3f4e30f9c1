/**
 * The SQL compiler against the core's reference evaluator, on random data and random queries:
 * for every query, the contacts PostgreSQL selects (with either event strategy) are exactly those
 * `matchesQuery` accepts. The data is made to be awkward: mixed value types under one attribute
 * name, strings that sort differently in UTF-16 and in bytes, SQL metacharacters, missing and null
 * values, future events, events whose properties hold arrays and objects.
 */
import { matchesQuery, type ContactFacts, type EventFact, type SegmentQuery } from '@waymark/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { createTestDatabase, type TestDatabase } from '../testing.ts';
import { compileSegmentQuery, SqlParams, type StoredSegment } from './compileQuery.ts';

const NOW = new Date('2026-05-01T12:00:00.000Z');
const DAY = 86_400_000;

const STRINGS = ['', 'a', 'A', 'ab', 'b', 'é', 'z', '\uFFFF', '😀', '😀x', "' or 1=1 --", '%', '_', '\\', '"quoted"', 'New York', '2026-01-01', '10', '9'];
const NUMBERS = [-1.5, -1, 0, 0.1, 1, 2, 9, 10, 1e21, 123456789.125];
const ATTRIBUTE_NAMES = ['city', 'age', 'vip', 'signup', 'nick'];
const EVENT_TYPES = ['click', 'open', 'buy'];
const LISTS = ['list-1', 'list-2'];
const STATIC_SEGMENTS = ['static-1'];
/** Dynamic segments the random queries may name: their members come from the evaluator. */
const DYNAMIC_SEGMENTS: Record<string, SegmentQuery> = {
  'dyn-city': { attribute: 'city', op: 'startsWith', value: 'a' },
  'dyn-clicks': { event: 'click', within: 'P7D', count: { gte: 2 } },
};
const BUILT_IN = ['email', 'firstName', 'lastName', 'consent', 'createdAt', 'accountId', 'timeZone'];
const CONSENT = ['none', 'consentGiven', 'transactional', 'subscriptions', 'marketing', 'profiling'] as const;

const scalar = fc.oneof(fc.constantFrom(...STRINGS), fc.constantFrom(...NUMBERS), fc.boolean(), fc.constant(null));
const attributes = fc.dictionary(fc.constantFrom(...ATTRIBUTE_NAMES), scalar, { maxKeys: 4 });

interface Account {
  id: string;
  name: string;
  attributes: Record<string, unknown>;
}

interface Contact {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  consent: (typeof CONSENT)[number];
  timeZone: string | null;
  createdAt: Date;
  accountId: string | null;
  attributes: Record<string, unknown>;
  lists: string[];
  staticSegments: string[];
  events: EventFact[];
}

const event = fc.record({
  type: fc.constantFrom(...EVENT_TYPES),
  // From 40 days ago to 2 days ahead: some fall in a window, some out, some are not yet.
  occurredAt: fc.integer({ min: -40 * 24, max: 2 * 24 }).map((hours) => new Date(NOW.getTime() + hours * 3_600_000)),
  properties: fc.dictionary(fc.constantFrom('sku', 'n', 'tags'), fc.oneof(scalar, fc.constant(['A', 'B']), fc.constant({ sku: 'A' })), { maxKeys: 3 }),
});

const dataset = fc
  .record({
    accounts: fc.array(fc.record({ name: fc.constantFrom(...STRINGS), attributes }), { maxLength: 3 }),
    contacts: fc.array(
      fc.record({
        firstName: fc.option(fc.constantFrom(...STRINGS), { nil: null }),
        lastName: fc.option(fc.constantFrom('Smith', 'smith', '😀'), { nil: null }),
        consent: fc.constantFrom(...CONSENT),
        timeZone: fc.option(fc.constantFrom('UTC', 'Europe/Amsterdam'), { nil: null }),
        createdDaysAgo: fc.integer({ min: 0, max: 400 }),
        account: fc.nat(5),
        attributes,
        lists: fc.subarray(LISTS),
        staticSegments: fc.subarray(STATIC_SEGMENTS),
        events: fc.array(event, { maxLength: 5 }),
      }),
      { minLength: 1, maxLength: 25 },
    ),
  })
  .map(({ accounts, contacts }) => {
    const accountRows: Account[] = accounts.map((account, i) => ({ id: `acc-${i}`, ...account }));
    const contactRows: Contact[] = contacts.map((contact, i) => ({
      id: `c-${i}`,
      email: `${String.fromCharCode(97 + (i % 26))}${i}@Example.com`,
      firstName: contact.firstName,
      lastName: contact.lastName,
      consent: contact.consent,
      timeZone: contact.timeZone,
      createdAt: new Date(NOW.getTime() - contact.createdDaysAgo * DAY - i * 1000),
      accountId: contact.account < accountRows.length ? accountRows[contact.account]!.id : null,
      attributes: contact.attributes,
      lists: contact.lists,
      staticSegments: contact.staticSegments,
      events: contact.events,
    }));
    return { accounts: accountRows, contacts: contactRows };
  });
type Dataset = typeof dataset extends fc.Arbitrary<infer T> ? T : never;

const attributeQuery = (names: readonly string[]) =>
  fc.record({
    attribute: fc.constantFrom(...names),
    op: fc.constantFrom('eq', 'neq', 'in', 'notIn', 'contains', 'startsWith', 'gt', 'gte', 'lt', 'lte', 'exists', 'notExists'),
    value: fc.oneof(scalar, fc.array(scalar, { maxLength: 4 })),
  }) as fc.Arbitrary<SegmentQuery>;

const eventQuery = fc
  .record(
    {
      event: fc.constantFrom(...EVENT_TYPES),
      where: fc.dictionary(fc.constantFrom('sku', 'n', 'tags'), scalar, { maxKeys: 2 }),
      count: fc.record({ gte: fc.nat(3), lte: fc.nat(3) }, { requiredKeys: [] }),
      within: fc.constantFrom('PT1H', 'P1D', 'P7D', 'P30D', 'P1Y'),
    },
    { requiredKeys: ['event'] },
  )
  .map((query) => query as SegmentQuery);

const accountQuery: fc.Arbitrary<SegmentQuery> = fc.letrec<{ q: SegmentQuery }>((tie) => ({
  q: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    attributeQuery(['name', 'businessUnitId', ...ATTRIBUTE_NAMES]),
    // Behaviour inside account matches nobody, in both evaluators.
    eventQuery,
    fc.record({ and: fc.array(tie('q'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ or: fc.array(tie('q'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('q') }),
  ),
})).q;

const query: fc.Arbitrary<SegmentQuery> = fc.letrec<{ q: SegmentQuery }>((tie) => ({
  q: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    attributeQuery([...ATTRIBUTE_NAMES, ...BUILT_IN, 'constructor', 'missing']),
    eventQuery,
    fc.constantFrom(...LISTS).map((id) => ({ subscribedTo: id })),
    fc.constantFrom(...STATIC_SEGMENTS, ...Object.keys(DYNAMIC_SEGMENTS), 'no-such-segment').map((id) => ({ inSegment: id })),
    accountQuery.map((inner) => ({ account: inner })),
    fc.record({ and: fc.array(tie('q'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ or: fc.array(tie('q'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('q') }),
  ),
})).q;

/** What the evaluator sees for each contact: the same data, memberships of dynamic segments included. */
function factsOf(data: Dataset): ContactFacts[] {
  const accounts = new Map(data.accounts.map((account) => [account.id, account]));
  const facts = data.contacts.map(
    (contact): ContactFacts => ({
      id: contact.id,
      email: contact.email,
      firstName: contact.firstName,
      lastName: contact.lastName,
      consent: contact.consent,
      timeZone: contact.timeZone,
      accountId: contact.accountId,
      businessUnitId: null,
      ownerUserId: null,
      createdAt: contact.createdAt.toISOString(),
      attributes: stored(contact.attributes),
      account: contact.accountId ? { ...accounts.get(contact.accountId)!, businessUnitId: null, ownerUserId: null, attributes: stored(accounts.get(contact.accountId)!.attributes) } : null,
      lists: new Set(contact.lists),
      segments: new Set(contact.staticSegments),
      events: contact.events.map((e) => ({ ...e, properties: JSON.parse(JSON.stringify(e.properties)) })),
    }),
  );
  for (const f of facts) {
    for (const [id, q] of Object.entries(DYNAMIC_SEGMENTS)) if (matchesQuery(q, f, NOW)) (f.segments as Set<string>).add(id);
  }
  return facts;
}

/** Attributes as the database keeps them: nulls stripped, as the API stores them. */
function stored(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null));
}

async function load(db: Database, data: Dataset): Promise<void> {
  await db.exec('truncate contacts, accounts, segments, subscription_lists, events, segment_members, list_members, segment_membership, segment_dirty_contacts cascade');
  await db.query(`insert into subscription_lists (id, name) select unnest($1::text[]), 'list'`, [LISTS]);
  await db.query(`insert into segments (id, name, kind) select unnest($1::text[]), 'static', 'static'`, [STATIC_SEGMENTS]);
  await db.query(`insert into segments (id, name, kind, query) select k, 'dynamic', 'dynamic', q from unnest($1::text[], $2::jsonb[]) as x(k, q)`, [
    Object.keys(DYNAMIC_SEGMENTS),
    Object.values(DYNAMIC_SEGMENTS).map((q) => JSON.stringify(q)),
  ]);
  await db.query(`insert into accounts (id, name, attributes) select * from unnest($1::text[], $2::text[], $3::jsonb[])`, [
    data.accounts.map((a) => a.id),
    data.accounts.map((a) => a.name),
    data.accounts.map((a) => JSON.stringify(stored(a.attributes))),
  ]);
  const c = data.contacts;
  await db.query(
    `insert into contacts (id, email, first_name, last_name, consent, time_zone, created_at, account_id, attributes)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::jsonb[])`,
    [
      c.map((x) => x.id),
      c.map((x) => x.email),
      c.map((x) => x.firstName),
      c.map((x) => x.lastName),
      c.map((x) => x.consent),
      c.map((x) => x.timeZone),
      c.map((x) => x.createdAt),
      c.map((x) => x.accountId),
      c.map((x) => JSON.stringify(stored(x.attributes))),
    ],
  );
  const pairs = (pick: (x: Contact) => string[]) => c.flatMap((x) => pick(x).map((id) => [id, x.id] as const));
  const lists = pairs((x) => x.lists);
  await db.query('insert into list_members (list_id, contact_id) select * from unnest($1::text[], $2::text[])', [lists.map((p) => p[0]), lists.map((p) => p[1])]);
  const members = pairs((x) => x.staticSegments);
  await db.query('insert into segment_members (segment_id, contact_id) select * from unnest($1::text[], $2::text[])', [members.map((p) => p[0]), members.map((p) => p[1])]);
  const events = c.flatMap((x) => x.events.map((e) => ({ contact: x.id, ...e })));
  await db.query('insert into events (contact_id, type, occurred_at, properties) select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::jsonb[])', [
    events.map((e) => e.contact),
    events.map((e) => e.type),
    events.map((e) => e.occurredAt),
    events.map((e) => JSON.stringify(e.properties)),
  ]);
}

const SEGMENTS: ReadonlyMap<string, StoredSegment> = new Map<string, StoredSegment>([
  ...STATIC_SEGMENTS.map((id): [string, StoredSegment] => [id, { id, kind: 'static', query: null }]),
  ...Object.entries(DYNAMIC_SEGMENTS).map(([id, q]): [string, StoredSegment] => [id, { id, kind: 'dynamic', query: q }]),
]);

async function selected(db: Database, q: SegmentQuery, strategy: 'row' | 'set'): Promise<string[]> {
  const params = new SqlParams();
  const predicate = compileSegmentQuery(q, { params, now: NOW, segments: SEGMENTS, strategy });
  const rows = await db.query<{ id: string }>(`select c.id from contacts c where ${predicate} order by c.id`, params.values);
  return rows.map((row) => row.id);
}

describe('compiled segment queries agree with the reference evaluator', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('on the cases that once disagreed', async () => {
    const data: Dataset = {
      accounts: [],
      contacts: [
        { id: 'c-0', email: 'x@example.com', firstName: '😀', lastName: null, consent: 'none', timeZone: null, createdAt: NOW, accountId: null, attributes: { nick: '\uFFFF' }, lists: [], staticSegments: [], events: [] },
        { id: 'c-1', email: 'y@example.com', firstName: '\uFFFF', lastName: null, consent: 'none', timeZone: null, createdAt: NOW, accountId: null, attributes: { nick: '😀' }, lists: [], staticSegments: [], events: [] },
      ],
    };
    await load(database.db, data);
    const facts = factsOf(data);
    const cases: SegmentQuery[] = [
      // UTF-16 puts U+FFFF after 😀; byte (code point) order, the spec, puts it before.
      { attribute: 'nick', op: 'gt', value: '\uFFFF' },
      { attribute: 'firstName', op: 'lt', value: '😀' },
      // Inherited properties of a JavaScript object are not attributes.
      { attribute: 'constructor', op: 'exists' },
      // Values that decide the outcome alone must not leave an unused parameter behind.
      { attribute: 'nick', op: 'eq', value: [] },
      { attribute: 'nick', op: 'gt', value: null },
      { event: 'click', count: { gte: 0 } },
    ];
    for (const q of cases) {
      const expected = facts.filter((f) => matchesQuery(q, f, NOW)).map((f) => f.id);
      for (const strategy of ['row', 'set'] as const) expect(await selected(database.db, q, strategy), JSON.stringify(q)).toEqual(expected);
    }
    expect(facts.filter((f) => matchesQuery(cases[0]!, f, NOW)).map((f) => f.id)).toEqual(['c-1']);
  });

  it('on random contacts, accounts, events and queries', async () => {
    let queries = 0;
    await fc.assert(
      fc.asyncProperty(dataset, fc.array(query, { minLength: 10, maxLength: 10 }), async (data, qs) => {
        await load(database.db, data);
        const facts = factsOf(data);
        for (const q of qs) {
          const expected = facts
            .filter((f) => matchesQuery(q, f, NOW))
            .map((f) => f.id)
            .sort();
          for (const strategy of ['row', 'set'] as const) {
            expect(await selected(database.db, q, strategy), `${strategy}: ${JSON.stringify(q)}`).toEqual(expected);
          }
          queries += 1;
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 40) },
    );
    expect(queries).toBeGreaterThanOrEqual(400);
  });
});
