/**
 * The operator reads JSON lines: one per request and one per engine error. Whatever a request
 * carries (an API key, a session cookie, a password, a token in the path or the query, an email's
 * body), none of it may reach the log. The log stream is captured whole while requests carrying
 * all of those are made, then searched for every secret value.
 */
import { Writable } from 'node:stream';
import { createLogger } from '@waymark/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/testServer.ts';

const SECRETS = {
  password: 'correct-horse-battery-staple-42',
  session: 'session-cookie-value-9f8e7d6c',
  pathToken: 'path-token-3b2a1908a7b6c5d4',
  queryToken: 'query-token-0a1b2c3d4e5f',
  headerKey: 'wm_header_api_key_5e4d3c2b1a',
  body: 'the-confidential-offer-body-771',
  subject: 'confidential-subject-line-552',
  malformed: 'malformed-json-secret-313',
};

interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  method?: string;
  route?: string;
  status?: number;
  durationMs?: number;
  userId?: string;
  err?: { message: string };
}

describe('JSON log lines, with every secret kept out', () => {
  let server: TestServer;
  let captured = '';
  const lines = () =>
    captured
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        captured += chunk.toString('utf8');
        done();
      },
    });
    // The most verbose level: whatever any level would write is searched.
    server = await startTestServer({ logger: createLogger({ level: 'trace', destination }) });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('writes one line per request with method, route, status, duration, request id and user id', async () => {
    const response = await fetch(`${server.url}/api/v1/journeys`, { headers: { authorization: `Bearer ${ADMIN_KEY}`, 'x-request-id': 'trace-abc-123' } });
    expect(response.status).toBe(200);
    // The caller's request id is kept and echoed, so its logs and ours join up.
    expect(response.headers.get('x-request-id')).toBe('trace-abc-123');
    const [admin] = await server.database.db.query<{ user_id: string }>('select user_id from api_keys limit 1');
    const line = lines().find((entry) => entry.requestId === 'trace-abc-123');
    expect(line).toMatchObject({ level: 30, msg: 'request', method: 'GET', route: '/api/v1/journeys', status: 200, userId: admin!.user_id });
    expect(line!.durationMs).toBeGreaterThanOrEqual(0);
    expect(lines().filter((entry) => entry.requestId === 'trace-abc-123')).toHaveLength(1);

    // Without a usable id of the caller's, each request gets its own.
    const other = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'not a sane id\u00e9' } });
    const generated = other.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines().find((entry) => entry.requestId === generated)).toMatchObject({ route: '/healthz', status: 200 });
  });

  it('keeps API keys, cookies, passwords, tokens and message bodies out of every line', async () => {
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}`, ...headers }, body });
    const cookie = `waymark_session=${SECRETS.session}; theme=dark`;
    const answers = await Promise.all([
      post('/api/v1/auth/login', JSON.stringify({ email: 'ann@example.com', password: SECRETS.password }), { cookie }),
      post('/api/v1/users', JSON.stringify({ email: 'bob@example.com', name: 'Bob', role: 'viewer', password: SECRETS.password })),
      post('/api/v1/emails', JSON.stringify({ name: 'Offer', subject: SECRETS.subject, html: `<p>${SECRETS.body}</p>` })),
      post('/api/v1/emails', `{"name": "Broken", "html": "${SECRETS.malformed}`),
      fetch(`${server.url}/api/v1/contacts?token=${SECRETS.queryToken}&api_key=${SECRETS.queryToken}`, { headers: { authorization: `Bearer ${ADMIN_KEY}`, cookie } }),
      fetch(`${server.url}/api/v1/contacts`, { headers: { 'x-api-key': SECRETS.headerKey, authorization: `Bearer ${SECRETS.headerKey}` } }),
      fetch(`${server.url}/u/${SECRETS.pathToken}`),
      fetch(`${server.url}/t/c/${SECRETS.pathToken}`, { redirect: 'manual' }),
      fetch(`${server.url}/journeys/${SECRETS.pathToken}?token=${SECRETS.queryToken}`, { headers: { cookie } }),
    ]);
    // The requests really reached the server and were answered (some refused, as they should be).
    expect(answers.map((answer) => answer.status)).toContain(201);
    expect(answers.map((answer) => answer.status)).toContain(401);
    expect(lines().filter((line) => line.msg === 'request').length).toBeGreaterThanOrEqual(answers.length);

    for (const [what, secret] of Object.entries({ ...SECRETS, adminKey: ADMIN_KEY })) expect(captured, what).not.toContain(secret);
  });

  it('logs an unexpected failure once, as an error with its request id, and the engine errors of the worker', async () => {
    // A table the worker needs goes missing: every request and worker pass touching it fails.
    await server.database.db.exec('alter table outbox rename to outbox_away');
    try {
      const failed = await fetch(`${server.url}/api/v1/admin/drain`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(failed.status).toBe(500);
      expect(await failed.text()).not.toContain('outbox');
      const requestId = failed.headers.get('x-request-id');
      const errors = lines().filter((line) => line.requestId === requestId && line.level === 50);
      expect(errors).toEqual([expect.objectContaining({ msg: 'request failed', err: expect.objectContaining({ message: expect.stringContaining('outbox') }) })]);

      server.runtime.worker.start();
      await expect.poll(() => lines().some((line) => line.msg === 'engine error' && line.level === 50), { timeout: 30_000 }).toBe(true);
      await server.runtime.worker.stop();
    } finally {
      await server.database.db.exec('alter table outbox_away rename to outbox');
    }
  });
});
