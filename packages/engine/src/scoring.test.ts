import { matchesQuery, type SegmentQuery } from '@waymark/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvents } from './events.ts';
import { loadContactFacts } from './queries/loadContactFacts.ts';
import { scoreLeads } from './scoring.ts';
import { compileSegmentQuery, SqlParams } from './segments/compileQuery.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

const NOW = new Date('2026-03-02T12:00:00Z');
const DAY = 86_400_000;

describe('lead scoring against the database', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    const { db } = database;
    await db.query(`insert into accounts (id, name) values ('acme', 'Acme'), ('solo', 'Solo')`);
    await db.query(
      `insert into contacts (id, email, account_id, attributes) values
         ('ann', 'ann@example.com', 'acme', '{"role": "cto"}'), ('amy', 'amy@example.com', 'acme', '{}'), ('sam', 'sam@example.com', 'solo', '{}')`,
    );
    await db.query(
      `insert into scoring_models (id, name, status, definition) values ('m', 'Model', 'live', $1)`,
      [JSON.stringify({ rules: [{ event: 'email_clicked', points: 20 }, { attribute: 'role', op: 'eq', value: 'cto', points: 30 }], decay: { halfLife: 'P10D' }, salesReadyThreshold: 60 })],
    );
    // A lead for Ann herself, and one for Acme as a whole; Sam has none.
    await db.query(
      `insert into leads (id, idempotency_key, journey_id, iteration, tile_id, contact_id, account_id, created_at, rescore_at) values
         ('l-ann', 'k1', 'j', 1, 'lead', 'ann', 'acme', $1, $1), ('l-acme', 'k2', 'j', 1, 'lead', null, 'acme', $1, $1)`,
      [NOW],
    );
  });

  afterAll(() => database.drop());

  const lead = async (id: string) =>
    (await database.db.query<{ score: number; status: string; sales_ready_at: Date | null; rescore_at: Date | null }>('select score, status, sales_ready_at, rescore_at from leads where id = $1', [id]))[0]!;

  it('scores a contact lead and an account lead (the sum over the account), and says when to look again', async () => {
    await recordEvents(database.db, [{ contactId: 'amy', type: 'email_clicked', occurredAt: new Date(NOW.getTime() - 3 * DAY), properties: {} }], NOW);
    expect(await scoreLeads(database.db, NOW)).toBe(2);
    expect(await lead('l-ann')).toMatchObject({ score: 30, status: 'new', rescore_at: null });
    expect(await lead('l-acme')).toMatchObject({ score: 50, status: 'new', rescore_at: new Date(NOW.getTime() + 7 * DAY) });
    // Nothing is due any more: a pass finds no work.
    expect(await scoreLeads(database.db, NOW)).toBe(0);
  });

  it('rescores on a new event, marks sales-ready once, and records the event for every contact it concerns', async () => {
    const later = new Date(NOW.getTime() + 3_600_000);
    await recordEvents(database.db, [{ contactId: 'ann', type: 'email_clicked', occurredAt: later, properties: {} }], later);
    expect(await scoreLeads(database.db, later)).toBe(2);
    expect(await lead('l-ann')).toMatchObject({ score: 50, status: 'new' });
    expect(await lead('l-acme')).toMatchObject({ score: 70, status: 'salesReady', sales_ready_at: later });
    const events = await database.db.query<{ contact_id: string; properties: Record<string, unknown> }>(`select contact_id, properties from events where type = 'lead_sales_ready' order by contact_id`);
    expect(events).toEqual([
      { contact_id: 'amy', properties: { leadId: 'l-acme', score: 70, accountId: 'acme' } },
      { contact_id: 'ann', properties: { leadId: 'l-acme', score: 70, accountId: 'acme' } },
    ]);
  });

  it('decays at the planned time, and sales-readiness stays', async () => {
    const afterHalving = new Date(NOW.getTime() + 7 * DAY);
    await scoreLeads(database.db, afterHalving);
    expect(await lead('l-acme')).toMatchObject({ score: 30 + 20 + 10, status: 'salesReady' });
    const facts = await loadContactFacts(database.db, ['ann', 'amy', 'sam'], []);
    expect([...facts.values()].map((f) => [f.id, f.leadScore, f.salesReady]).sort()).toEqual([
      ['amy', 60, true],
      ['ann', 60, true],
      ['sam', null, false],
    ]);
  });
});

/**
 * The derived fields leadScore and salesReady, compiled to SQL, select exactly the contacts the
 * core evaluator accepts on the facts the engine loads, on random leads and random queries.
 */
describe('leadScore and salesReady: the SQL compiler agrees with the evaluator', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  const leadRow = fc.record({ contact: fc.nat(5), perAccount: fc.boolean(), score: fc.integer({ min: -20, max: 120 }), ready: fc.boolean() });
  const value = fc.oneof(fc.integer({ min: -20, max: 120 }), fc.boolean(), fc.constantFrom('50', null), fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 3 }));
  const condition = fc.record({
    attribute: fc.constantFrom('leadScore', 'salesReady'),
    op: fc.constantFrom('eq', 'neq', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte', 'exists', 'notExists'),
    value,
  }) as fc.Arbitrary<SegmentQuery>;
  const query: fc.Arbitrary<SegmentQuery> = fc.letrec<{ q: SegmentQuery }>((tie) => ({
    q: fc.oneof({ depthSize: 'small' }, condition, fc.record({ and: fc.array(tie('q'), { minLength: 1, maxLength: 3 }) }), fc.record({ not: tie('q') })),
  })).q;

  it('on 150 random datasets', async () => {
    const { db } = database;
    await fc.assert(
      fc.asyncProperty(fc.array(leadRow, { maxLength: 8 }), fc.array(query, { minLength: 1, maxLength: 5 }), async (leads, queries) => {
        // Deletes, not truncate: a truncate on a PostgreSQL server costs a file operation per table.
        await db.exec('delete from leads; delete from contacts; delete from accounts;');
        await db.query(`insert into accounts (id, name) values ('a0', 'A0'), ('a1', 'A1')`);
        // Six contacts: two per account, two without one.
        await db.query(`insert into contacts (id, email, account_id) select 'c' || n, 'c' || n || '@example.com', case when n < 4 then 'a' || (n % 2) end from generate_series(0, 5) n`);
        await db.query(
          `insert into leads (idempotency_key, journey_id, iteration, tile_id, contact_id, account_id, score, sales_ready_at, created_at)
           select 'k' || i, 'j', 1, 't', case when u.per_account and u.account_id is not null then null else u.contact_id end, u.account_id, u.score,
                  case when u.ready then $2::timestamptz end, $2::timestamptz
             from unnest($1::jsonb[]) with ordinality as x(l, i)
             cross join lateral (select 'c' || (l ->> 'contact') as contact_id, (l ->> 'perAccount')::boolean as per_account, (l ->> 'score')::int as score,
                                        (l ->> 'ready')::boolean as ready,
                                        case when (l ->> 'contact')::int < 4 then 'a' || ((l ->> 'contact')::int % 2) end as account_id) u`,
          [leads.map((l) => JSON.stringify(l)), NOW],
        );
        const ids = Array.from({ length: 6 }, (_, n) => `c${n}`);
        const facts = await loadContactFacts(db, ids, []);
        for (const q of queries) {
          const params = new SqlParams();
          const sql = compileSegmentQuery(q, { params, now: NOW, segments: new Map() });
          const selected = (await db.query<{ id: string }>(`select c.id from contacts c where ${sql} order by c.id`, params.values)).map((row) => row.id);
          const expected = ids.filter((id) => matchesQuery(q, facts.get(id)!, NOW));
          expect(selected, JSON.stringify({ q, leads })).toEqual(expected);
        }
      }),
      { numRuns: 150, seed: 20260302 },
    );
  });
});
