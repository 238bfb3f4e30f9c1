import type { JourneyDefinition } from '@waymark/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../clock.ts';
import { EmailRenderer } from '../email/render.ts';
import { recordEvents } from '../events.ts';
import { eraseContact } from '../store/contactPrivacy.ts';
import { createTestDatabase, type TestDatabase } from '../testing.ts';
import { Worker } from '../worker.ts';

const START = new Date('2026-03-02T14:00:00Z');
const DAY = 86_400_000;
const email = { publicUrl: 'http://127.0.0.1:9', secret: 's3cret', defaultFrom: 'news@example.com', renderer: new EmailRenderer(), smtp: null };

describe('live segment membership', () => {
  let database: TestDatabase;
  let clock: ManualClock;
  let worker: Worker;
  const db = () => database.db;
  const members = async (segmentId: string) =>
    (await db().query<{ contact_id: string }>('select contact_id from segment_membership where segment_id = $1 order by contact_id', [segmentId])).map((row) => row.contact_id);
  const segment = (id: string, query: unknown) => db().query(`insert into segments (id, name, kind, query) values ($1, $1, 'dynamic', $2)`, [id, JSON.stringify(query)]);
  const admitted = async (journeyId: string) =>
    (await db().query<{ contact_id: string }>(`select contact_id from journey_contacts where journey_id = $1 and status <> 'excluded' order by contact_id`, [journeyId])).map(
      (row) => row.contact_id,
    );
  async function liveJourney(id: string, segmentId: string): Promise<void> {
    const def: JourneyDefinition = {
      name: id,
      target: 'contacts',
      scope: 'organization',
      startAt: START.toISOString(),
      endAt: new Date(START.getTime() + 300 * DAY).toISOString(),
      timeZone: 'UTC',
      tiles: [
        { id: 'entry', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId, mode: 'include' }], next: 'wait' },
        { id: 'wait', type: 'scheduler', wait: { for: 'P100D' }, next: null },
      ],
    };
    await db().query(`insert into journeys (id, name, status, definition) values ($1, $1, 'live', $2)`, [id, JSON.stringify(def)]);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    clock = await ManualClock.open(database.db, START);
    worker = new Worker({ db: database.db, clock, email, segmentBatchSize: 7 });
    await db().query(
      `insert into contacts (id, email, consent, attributes)
       select 'c' || n, 'c' || n || '@example.com', 'marketing', jsonb_build_object('city', case when n % 2 = 0 then 'Paris' else 'Lyon' end, 'score', n)
         from generate_series(1, 20) n`,
    );
  });
  afterAll(() => database.drop());

  it('evaluates a new segment whole, then keeps it current from contact changes alone', async () => {
    await segment('paris', { attribute: 'city', op: 'eq', value: 'Paris' });
    await worker.drain();
    expect(await members('paris')).toHaveLength(10);
    const [queued] = await db().query<{ n: number }>('select count(*)::int as n from segment_dirty_contacts');
    expect(queued!.n).toBe(0);

    await db().query(`update contacts set attributes = attributes || '{"city": "Paris"}' where id = 'c1'`);
    await db().query(`update contacts set attributes = attributes || '{"city": "Nice"}' where id = 'c2'`);
    const result = await worker.drain();
    expect(result.segmented).toBe(2);
    const now = await members('paris');
    expect(now).toContain('c1');
    expect(now).not.toContain('c2');
    expect(now).toHaveLength(10);
  });

  it('admits a contact who joins the segment while the journey is live, within one drain', async () => {
    await liveJourney('j-paris', 'paris');
    await worker.drain();
    expect(await admitted('j-paris')).toHaveLength(10);
    await db().query(`insert into contacts (id, email, consent, attributes) values ('new', 'new@example.com', 'marketing', '{"city": "Paris"}')`);
    const result = await worker.drain();
    expect(result.admitted).toBe(1);
    expect(await admitted('j-paris')).toContain('new');
    // Leaving the segment does not take anyone off a journey under way.
    await db().query(`update contacts set attributes = '{"city": "Rome"}' where id = 'new'`);
    await worker.drain();
    expect(await members('paris')).not.toContain('new');
    expect(await admitted('j-paris')).toContain('new');
  });

  it('follows lists, static segments, accounts and inSegment', async () => {
    await db().query(`insert into subscription_lists (id, name) values ('news', 'News')`);
    await db().query(`insert into segments (id, name, kind) values ('vip', 'VIP', 'static')`);
    await db().query(`insert into accounts (id, name, attributes) values ('big', 'Big', '{"employees": 10}')`);
    await db().query(`update contacts set account_id = 'big' where id in ('c3', 'c4')`);
    await segment('mixed', {
      or: [{ subscribedTo: 'news' }, { inSegment: 'vip' }, { account: { attribute: 'employees', op: 'gte', value: 1000 } }],
    });
    await segment('mixed-parisians', { and: [{ inSegment: 'mixed' }, { inSegment: 'paris' }] });
    await worker.drain();
    expect(await members('mixed')).toEqual([]);

    await db().query(`insert into list_members (list_id, contact_id) values ('news', 'c5'), ('news', 'c6')`);
    await db().query(`insert into segment_members (segment_id, contact_id) values ('vip', 'c7')`);
    await db().query(`update accounts set attributes = '{"employees": 5000}' where id = 'big'`);
    await worker.drain();
    expect(await members('mixed')).toEqual(['c3', 'c4', 'c5', 'c6', 'c7']);
    expect(await members('mixed-parisians')).toEqual(['c4', 'c6']);

    await db().query(`delete from list_members where contact_id = 'c6'`);
    await worker.drain();
    expect(await members('mixed')).toEqual(['c3', 'c4', 'c5', 'c7']);
    expect(await members('mixed-parisians')).toEqual(['c4']);

    // A changed query is evaluated whole again, with the segments that use it.
    await db().query(`update segments set query = '{"attribute": "score", "op": "lte", "value": 2}' where id = 'mixed'`);
    await worker.drain();
    expect(await members('mixed')).toEqual(['c1', 'c2']);
    expect(await members('mixed-parisians')).toEqual(['c1']);
  });

  it('admits by segment groups that include and exclude static segments, dynamic segments and lists', async () => {
    await db().query(`insert into subscription_lists (id, name) values ('opted-out', 'Opted out')`);
    await db().query(`insert into segments (id, name, kind) values ('staff', 'Staff', 'static')`);
    await db().query(`insert into segment_members (segment_id, contact_id) values ('staff', 'c10'), ('staff', 'c11')`);
    await db().query(`insert into list_members (list_id, contact_id) values ('opted-out', 'c12'), ('news', 'c13')`);
    const def: JourneyDefinition = {
      name: 'groups',
      target: 'contacts',
      scope: 'organization',
      startAt: START.toISOString(),
      endAt: new Date(START.getTime() + 300 * DAY).toISOString(),
      timeZone: 'UTC',
      tiles: [
        {
          id: 'entry',
          type: 'segmentGroup',
          combine: 'union',
          segments: [
            { source: 'segment', segmentId: 'paris', mode: 'include' },
            { source: 'subscriptionList', listId: 'news', mode: 'include' },
            { source: 'segment', segmentId: 'staff', mode: 'exclude' },
            { source: 'subscriptionList', listId: 'opted-out', mode: 'exclude' },
          ],
          next: 'wait',
        },
        { id: 'wait', type: 'scheduler', wait: { for: 'P100D' }, next: null },
      ],
    };
    await db().query(`insert into journeys (id, name, status, definition) values ('j-groups', 'groups', 'live', $1)`, [JSON.stringify(def)]);
    await worker.drain();
    const expected = [...(await members('paris')), 'c5', 'c13'].filter((id) => !['c10', 'c11', 'c12'].includes(id)).sort();
    expect((await admitted('j-groups')).sort()).toEqual(expected);
    // Leaving an excluded list lets the contact in; a staff member's removal from a static segment too.
    await db().query(`delete from list_members where list_id = 'opted-out' and contact_id = 'c12'`);
    await db().query(`delete from segment_members where segment_id = 'staff' and contact_id = 'c10'`);
    await worker.drain();
    expect((await admitted('j-groups')).sort()).toEqual([...expected, 'c10', 'c12'].sort());
  });

  it('rolls event windows forward as the clock moves, and counts future events when they come', async () => {
    await segment('recent-buyers', { event: 'buy', within: 'P7D', count: { gte: 2 } });
    await worker.drain();
    const now = clock.now();
    await recordEvents(
      db(),
      [
        { contactId: 'c8', type: 'buy', occurredAt: now, properties: {} },
        { contactId: 'c8', type: 'buy', occurredAt: new Date(now.getTime() - 3 * DAY), properties: {} },
        { contactId: 'c9', type: 'buy', occurredAt: now, properties: {} },
        // Dated tomorrow: counts only from tomorrow on.
        { contactId: 'c9', type: 'buy', occurredAt: new Date(now.getTime() + DAY), properties: {} },
      ],
      now,
    );
    await worker.drain();
    expect(await members('recent-buyers')).toEqual(['c8']);

    await clock.set(new Date(now.getTime() + DAY));
    await worker.drain();
    expect(await members('recent-buyers')).toEqual(['c8', 'c9']);

    // Four days on, c8's older purchase is eight days old.
    await clock.set(new Date(now.getTime() + 5 * DAY));
    const rolled = await worker.drain();
    expect(rolled.segmented).toBeLessThanOrEqual(2);
    expect(await members('recent-buyers')).toEqual(['c9']);

    await clock.set(new Date(now.getTime() + 8 * DAY));
    await worker.drain();
    expect(await members('recent-buyers')).toEqual([]);
  });

  it('forgets an erased contact, and never admits a suppressed address again', async () => {
    await eraseContact(db(), 'c4', clock.now());
    await worker.drain();
    expect(await members('paris')).not.toContain('c4');
    const [kept] = await db().query<{ n: number }>(`select count(*)::int as n from journey_contacts where contact_id = 'c4'`);
    expect(kept!.n).toBe(0);
    // Re-imported with the same address, in other letters: kept, flagged, never admitted.
    await db().query(`insert into contacts (id, email, consent, attributes) values ('c4-again', 'C4@Example.com', 'marketing', '{"city": "Paris"}')`);
    await worker.drain();
    const [again] = await db().query<{ suppressed: boolean }>(`select suppressed from contacts where id = 'c4-again'`);
    expect(again!.suppressed).toBe(true);
    expect(await members('paris')).toContain('c4-again');
    expect(await admitted('j-paris')).not.toContain('c4-again');
  });

  it('admits within seconds in real time, with a polling worker', async () => {
    const live = await createTestDatabase();
    try {
      const realtime = new Worker({ db: live.db, clock: systemClock, email, idleMs: 50 });
      const now = Date.now();
      await live.db.query(`insert into segments (id, name, kind, query) values ('paris', 'Paris', 'dynamic', '{"attribute": "city", "op": "eq", "value": "Paris"}')`);
      const def: JourneyDefinition = {
        name: 'Realtime',
        target: 'contacts',
        scope: 'organization',
        startAt: new Date(now - 60_000).toISOString(),
        endAt: new Date(now + DAY).toISOString(),
        timeZone: 'UTC',
        tiles: [
          { id: 'entry', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: 'paris', mode: 'include' }], next: 'wait' },
          { id: 'wait', type: 'scheduler', wait: { for: 'P1D' }, next: null },
        ],
      };
      await live.db.query(`insert into journeys (id, name, status, definition) values ('rt', 'Realtime', 'live', $1)`, [JSON.stringify(def)]);
      realtime.start();
      try {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const created = Date.now();
        await live.db.query(`insert into contacts (id, email, attributes) values ('late', 'late@example.com', '{"city": "Paris"}')`);
        realtime.poke();
        let entered = false;
        while (!entered && Date.now() - created < 8000) {
          entered = (await live.db.query(`select 1 from journey_contacts where journey_id = 'rt' and contact_id = 'late'`)).length > 0;
          if (!entered) await new Promise((resolve) => setTimeout(resolve, 25));
        }
        expect(entered).toBe(true);
        expect(Date.now() - created).toBeLessThan(4000);
      } finally {
        await realtime.stop();
      }
    } finally {
      await live.drop();
    }
  });

  it('evaluates contacts against segments holding more parameters in all than one statement may', async () => {
    // 17 segments of 1 990 conditions on a custom attribute (two parameters each): 67 660 in all.
    const wide = (tag: number) => ({
      or: [
        ...Array.from({ length: 19 }, (_, group) => ({ and: Array.from({ length: 100 }, (_, i) => ({ attribute: 'city', op: 'eq', value: `nowhere-${tag}-${group}-${i}` })) })),
        { and: Array.from({ length: 70 }, (_, i) => ({ attribute: 'city', op: 'neq', value: `elsewhere-${i}` })) },
      ],
    });
    for (let tag = 0; tag < 17; tag += 1) await segment(`wide-${tag}`, wide(tag));
    await worker.drain();
    await db().query(`update contacts set attributes = attributes || '{"city": "Nice"}' where id = 'c1'`);
    await worker.drain();
    for (let tag = 0; tag < 17; tag += 1) expect(await members(`wide-${tag}`)).toContain('c1');
    await db().query('delete from segments where id like $1', ['wide-%']);
  });
});

