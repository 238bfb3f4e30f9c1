/**
 * An operator's view of a running Waymark, over real HTTP: liveness and readiness for the
 * orchestrator, Prometheus metrics for alerting (behind their own token), and none of these
 * ever answered by the designer's catch-all.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** Three Oslo contacts on a journey that waits a day, then emails them. */
async function launchJourney(server: TestServer): Promise<void> {
  const create = async (path: string, body: unknown) => {
    const response = await server.api('POST', path, body);
    expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(201);
    return response.body as { id: string };
  };
  await create('/content-settings', { name: 'Default', postalAddress: '1 Main Street, Oslo', isDefault: true });
  for (const name of ['ann', 'bob', 'cat']) await create('/contacts', { email: `${name}@example.com`, consent: 'marketing', attributes: { city: 'Oslo' } });
  const segment = await create('/segments', { name: 'Oslo', kind: 'dynamic', query: { attribute: 'city', op: 'eq', value: 'Oslo' } });
  const email = await create('/emails', { name: 'Hello', subject: 'Hello', html: '<p>Hello from Oslo</p><p><a href="{{ content.subscriptionCenterUrl }}">Subscriptions</a> {{ content.postalAddress }}</p>' });
  const published = await server.api('POST', `/emails/${email.id}/publish`);
  expect(published.status, JSON.stringify(published.body)).toBe(200);
  const journey = await create('/journeys', {
    name: 'Oslo welcome',
    target: 'contacts',
    startAt: '2026-01-05T00:00:00Z',
    endAt: '2026-12-31T00:00:00Z',
    timeZone: 'UTC',
    tiles: [
      { id: 'audience', type: 'segmentGroup', name: 'Oslo', combine: 'union', segments: [{ source: 'segment', segmentId: segment.id, mode: 'include' }], next: 'wait' },
      { id: 'wait', type: 'scheduler', name: 'A day later', wait: { for: 'P1D' }, next: 'hello' },
      { id: 'hello', type: 'email', name: 'Hello', emailId: email.id, next: null },
    ],
  });
  expect((await server.api('POST', `/journeys/${journey.id}/go-live`)).body).toEqual({ status: 'live' });
}

async function scrape(server: TestServer, token?: string): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await fetch(`${server.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

/** The value of one sample, e.g. `waymark_outbox_pending{kind="email"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('health, readiness and metrics of a running Waymark', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url });
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('is alive and ready without an API key, and says so as JSON', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
  });

  it('is not ready while a migration this code needs is missing from the database', async () => {
    const [latest] = await server.database.db.query<{ version: number; name: string }>('select version, name from schema_migrations order by version desc limit 1');
    await server.database.db.query('delete from schema_migrations where version = $1', [latest!.version]);
    try {
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'unavailable', checks: { database: 'ok', migrations: `1 pending: ${latest!.name}` } });
    } finally {
      await server.database.db.query('insert into schema_migrations (version, name) values ($1, $2)', [latest!.version, latest!.name]);
    }
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('never answers the operations paths or unknown API paths with the designer', async () => {
    for (const path of ['/healthz/deep', '/readyz/x', '/metrics/extra', '/api/v1/no-such-thing', '/api/v2/journeys', '/api']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toContain('application/problem+json');
    }
    // While a page path still gets the app.
    expect((await fetch(`${server.url}/journeys/anything`)).headers.get('content-type')).toContain('text/html');
  });

  it('counts admissions, steps and sends, and reads the backlog from the database at scrape time', async () => {
    await launchJourney(server);
    const first = await server.drain();
    let metrics = await scrape(server);
    expect(metrics.status).toBe(200);
    expect(metrics.contentType).toContain('text/plain');
    expect(sample(metrics.text, 'waymark_contacts_admitted_total')).toBe(3);
    expect(sample(metrics.text, 'waymark_steps_total')).toBe(first.steps);
    expect(sample(metrics.text, 'waymark_due_lag_seconds')).toBe(0);

    // The wait ends a day after admission; two hours past that, nothing has moved yet.
    expect((await server.api('POST', '/admin/clock', { advance: 'PT26H' })).status).toBe(200);
    metrics = await scrape(server);
    expect(sample(metrics.text, 'waymark_due_lag_seconds')).toBe(2 * 3600);

    const second = await server.drain();
    await smtp.waitFor(3);
    metrics = await scrape(server);
    expect(sample(metrics.text, 'waymark_due_lag_seconds')).toBe(0);
    expect(sample(metrics.text, 'waymark_steps_total')).toBe(first.steps + second.steps);
    expect(sample(metrics.text, 'waymark_emails_sent_total')).toBe(3);
    expect(sample(metrics.text, 'waymark_outbox_pending{kind="email"}')).toBe(0);
    expect(sample(metrics.text, 'waymark_outbox_pending{kind="workflow"}')).toBe(0);
    // Each batch that stepped someone is timed.
    expect(sample(metrics.text, 'waymark_step_batch_duration_seconds_count')).toBeGreaterThanOrEqual(2);
    // Requests by route pattern (never the raw URL, which carries ids and tokens) and status.
    expect(sample(metrics.text, 'http_request_duration_seconds_count{method="POST",route="/api/v1/contacts",status="201"}')).toBe(3);
    expect(sample(metrics.text, 'http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}')).toBeGreaterThanOrEqual(1);
    expect(metrics.text).not.toContain('/api/v1/journeys/anything');
    // What the process itself costs, for the usual node dashboards.
    expect(sample(metrics.text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});

describe('metrics behind WAYMARK_METRICS_TOKEN, and what an operator alerts on', () => {
  let rejecting: SMTPServer;
  let server: TestServer;

  beforeAll(async () => {
    // A real SMTP server that refuses every recipient for good (550), as for a mailbox that does not exist.
    rejecting = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('no such mailbox'), { responseCode: 550 }));
      },
    });
    await new Promise<void>((resolve) => rejecting.listen(0, '127.0.0.1', resolve));
    const { port } = rejecting.server.address() as AddressInfo;
    server = await startTestServer({ smtpUrl: `smtp://127.0.0.1:${port}`, metricsToken: METRICS_TOKEN });
  });

  afterAll(async () => {
    await server?.close();
    await new Promise<void>((resolve) => rejecting?.close(() => resolve()));
  });

  it('answers 401 without the token or with a wrong one, and the metrics with it', async () => {
    for (const token of [undefined, 'wrong-token', `${METRICS_TOKEN}x`]) {
      const denied = await scrape(server, token);
      expect(denied.status).toBe(401);
      expect(denied.text).not.toContain('waymark_');
    }
    // An API key is not the metrics token either.
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wm_test_admin_key_0123456789' } })).status).toBe(401);
    expect((await scrape(server, METRICS_TOKEN)).status).toBe(200);
    // Health and readiness stay open: an orchestrator has no token.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('counts sends the SMTP server refused', async () => {
    await launchJourney(server);
    await server.drain();
    await server.advance('P1D');
    const metrics = await scrape(server, METRICS_TOKEN);
    expect(sample(metrics.text, 'waymark_emails_failed_total{reason="rejected"}')).toBeGreaterThanOrEqual(3);
    expect(sample(metrics.text, 'waymark_emails_sent_total')).toBe(0);
  });

  it('counts failing database statements and reports readiness 503 once the database is gone', async () => {
    const before = sample((await scrape(server, METRICS_TOKEN)).text, 'waymark_db_query_errors_total') ?? 0;
    expect((await server.api('GET', '/journeys?limit=x')).status).toBe(400);
    await server.database.db.close();
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', checks: { database: 'unreachable', migrations: 'unknown' } });
    // The process is still alive, and still answers a scrape (the backlog gauges keep their last value).
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const metrics = await scrape(server, METRICS_TOKEN);
    expect(metrics.status).toBe(200);
    expect(sample(metrics.text, 'waymark_db_query_errors_total')).toBeGreaterThan(before);
  });
});
