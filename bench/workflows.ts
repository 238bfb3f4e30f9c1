// Workflow calls per second: queued launch-workflow effects sent by the worker, signed, to a local
// HTTP endpoint (in its own process), until the outbox is empty.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { EmailRenderer, ManualClock, Worker } from '@waymark/engine';
import { benchDatabase, report } from './support.ts';

const count = Number(process.argv[2] ?? 5000);
const start = new Date('2026-03-02T14:00:00Z');
const secret = 'bench-workflow-secret';
const { db, drop } = await benchDatabase('postgres');

const sink = spawn(process.execPath, ['--import', 'tsx', new URL('./workflowSink.ts', import.meta.url).pathname, secret], { stdio: ['ignore', 'pipe', 'pipe'] });
const [chunk] = (await once(sink.stdout, 'data')) as [Buffer];
await db.query(`insert into workflows (id, name, url, secret) values ('crm', 'CRM', $1, $2)`, [`http://127.0.0.1:${chunk.toString().trim()}/hook`, secret]);
// The outbox as the stepper leaves it after `count` contacts passed a launch-workflow tile.
await db.query(
  `insert into outbox (idempotency_key, kind, journey_id, iteration, tile_id, contact_id, target_id, next_attempt_at, created_at)
   select 'j:1:crm:c:c' || n, 'workflow', 'j', 1, 'crm', 'c' || n, 'crm', $2, $2 from generate_series(1, $1::int) n`,
  [count, start],
);
const clock = await ManualClock.open(db, start);
// The sink runs on this machine: a private address, allowed as WAYMARK_WEBHOOK_ALLOW_PRIVATE=1 would.
const worker = new Worker({ db, clock, webhooks: { addressPolicy: { allowPrivate: true } }, email: { publicUrl: 'http://127.0.0.1', secret: 'bench', defaultFrom: 'bench@example.com', renderer: new EmailRenderer(), smtp: null } });

const started = performance.now();
const result = await worker.drain();
const seconds = (performance.now() - started) / 1000;
const [sent] = await db.query<{ n: number }>(`select count(*)::int as n from outbox where kind = 'workflow' and status = 'sent'`);
sink.kill('SIGTERM');
let sinkReport = '';
sink.stderr.on('data', (data: Buffer) => (sinkReport += data.toString()));
await once(sink, 'exit');
const { received, badSignatures } = JSON.parse(sinkReport.trim().split('\n').pop() || '{}') as { received?: number; badSignatures?: number };
await drop();
report({ bench: 'workflows', calls: count, sent: sent!.n, settled: result.sent, received, badSignatures, seconds, callsPerSecond: Math.round(sent!.n / seconds) });
