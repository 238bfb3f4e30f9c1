// Contact-steps per second: 100 000 contacts through segment -> scheduler -> condition -> splitter.
import type { JourneyDefinition } from '@waymark/core';
import { EmailRenderer, ManualClock, Worker } from '@waymark/engine';
import { benchDatabase, insertContacts, report } from './support.ts';

const kind = (process.argv[2] ?? 'postgres') as 'postgres' | 'pglite';
const contacts = Number(process.argv[3] ?? 100_000);
const workers = kind === 'postgres' ? 2 : 1;
const start = new Date('2026-03-02T14:00:00Z');

const { db, drop } = await benchDatabase(kind, workers + 1);
await insertContacts(db, contacts);
await db.query(`insert into segments (id, name, kind, query) values ('all', 'Everyone', 'dynamic', '{"attribute": "score", "op": "gte", "value": 0}')`);
const journey: JourneyDefinition = {
  name: 'Bench',
  target: 'contacts',
  scope: 'organization',
  startAt: start.toISOString(),
  endAt: new Date(start.getTime() + 30 * 86_400_000).toISOString(),
  timeZone: 'America/New_York',
  tiles: [
    { id: 'seg', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: 'all', mode: 'include' }], next: 'wait' },
    { id: 'wait', type: 'scheduler', wait: { for: 'P1D' }, next: 'cond' },
    { id: 'cond', type: 'condition', query: { attribute: 'city', op: 'eq', value: 'New York' }, onTrue: 'split', onFalse: 'split' },
    { id: 'split', type: 'splitter', mode: 'percentage', branches: [{ share: 50, next: null }, { share: 50, next: null }] },
  ],
};
await db.query(`insert into journeys (name, status, definition) values ('Bench', 'live', $1)`, [JSON.stringify(journey)]);
const clock = await ManualClock.open(db, start);
const email = { publicUrl: 'http://127.0.0.1', secret: 'bench', defaultFrom: 'bench@example.com', renderer: new EmailRenderer(), smtp: null };
const pool = Array.from({ length: workers }, () => new Worker({ db, clock, email, batchSize: Number(process.env.BENCH_BATCH ?? 2000) }));

const admitStarted = performance.now();
const admitted = await pool[0]!.tick();
const admitMs = performance.now() - admitStarted;

// Phase 1: every contact enters and waits in the scheduler (2 steps each, the first batch was in tick above).
const phase1Started = performance.now();
const phase1 = await Promise.all(pool.map((worker) => worker.drain()));
const phase1Ms = performance.now() - phase1Started + admitMs;
const phase1Steps = admitted.admitted + admitted.steps + phase1.reduce((sum, r) => sum + r.steps, 0);

// Phase 2: a day later, each goes scheduler -> condition -> splitter -> end (3 steps each).
await clock.set(new Date(start.getTime() + 86_400_000));
const phase2Started = performance.now();
const phase2 = await Promise.all(pool.map((worker) => worker.drain()));
const phase2Ms = performance.now() - phase2Started;
const phase2Steps = phase2.reduce((sum, r) => sum + r.steps, 0);

const [check] = await db.query<{ n: number }>(`select count(*)::int as n from journey_contacts where status = 'completed'`);
// Every tile a contact passes is one step, wherever it was taken (admission passes the entry tile).
const [history] = await db.query<{ n: number }>(`select count(*)::int as n from journey_history`);
await drop();
report({
  bench: 'steps',
  database: kind,
  workers,
  contacts,
  completed: check!.n,
  admitted: admitted.admitted,
  steps: phase1Steps + phase2Steps,
  historyRows: history!.n,
  seconds: (phase1Ms + phase2Ms) / 1000,
  stepsPerSecond: Math.round((phase1Steps + phase2Steps) / ((phase1Ms + phase2Ms) / 1000)),
  phase2StepsPerSecond: Math.round(phase2Steps / (phase2Ms / 1000)),
});
