/**
 * Resource limits (docs/limits.md): whatever a user puts into a template, a segment or a request,
 * the process stays up, other users keep being served, and the answer is a clear 4xx naming the
 * problem. Each case reproduces a finding of the security review.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/testServer.ts';

const FOOTER = '{{ content.postalAddress }} <a href="{{ content.subscriptionCenterUrl }}">prefs</a>';
const HUGE_RANGE = '{% for i in (1..200000000) %}{% endfor %}';

describe('resource limits', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const post = async (path: string, body?: unknown) => {
    const response = await server.api('POST', path, body);
    expect(response.status, `${path} ${JSON.stringify(response.body)}`).toBeLessThan(300);
    return response.body;
  };

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-06-01T10:00:00Z' });
    await post('/content-settings', { name: 'Default', postalAddress: '3 Mill', isDefault: true });
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  describe('Liquid', () => {
    it('refuses to publish an email whose template runs past a limit, naming the part', async () => {
      const email = await post('/emails', { name: 'Range', subject: 'Hi', html: `<p>${HUGE_RANGE}</p>${FOOTER}` });
      const preview = await server.api('GET', `/emails/${email.id}/preview`);
      expect(preview.status).toBe(422);
      expect(preview.body.errors).toEqual([{ path: 'html', message: expect.stringMatching(/memory alloc limit exceeded/) }]);
      const publish = await server.api('POST', `/emails/${email.id}/publish`);
      expect(publish.status).toBe(422);
      expect(publish.body.errors).toEqual([{ path: 'html', message: expect.stringMatching(/memory alloc limit exceeded/) }]);
      const subject = await post('/emails', { name: 'Range subject', subject: HUGE_RANGE, html: `<p>x</p>${FOOTER}` });
      expect((await server.api('POST', `/emails/${subject.id}/publish`)).body.errors).toEqual([{ path: 'subject', message: expect.any(String) }]);
    });

    it('answers a 64 MiB output with a small 422 rather than a 134 MB page', async () => {
      const line = 'x'.repeat(1024);
      const email = await post('/emails', { name: 'Huge', subject: 'Hi', html: `{% for i in (1..65536) %}${line}{% endfor %}${FOOTER}` });
      const before = process.memoryUsage().rss;
      const preview = await server.api('GET', `/emails/${email.id}/preview`);
      expect(preview.status).toBe(422);
      expect(preview.body.errors).toEqual([{ path: 'html', message: 'cannot be rendered: output exceeds 1048576 characters' }]);
      expect(JSON.stringify(preview.body).length).toBeLessThan(2000);
      expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1024 * 1024);
    });

    it('fails only the message whose render runs past a limit, with the reason, and sends the others', async () => {
      await post('/attributes', { entity: 'contact', name: 'loops', type: 'number' });
      const small = await post('/contacts', { email: 'small@example.com', consent: 'marketing', attributes: { loops: 3 } });
      const huge = await post('/contacts', { email: 'huge@example.com', consent: 'marketing', attributes: { loops: 200_000_000 } });
      const segment = await post('/segments', { name: 'Loopers', kind: 'static' });
      await post(`/segments/${segment.id}/members`, { add: [small.id, huge.id] });
      // Within every limit for the preview contact (no attributes): it publishes.
      const email = await post('/emails', { name: 'Loops', subject: 'Loops', html: `<p>{% for i in (1..contact.attributes.loops) %}*{% endfor %}</p>${FOOTER}` });
      await post(`/emails/${email.id}/publish`);
      const journey = await post('/journeys', {
        name: 'Loops',
        startAt: '2026-06-01T00:00:00Z',
        endAt: '2026-07-01T00:00:00Z',
        timeZone: 'UTC',
        tiles: [
          { id: 'in', type: 'segmentGroup', segments: [{ source: 'segment', segmentId: segment.id, mode: 'include' }], next: 'mail' },
          { id: 'mail', type: 'email', emailId: email.id, next: null },
        ],
      });
      await post(`/journeys/${journey.id}/go-live`);
      await server.drain();
      await server.drain();

      expect(smtp.messages.filter((m) => m.subject === 'Loops').map((m) => m.to)).toEqual(['small@example.com']);
      const messages = (await server.api('GET', `/messages?journeyId=${journey.id}`)).body.items;
      const byAddress = Object.fromEntries(messages.map((m: { to: string }) => [m.to, m]));
      expect(byAddress['small@example.com']).toMatchObject({ status: 'sent' });
      expect(byAddress['huge@example.com']).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/^renderFailed: .*memory alloc limit exceeded/) });
      // The message itself still opens, saying why it cannot be rendered.
      const failed = await server.api('GET', `/messages/${byAddress['huge@example.com'].id}`);
      expect(failed.status).toBe(200);
      expect(failed.body).toMatchObject({ rendered: null, renderError: expect.stringMatching(/memory alloc limit exceeded/) });
    });
  });

  describe('segments', () => {
    const conditions = (n: number, attribute = 'email') => Array.from({ length: n }, (_, i) => ({ attribute, op: 'eq', value: `nobody-${i}@example.com` }));
    /** `n` conditions (plus the and/or nodes around them), in groups of 100, as the schema allows. */
    const wide = (n: number) => ({ or: Array.from({ length: Math.ceil(n / 100) }, (_, i) => ({ and: conditions(Math.min(100, n - i * 100)) })) });
    const inSegmentTimes = (id: string, times: number) => ({ or: Array.from({ length: times }, () => ({ inSegment: id })) });
    const dynamic = async (name: string, query: unknown) => post('/segments', { name, kind: 'dynamic', query });

    it('refuses a change that makes a segment using this one too large once expanded, naming it', async () => {
      const base = await dynamic('Chain 0', { attribute: 'email', op: 'exists' });
      const one = await dynamic('Chain 1', inSegmentTimes(base.id, 10));
      const two = await dynamic('Chain 2', inSegmentTimes(one.id, 10));
      // Chain 2 holds 221 conditions; a third level would hold 2 221 and is refused at once.
      const three = await server.api('POST', '/segments', { name: 'Chain 3', kind: 'dynamic', query: inSegmentTimes(two.id, 10) });
      expect(three.status).toBe(400);
      expect(three.body.errors).toEqual([{ path: 'query', message: 'at most 2000 conditions, counting those of the segments it uses' }]);
      // Growing the base to 100 conditions keeps it (and Chain 1, 1 011) within the limit, not Chain 2 (10 121).
      const grown = await server.api('PATCH', `/segments/${base.id}`, { query: { and: conditions(99) } });
      expect(grown.status).toBe(422);
      expect(grown.body.segmentIds).toEqual([two.id]);
      expect(grown.body.errors).toEqual([{ path: 'query', message: expect.stringContaining(two.id) }]);
      expect((await server.api('GET', `/segments/${base.id}`)).body.query).toEqual({ attribute: 'email', op: 'exists' });
    });

    it('refuses a cycle of segments', async () => {
      const first = await dynamic('Cycle A', { attribute: 'email', op: 'exists' });
      const second = await dynamic('Cycle B', { inSegment: first.id });
      const cycle = await server.api('PATCH', `/segments/${first.id}`, { query: { or: [{ inSegment: second.id }, { attribute: 'email', op: 'exists' }] } });
      expect(cycle.status).toBe(400);
      expect(cycle.body.errors).toEqual([{ path: 'query.or.0.inSegment', message: 'a segment cannot contain itself' }]);
    });

    it('keeps admitting to every journey when a segment stored behind the API is too large or names itself', async () => {
      const good = await dynamic('Good people', { attribute: 'email', op: 'startsWith', value: 'good' });
      const journey = await post('/journeys', {
        name: 'Good journey',
        startAt: '2026-06-01T00:00:00Z',
        endAt: '2026-07-01T00:00:00Z',
        timeZone: 'UTC',
        tiles: [
          { id: 'in', type: 'segmentGroup', segments: [{ source: 'segment', segmentId: good.id, mode: 'include' }], next: 'wait' },
          { id: 'wait', type: 'scheduler', wait: { for: 'P7D' }, next: null },
        ],
      });
      await post(`/journeys/${journey.id}/go-live`);
      // Ten levels of fan-out 10 over a wide base: 10^5 conditions and more once expanded.
      const db = server.database.db;
      const insert = async (id: string, query: unknown) =>
        db.query(`insert into segments (id, name, kind, query, created_at, updated_at) values ($1, $1, 'dynamic', $2::jsonb, now(), now())`, [id, JSON.stringify(query)]);
      await insert('bad-0', wide(200));
      for (let level = 1; level <= 4; level += 1) await insert(`bad-${level}`, inSegmentTimes(`bad-${level - 1}`, 10));
      await insert('loop-a', { or: [{ inSegment: 'loop-b' }, { attribute: 'email', op: 'exists' }] });
      await insert('loop-b', { inSegment: 'loop-a' });

      const person = await post('/contacts', { email: 'good.person@example.com' });
      await server.drain();
      expect((await server.api('GET', `/journeys/${journey.id}/contacts/${person.id}`)).status).toBe(200);
      const later = await post('/contacts', { email: 'good.later@example.com' });
      await server.advance('PT1H');
      expect((await server.api('GET', `/journeys/${journey.id}/contacts/${later.id}`)).status).toBe(200);
      // The oversized ones are not compiled anywhere: listing their members says why.
      const members = await server.api('GET', '/segments/bad-4/members');
      expect(members.status).toBe(422);
      expect(members.body.detail).toMatch(/over 2000 conditions/);
    });
  });

  describe('small findings', () => {
    const journeyBody = (tiles: unknown[], extra: Record<string, unknown> = {}) => ({
      name: 'Small findings',
      startAt: '2026-06-01T00:00:00Z',
      endAt: '2026-07-01T00:00:00Z',
      timeZone: 'UTC',
      tiles,
      ...extra,
    });

    it('answers 400 naming cursor for a cursor whose id holds a NUL', async () => {
      const cursor = Buffer.from(JSON.stringify({ at: 1_780_000_000_000_000, id: 'x\u0000y' })).toString('base64url');
      const response = await server.api('GET', `/journeys?cursor=${cursor}`);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ path: 'cursor', message: 'not a cursor this API returned' }]);
    });

    it('counts tiles named __proto__ and constructor in insights like any other', async () => {
      const segment = await post('/segments', { name: 'Proto people', kind: 'static' });
      const person = await post('/contacts', { email: 'proto@example.com' });
      await post(`/segments/${segment.id}/members`, { add: [person.id] });
      const journey = await post(
        '/journeys',
        journeyBody([
          { id: '__proto__', type: 'segmentGroup', segments: [{ source: 'segment', segmentId: segment.id, mode: 'include' }], next: 'constructor' },
          { id: 'constructor', type: 'scheduler', wait: { for: 'P1D' }, next: 'toString' },
          { id: 'toString', type: 'scheduler', wait: { for: 'P1D' }, next: null },
        ]),
      );
      await post(`/journeys/${journey.id}/go-live`);
      await server.drain();
      const insights = await server.api('GET', `/journeys/${journey.id}/insights`);
      expect(insights.status).toBe(200);
      expect(Object.keys(insights.body.tiles).sort()).toEqual(['__proto__', 'constructor', 'toString']);
      expect(insights.body.tiles.__proto__).toMatchObject({ entered: 1, completed: 1 });
      expect(insights.body.tiles.constructor).toMatchObject({ entered: 1, waiting: 1 });
      expect(insights.body.tiles.toString).toMatchObject({ entered: 0, waiting: 0 });
    });

    it('refuses a journey with a misspelt field, naming it, at the top and inside a tile', async () => {
      const segment = await post('/segments', { name: 'Suppressed', kind: 'static' });
      const tiles = [{ id: 'wait', type: 'scheduler', wait: { for: 'P1D' }, next: null }];
      const misspelt = await server.api('POST', '/journeys', journeyBody(tiles, { supressionSegmentId: segment.id }));
      expect(misspelt.status).toBe(400);
      expect(misspelt.body.errors).toEqual([{ path: 'supressionSegmentId', message: 'unknown field' }]);
      const inTile = await server.api('POST', '/journeys', journeyBody([{ ...tiles[0], colour: 'red' }]));
      expect(inTile.status).toBe(400);
      expect(inTile.body.errors).toEqual([{ path: 'tiles.0.colour', message: 'unknown field' }]);
      const journey = await post('/journeys', journeyBody(tiles));
      const patched = await server.api('PATCH', `/journeys/${journey.id}`, { supressionSegmentId: segment.id });
      expect(patched.status).toBe(400);
      expect(patched.body.errors).toEqual([{ path: 'supressionSegmentId', message: 'unknown field' }]);
      const segmentTypo = await server.api('POST', '/segments', { name: 'Typo', kind: 'static', qeury: {} });
      expect(segmentTypo.body.errors).toEqual([{ path: 'qeury', message: 'unknown field' }]);
    });

    it('answers 400 naming ownerUserId for an unknown owner, on create, replace and change', async () => {
      const tiles = [{ id: 'wait', type: 'scheduler', wait: { for: 'P1D' }, next: null }];
      const created = await server.api('POST', '/journeys', journeyBody(tiles, { ownerUserId: 'no-such-user' }));
      expect(created.status).toBe(400);
      expect(created.body.errors).toEqual([{ path: 'ownerUserId', message: 'no user with this id' }]);
      const journey = await post('/journeys', journeyBody(tiles));
      for (const [method, payload] of [['PUT', journeyBody(tiles, { ownerUserId: 'no-such-user' })], ['PATCH', { ownerUserId: 'no-such-user' }]] as const) {
        const response = await server.api(method, `/journeys/${journey.id}`, payload);
        expect(response.status, method).toBe(400);
        expect(response.body.errors).toEqual([{ path: 'ownerUserId', message: 'no user with this id' }]);
      }
      const me = (await server.api('GET', '/users')).body.items[0].id;
      const owned = await server.api('PUT', `/journeys/${journey.id}`, journeyBody(tiles, { ownerUserId: me }));
      expect(owned.status).toBe(200);
      expect(owned.body.ownerUserId).toBe(me);
    });
  });

  describe('requests', () => {
    it('answers 400 naming the array for one longer than any resource takes, before looking at its elements', async () => {
      // 8 MB, as in the review: within the body limit, 400 times the longest batch.
      const payload = JSON.stringify({ contacts: new Array(4_000_000).fill(0) });
      expect(payload.length).toBeLessThan(16 * 1024 * 1024);
      // Another request answers meanwhile: the event loop is not held.
      const [refused, other] = await Promise.all([server.api('POST', '/contacts/batch', payload), server.api('GET', '/journeys?limit=1')]);
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([{ path: 'contacts', message: 'at most 10000 items' }]);
      expect(other.status).toBe(200);
    });

    it('answers 400 naming the array for one longer than its field takes, by the field\'s own bound', async () => {
      const rows = Array.from({ length: 10_000 }, (_, i) => ({ email: `r${i}@example.com` }));
      const segment = await post('/segments', { name: 'Bounded', kind: 'static' });
      const tooMany = await server.api('POST', '/journeys', {
        name: 'Too many tiles',
        startAt: '2026-06-01T00:00:00Z',
        endAt: '2026-07-01T00:00:00Z',
        timeZone: 'UTC',
        tiles: rows.map((_, i) => ({ id: `t${i}`, type: 'segmentGroup', segments: [{ source: 'segment', segmentId: segment.id, mode: 'include' }], next: null })),
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.errors).toEqual([{ path: 'tiles', message: 'Too big: expected array to have <=1000 items' }]);
      const events = await server.api('POST', '/events', { events: rows.map((row) => ({ email: row.email, type: 'visited' })) });
      expect(events.status).toBe(400);
      expect(events.body.errors).toEqual([{ path: 'events', message: expect.stringMatching(/<=1000 items/) }]);
    });

    it('closes a connection that sends half a request and then nothing', async () => {
      const { buildServer } = await import('@waymark/server');
      const { EmailRenderer } = await import('@waymark/engine');
      const { connect } = await import('node:net');
      const runtime = server.runtime;
      const app = await buildServer(
        { db: server.database.db, clock: server.clock, worker: runtime.worker, renderer: new EmailRenderer(), config: runtime.config },
        { timeouts: { headersMs: 300, requestMs: 600, checkEveryMs: 100 } },
      );
      await app.listen({ host: '127.0.0.1', port: 0 });
      const port = (app.server.address() as { port: number }).port;
      /** Sends `text`, then waits (at most 10 s) for the server to answer or hang up; what it said. */
      const stall = (text: string) =>
        new Promise<string>((resolve, reject) => {
          let answer = '';
          const socket = connect(port, '127.0.0.1', () => socket.write(text));
          socket.on('data', (chunk) => (answer += chunk.toString()));
          socket.on('close', () => resolve(answer));
          socket.on('error', reject);
          setTimeout(() => {
            socket.destroy();
            reject(new Error('the server kept the connection open'));
          }, 10_000).unref();
        });
      try {
        expect(await stall('GET /api/v1/journeys HTTP/1.1\r\nHost: x\r\n')).toMatch(/^HTTP\/1\.1 408/);
        const head = `POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
        expect(await stall(`${head}{"email":`)).toMatch(/^HTTP\/1\.1 408/);
      } finally {
        await app.close();
      }
    });
  });

  // PGlite has one connection and cannot cancel a statement: there the query limits above are the bound.
  describe.runIf(process.env.WAYMARK_TEST_DATABASE_URL)('previews on PostgreSQL', () => {
    it('has a pool of its own for previews', () => {
      expect(server.database.db.previews).toBeDefined();
    });

    it('stops costly previews at the statement timeout with a 503, while other requests are served from the main pool', async () => {
      const { buildServer } = await import('@waymark/server');
      const { connectPreviewPool, EmailRenderer, withPreviews } = await import('@waymark/engine');
      // Last in this file: 100 000 contacts to make a query with 1 000-value `in` lists costly.
      await server.database.db.exec(`insert into contacts (email) select 'many' || n || '@example.com' from generate_series(1, 100000) n`);
      const previews = connectPreviewPool(server.database.url!, { connections: 2, statementTimeoutMs: 200, connectionWaitMs: 5_000 });
      const db = withPreviews(server.database.db, previews);
      const runtime = server.runtime;
      const app = await buildServer({ db, clock: server.clock, worker: runtime.worker, renderer: new EmailRenderer(), config: runtime.config });
      const base = await app.listen({ host: '127.0.0.1', port: 0 });
      const call = async (method: string, path: string, payload?: unknown) => {
        const response = await fetch(`${base}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
          body: payload ? JSON.stringify(payload) : undefined,
        });
        return { status: response.status, body: await response.json() };
      };
      try {
        const values = Array.from({ length: 1000 }, (_, i) => String(i));
        // 100 conditions of 1 000 values over 100 000 contacts: some 10^10 comparisons.
        const costly = { and: Array.from({ length: 100 }, () => ({ attribute: 'email', op: 'notIn', value: values })) };
        const finished: string[] = [];
        const previewsDone = Array.from({ length: 4 }, (_, i) =>
          call('POST', '/segments/preview', { query: costly }).then((response) => {
            finished.push(`preview ${i}`);
            return response;
          }),
        );
        const journeys = await call('GET', '/journeys?limit=1');
        finished.push('journeys');
        expect(journeys.status).toBe(200);
        const answers = await Promise.all(previewsDone);
        for (const answer of answers) {
          expect(answer.status).toBe(503);
          expect(answer.body).toMatchObject({ status: 503, detail: expect.stringMatching(/statement timeout|busy/) });
        }
        // The main pool answered while the previews were still being stopped.
        expect(finished[0]).toBe('journeys');
      } finally {
        await app.close();
        await previews.close();
      }
    });
  });
});

