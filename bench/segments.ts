// Segment evaluation on PostgreSQL: 1 000 000 contacts and 5 000 000 events (BENCH_SEGMENT_CONTACTS
// scales both). A segment with an attribute filter AND "at least 2 purchases in 30 days" is
// evaluated whole (membership written from scratch, then again unchanged); then one contact at a
// time is updated and re-evaluated incrementally, as the worker does, with a live journey admitting
// from the segment: p50/p99 of that batch, and of the worker's whole upkeep call around it.
import type { JourneyDefinition, SegmentQuery } from '@waymark/core';
import {
  admitChangedContacts,
  admitWholeIterations,
  claimDirtyContacts,
  compileSegmentQuery,
  evaluateContacts,
  evaluateSegment,
  keepSegmentsCurrent,
  loadLiveJourneys,
  loadSegments,
  ManualClock,
  SqlParams,
} from '@waymark/engine';
import { benchDatabase, report } from './support.ts';

const contacts = Number(process.argv[2] ?? process.env.BENCH_SEGMENT_CONTACTS ?? 1_000_000);
const events = contacts * 5;
const samples = Number(process.argv[3] ?? 1000);
const NOW = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400_000;

const seconds = (from: number) => (performance.now() - from) / 1000;
const log = (message: string) => process.stderr.write(`  segments: ${message}\n`);
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;

const { db, drop } = await benchDatabase('postgres', 2);
let started = performance.now();
await db.query(
  `insert into contacts (id, email, consent, attributes, created_at)
   select 'c' || n, 'c' || n || '@example.com', 'marketing',
          jsonb_build_object('city', (array['Paris', 'Lyon', 'Nice', 'Lille', 'Nantes'])[1 + n % 5], 'score', n % 100), $2
     from generate_series(1, $1::int) n`,
  [contacts, NOW],
);
log(`${contacts.toLocaleString('en-US')} contacts in ${seconds(started).toFixed(1)} s`);
started = performance.now();
const chunk = 500_000;
const chunks = Array.from({ length: Math.ceil(events / chunk) }, (_, i) => i * chunk);
// Two connections insert at once: index upkeep, not the disk, bounds this.
const insertEvents = async (from: number) => {
  // Over the last 90 days; 40% purchases, the rest other behaviour.
  await db.query(
    `insert into events (contact_id, type, occurred_at, properties)
     select 'c' || (1 + floor(random() * $2::int))::int,
            (array['purchase', 'purchase', 'email_opened', 'email_clicked', 'page_visited'])[1 + floor(random() * 5)::int],
            $3::timestamptz - random() * interval '90 days', '{}'
       from generate_series(1, $1::int)`,
    [Math.min(chunk, events - from), contacts, NOW],
  );
};
for (let i = 0; i < chunks.length; i += 2) await Promise.all(chunks.slice(i, i + 2).map(insertEvents));
await db.exec('truncate segment_dirty_contacts');
await db.exec('vacuum analyze contacts');
await db.exec('vacuum analyze events');
log(`${events.toLocaleString('en-US')} events in ${seconds(started).toFixed(1)} s`);

const query: SegmentQuery = { and: [{ attribute: 'city', op: 'eq', value: 'Paris' }, { event: 'purchase', within: 'P30D', count: { gte: 2 } }] };
await db.query(`insert into segments (id, name, kind, query) values ('buyers', 'Parisian repeat buyers', 'dynamic', $1)`, [JSON.stringify(query)]);
const segments = await loadSegments(db);

// The predicate alone, as a count, in both strategies.
const count = async (strategy: 'row' | 'set') => {
  const params = new SqlParams();
  const predicate = compileSegmentQuery(query, { params, now: NOW, segments, strategy });
  const from = performance.now();
  const [row] = await db.transaction(async (tx) => {
    await tx.exec(`set local work_mem = '256MB'`);
    return tx.query<{ n: number }>(`select count(*)::int as n from contacts c where ${predicate}`, params.values);
  });
  return { n: row!.n, seconds: seconds(from) };
};
const countSet = await count('set');
const countRow = await count('row');
log(`count: set ${countSet.seconds.toFixed(2)} s, row ${countRow.seconds.toFixed(2)} s (${countSet.n} members)`);

started = performance.now();
const changes = await db.transaction((tx) => evaluateSegment(tx, segments.get('buyers')!, segments, NOW));
const fullEvaluationSeconds = seconds(started);
await db.query(`update segments set evaluated_at = $1 where id = 'buyers'`, [NOW]);
started = performance.now();
const unchanged = await db.transaction((tx) => evaluateSegment(tx, segments.get('buyers')!, segments, NOW));
const reevaluationSeconds = seconds(started);
log(`full evaluation ${fullEvaluationSeconds.toFixed(2)} s (${changes} joined), again ${reevaluationSeconds.toFixed(2)} s (${unchanged} changes)`);

const journey: JourneyDefinition = {
  name: 'Repeat buyers',
  target: 'contacts',
  scope: 'organization',
  startAt: new Date(NOW.getTime() - DAY).toISOString(),
  endAt: new Date(NOW.getTime() + 30 * DAY).toISOString(),
  timeZone: 'UTC',
  tiles: [
    { id: 'entry', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: 'buyers', mode: 'include' }], next: 'wait' },
    { id: 'wait', type: 'scheduler', wait: { for: 'P7D' }, next: null },
  ],
};
await db.query(`insert into journeys (id, name, status, definition, current_iteration) values ('j', 'Repeat buyers', 'live', $1, 1)`, [JSON.stringify(journey)]);
await db.query(`insert into journey_iterations (journey_id, number, started_at) values ('j', 1, $1)`, [NOW]);
const { runnable: live } = await loadLiveJourneys(db);
await admitWholeIterations(db, live, segments, NOW);
const clock = await ManualClock.open(db, NOW);

const batchMs: number[] = [];
const upkeepMs: number[] = [];
let admitted = 0;
for (let i = 0; i < samples; i += 1) {
  const id = `c${1 + Math.floor(Math.random() * contacts)}`;
  const city = i % 2 === 0 ? 'Paris' : 'Lyon';
  await db.query(`update contacts set attributes = jsonb_set(attributes, '{city}', to_jsonb($2::text)), updated_at = $3 where id = $1`, [id, city, clock.now()]);
  if (i % 2 === 0) {
    // The batch the worker runs for it: claim, evaluate every dynamic segment, admit.
    const from = performance.now();
    admitted += await db.transaction(async (tx) => {
      const ids = await claimDirtyContacts(tx, 100);
      await evaluateContacts(tx, segments, ids, NOW);
      return admitChangedContacts(tx, live, segments, ids, NOW);
    });
    batchMs.push(performance.now() - from);
  } else {
    // The worker's whole upkeep call: windows, stale segments, the batch, whole admissions.
    const from = performance.now();
    admitted += (await keepSegmentsCurrent(db, live, NOW, { batchSize: 100, maxBatches: 1 })).admitted;
    upkeepMs.push(performance.now() - from);
  }
}
log(`incremental: batch p50 ${percentile(batchMs, 50).toFixed(1)} ms p99 ${percentile(batchMs, 99).toFixed(1)} ms; upkeep p50 ${percentile(upkeepMs, 50).toFixed(1)} ms p99 ${percentile(upkeepMs, 99).toFixed(1)} ms`);

await drop();
report({
  bench: 'segments',
  contacts,
  events,
  members: countSet.n,
  countSetSeconds: Number(countSet.seconds.toFixed(3)),
  countRowSeconds: Number(countRow.seconds.toFixed(3)),
  fullEvaluationSeconds: Number(fullEvaluationSeconds.toFixed(3)),
  reevaluationSeconds: Number(reevaluationSeconds.toFixed(3)),
  incrementalP50Ms: Number(percentile(batchMs, 50).toFixed(2)),
  incrementalP99Ms: Number(percentile(batchMs, 99).toFixed(2)),
  upkeepP50Ms: Number(percentile(upkeepMs, 50).toFixed(2)),
  upkeepP99Ms: Number(percentile(upkeepMs, 99).toFixed(2)),
  admittedDuringIncremental: admitted,
});
