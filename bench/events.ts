// Latency from an accepted event (POST /events answered 202) to the waiting trigger taking its
// path, at a steady rate of events per second, on PostgreSQL: the all-in-one process (HTTP API
// and engine worker) with the system clock, as `waymark start` runs. Each event is for another
// contact waiting in the trigger; the client runs in its own process. The moment the step is
// written is captured in the database (clock_timestamp() in a trigger on journey_history), the
// same clock the client reads.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connectPostgres, systemClock } from '@waymark/engine';
import { createRuntime, ensureBootstrapAdmin } from '@waymark/server';
import { benchDatabase, insertContacts, report } from './support.ts';

const rate = Number(process.argv[2] ?? 500);
const seconds = Number(process.argv[3] ?? 10);
const events = Math.round(rate * seconds);
const KEY = 'wm_bench_admin_key_0123456789';

const { db, url: databaseUrl, drop } = await benchDatabase('postgres', 6);
// The worker has connections of its own, as a separate `waymark worker` would.
const workerDb = connectPostgres(databaseUrl!, { maxConnections: 2 });
await insertContacts(db, events);
await db.query(`insert into segments (id, name, kind) values ('all', 'Everyone', 'static')`);
await db.query(`insert into segment_members (segment_id, contact_id) select 'all', id from contacts`);
const now = Date.now();
await db.query(`insert into journeys (id, name, status, definition) values ('j', 'Waits for a ping', 'live', $1)`, [
  JSON.stringify({
    name: 'Waits for a ping',
    target: 'contacts',
    scope: 'organization',
    startAt: new Date(now - 3_600_000).toISOString(),
    endAt: new Date(now + 86_400_000).toISOString(),
    timeZone: 'UTC',
    tiles: [
      { id: 'all', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: 'all', mode: 'include' }], next: 'wait' },
      { id: 'wait', type: 'trigger', rules: [{ event: 'ping', where: { ok: true } }], match: 'any', timeout: 'P7D', basis: 'contact', onTrue: null, onFalse: null },
    ],
  }),
]);
await ensureBootstrapAdmin(db, KEY);
const runtime = await createRuntime({ db, workerDb, clock: systemClock, config: { publicUrl: 'http://127.0.0.1', secret: 'bench' } });
const url = await runtime.app.listen({ host: '127.0.0.1', port: 0 });

// Everyone enters and waits in the trigger before the clock starts.
await runtime.worker.drain();
const [waiting] = await db.query<{ n: number }>(`select count(*)::int as n from journey_contacts where tile_id = 'wait' and status = 'active'`);
if (waiting!.n !== events) throw new Error(`expected ${events} waiting contacts, found ${waiting!.n}`);
await db.exec(`
  create table bench_taken (contact_id text primary key, at timestamptz not null);
  create function bench_taken() returns trigger language plpgsql as $$
  begin
    insert into bench_taken select contact_id, clock_timestamp() from taken where tile_id = 'wait' and outcome = 'true' on conflict do nothing;
    return null;
  end $$;
  create trigger bench_taken after insert on journey_history referencing new table as taken for each statement execute function bench_taken();
`);
runtime.worker.start();

const load = spawn(process.execPath, ['--import', 'tsx', new URL('./eventLoad.ts', import.meta.url).pathname, url, KEY, String(rate), String(events)], { stdio: ['ignore', 'pipe', 'inherit'] });
let output = '';
load.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
await once(load, 'exit');
const { accepted: acceptedAt, failed, achievedRate } = JSON.parse(output.trim().split('\n').pop()!) as { accepted: Record<string, number>; failed: number; achievedRate: number };
const accepted = new Map(Object.entries(acceptedAt));
const deadline = Date.now() + 15_000;
for (;;) {
  const [taken] = await db.query<{ n: number }>('select count(*)::int as n from bench_taken');
  if (taken!.n >= accepted.size || Date.now() > deadline) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
await runtime.close();
await workerDb.close();
const rows = await db.query<{ contact_id: string; at_ms: number }>(`select contact_id, extract(epoch from at) * 1000 as at_ms from bench_taken`);
await drop();

const latencies = rows.filter((row) => accepted.has(row.contact_id)).map((row) => Number(row.at_ms) - accepted.get(row.contact_id)!).sort((a, b) => a - b);
const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? Number.NaN;
report({
  bench: 'events',
  database: 'postgres',
  rate,
  events,
  accepted: accepted.size,
  failed,
  taken: latencies.length,
  achievedRate,
  p50Ms: Math.round(percentile(50) * 10) / 10,
  p90Ms: Math.round(percentile(90) * 10) / 10,
  p99Ms: Math.round(percentile(99) * 10) / 10,
  maxMs: Math.round((latencies.at(-1) ?? Number.NaN) * 10) / 10,
});
