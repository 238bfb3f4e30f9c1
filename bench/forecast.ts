// Forecast over 1 000 000 contacts on PostgreSQL (BENCH_FORECAST_CONTACTS scales it), timed through
// the HTTP API of a real started server: a dynamic segment (half the contacts), a do-not-mail
// segment, consent exclusions, and a journey with an email, a click trigger, a condition on a
// custom attribute, a wait and a splitter. Reports the first (cold) answer and the median of five.
import { evaluateSegment, loadSegments, systemClock } from '@waymark/engine';
import { createRuntime, ensureBootstrapAdmin } from '@waymark/server';
import { benchDatabase, report } from './support.ts';

const contacts = Number(process.argv[2] ?? process.env.BENCH_FORECAST_CONTACTS ?? 1_000_000);
const KEY = 'wm_bench_forecast_admin_key_0123456789';
const log = (message: string) => process.stderr.write(`  forecast: ${message}\n`);
const seconds = (from: number) => (performance.now() - from) / 1000;

const { db, drop } = await benchDatabase('postgres', 4);
let started = performance.now();
// One in twenty has too little consent for the journey.
await db.query(
  `insert into contacts (id, email, consent, attributes)
   select 'c' || n, 'c' || n || '@example.com', case when n % 20 = 0 then 'none' else 'marketing' end,
          jsonb_build_object('city', (array['Paris', 'Lyon', 'Nice', 'Lille'])[1 + n % 4], 'score', n % 100)
     from generate_series(1, $1::int) n`,
  [contacts],
);
await db.exec('truncate segment_dirty_contacts');
log(`${contacts.toLocaleString('en-US')} contacts in ${seconds(started).toFixed(1)} s`);

await ensureBootstrapAdmin(db, KEY);
const runtime = await createRuntime({ db, clock: systemClock, config: { publicUrl: 'http://127.0.0.1', secret: 'bench-secret-0123456789' } });
const url = await runtime.app.listen({ host: '127.0.0.1', port: 0 });
const api = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
};

started = performance.now();
await api('POST', '/attributes', { entity: 'contact', name: 'city', type: 'string' });
await api('POST', '/attributes', { entity: 'contact', name: 'score', type: 'number' });
const audience = await api('POST', '/segments', { name: 'Paris and Lyon', kind: 'dynamic', query: { attribute: 'city', op: 'in', value: ['Paris', 'Lyon'] } });
const doNotMail = await api('POST', '/segments', { name: 'Do not mail', kind: 'static' });
const segments = await loadSegments(db);
await evaluateSegment(db, segments.get(audience.id)!, segments, new Date());
await db.query(`insert into segment_members (segment_id, contact_id) select $1, 'c' || n from generate_series(1, $2::int, 100) n`, [doNotMail.id, contacts]);
await db.exec('vacuum analyze contacts');
await db.exec('vacuum analyze segment_membership');
await db.exec('vacuum analyze segment_members');
log(`segments in ${seconds(started).toFixed(1)} s`);

const footer = '<p><a href="{{ content.subscriptionCenterUrl }}">Manage</a> · {{ content.postalAddress }}</p>';
const email = await api('POST', '/emails', { name: 'Offer', subject: 'Offer', html: `<p><a href="https://example.com/offer">Offer</a></p>${footer}` });
const now = new Date();
const journey = await api('POST', '/journeys', {
  name: 'Forecast bench',
  startAt: now.toISOString(),
  endAt: new Date(now.getTime() + 90 * 86_400_000).toISOString(),
  timeZone: 'Europe/Paris',
  minimumConsent: 'marketing',
  suppressionSegmentId: doNotMail.id,
  tiles: [
    { id: 'audience', type: 'segmentGroup', segments: [{ source: 'segment', segmentId: audience.id, mode: 'include' }], next: 'offer' },
    { id: 'offer', type: 'email', emailId: email.id, next: 'clicked' },
    { id: 'clicked', type: 'trigger', rules: [{ tile: 'offer', on: 'clicked' }], timeout: 'P3D', onTrue: 'engaged', onFalse: 'pause' },
    { id: 'engaged', type: 'condition', query: { attribute: 'score', op: 'gte', value: 50 }, onTrue: 'lead', onFalse: null },
    { id: 'lead', type: 'createLead', next: null },
    { id: 'pause', type: 'scheduler', wait: { for: 'P2D' }, next: 'split' },
    { id: 'split', type: 'splitter', mode: 'percentage', branches: [{ share: 50, next: 'again' }, { share: 50, next: null }] },
    { id: 'again', type: 'email', emailId: email.id, next: null },
  ],
});

const body = { horizon: 'P30D', rates: { opened: 0.4, clicked: 0.1 }, byDay: true };
const timed = async () => {
  const start = performance.now();
  const answer = await api('POST', `/journeys/${journey.id}/forecast`, body);
  return { ms: performance.now() - start, answer };
};
// The floor on this machine at this moment: one bare count over the same contacts.
const bareStart = performance.now();
await db.query('select count(*) from contacts where not suppressed');
const bareCountMs = performance.now() - bareStart;
const cold = await timed();
const warm: number[] = [];
for (let run = 0; run < 5; run += 1) warm.push((await timed()).ms);
warm.sort((a, b) => a - b);
log(`audience ${cold.answer.contacts.toLocaleString('en-US')}, excluded ${JSON.stringify(cold.answer.excluded)}, tiles ${JSON.stringify(cold.answer.tiles)}`);

await runtime.close();
// BENCH_KEEP=1 leaves the database for a look at the plans.
if (!process.env.BENCH_KEEP) await drop();
report({ contacts, audience: cold.answer.contacts, coldMs: Math.round(cold.ms), forecastMs: Math.round(warm[2]!), bareCountMs: Math.round(bareCountMs) });
