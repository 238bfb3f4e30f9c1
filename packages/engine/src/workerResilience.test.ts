import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import type { Database } from './db/database.ts';
import { EmailRenderer } from './email/render.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';
import { Worker } from './worker.ts';

const START = new Date('2026-03-02T14:00:00Z');

/** The test database, with a switch that makes every statement fail as a lost server would. */
function unplugged(db: Database): { db: Database; down: boolean } {
  const state = { down: false, db: db };
  const check = () => {
    if (state.down) throw new Error('Connection terminated unexpectedly');
  };
  state.db = {
    kind: db.kind,
    query: async (sql, params) => (check(), db.query(sql, params)),
    exec: async (sql) => (check(), db.exec(sql)),
    transaction: async (work, options) => (check(), db.transaction(work, options)),
    close: () => db.close(),
  };
  return state;
}

describe('a worker whose database goes away', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.query(`insert into contacts (id, email, consent) values ('ann', 'ann@example.com', 'marketing')`);
    await database.db.query(`insert into segments (id, name, kind) values ('s', 'S', 'static')`);
    await database.db.query(`insert into segment_members (segment_id, contact_id) values ('s', 'ann')`);
    const definition = {
      name: 'Wait a day',
      target: 'contacts',
      scope: 'organization',
      startAt: START.toISOString(),
      endAt: '2026-04-02T00:00:00Z',
      timeZone: 'UTC',
      tiles: [
        { id: 'all', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: 's', mode: 'include' }], next: 'wait' },
        { id: 'wait', type: 'scheduler', wait: { for: 'P1D' }, next: null },
      ],
    };
    await database.db.query(`insert into journeys (id, name, status, definition) values ('j', 'Wait', 'live', $1)`, [JSON.stringify(definition)]);
  });

  afterAll(async () => {
    await database.drop();
  });

  it('backs off exponentially up to its cap while the database is away, and resumes by itself when it returns', async () => {
    const clock = await ManualClock.open(database.db, START);
    const plug = unplugged(database.db);
    const pauses: number[] = [];
    let resolveSixth!: () => void;
    const sixFailures = new Promise<void>((resolve) => (resolveSixth = resolve));
    plug.down = true;
    const worker = new Worker({
      db: plug.db,
      clock,
      idleMs: 10,
      backoffMs: 5,
      maxBackoffMs: 40,
      email: { publicUrl: 'http://x', secret: 's', defaultFrom: 'a@b.c', renderer: new EmailRenderer(), smtp: null },
      onError: (_error, retryInMs) => {
        pauses.push(retryInMs);
        if (pauses.length === 6) resolveSixth();
      },
    });
    worker.start();
    await sixFailures;
    expect(pauses.slice(0, 6)).toEqual([5, 10, 20, 40, 40, 40]);

    plug.down = false;
    const entered = async () => (await database.db.query(`select 1 from journey_contacts where journey_id = 'j' and contact_id = 'ann'`)).length === 1;
    for (let polls = 0; !(await entered()); polls += 1) {
      if (polls > 600) throw new Error('the worker did not resume');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const failuresWhenBack = pauses.length;
    expect(await worker.stop()).toBe(true);
    // Once back, it stopped failing.
    expect(pauses.length).toBe(failuresWhenBack);
  });

  it('stops within its deadline even when a tick is stuck', async () => {
    const clock = await ManualClock.open(database.db, START);
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const hanging: Database = { ...database.db, kind: database.db.kind, query: async () => (await stuck, []), exec: database.db.exec, transaction: database.db.transaction, close: database.db.close };
    const worker = new Worker({ db: hanging, clock, email: { publicUrl: 'http://x', secret: 's', defaultFrom: 'a@b.c', renderer: new EmailRenderer(), smtp: null } });
    worker.start();
    expect(await worker.stop({ deadlineMs: 50 })).toBe(false);
    release();
  });
});
