/**
 * Workflow webhooks (contract §13): a workflow URL that reaches loopback, private or link-local
 * addresses is refused when it is registered (400) and when it is called (`failed`, never sent),
 * whatever spelling or host name leads there; with WAYMARK_WEBHOOK_ALLOW_PRIVATE=1 such a URL
 * works. Every call carries a timestamp and the V2 signature over "<timestamp>.<body>" beside the
 * first signature; a redirect is not followed; a failure leaves a generic reason in the contact's
 * path, never the connection error that would map the network's ports.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const SECRET = 'crm-shared-secret-42';

interface Call {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on this machine: /hook answers 204, /moved redirects to /hook with 307. */
async function startReceiver(): Promise<{ server: Server; port: number; calls: Call[] }> {
  const calls: Call[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      calls.push({ path: request.url ?? '', headers: request.headers, body });
      if (request.url === '/moved') {
        response.writeHead(307, { location: '/hook' });
      } else {
        response.statusCode = 204;
      }
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, calls };
}

/** A live journey that calls `workflowId` for one contact, and that contact's id. */
async function journeyCalling(server: TestServer, workflowId: string, email: string): Promise<{ journeyId: string; contactId: string }> {
  const contactId = (await server.api('POST', '/contacts', { email, consent: 'marketing' })).body.id;
  const segment = (await server.api('POST', '/segments', { name: `Who ${email}`, kind: 'static' })).body.id;
  await server.api('POST', `/segments/${segment}/members`, { add: [contactId] });
  const journey = await server.api('POST', '/journeys', {
    name: `Calls ${email}`,
    startAt: '2026-01-05T00:00:00Z',
    endAt: '2026-03-01T00:00:00Z',
    timeZone: 'UTC',
    tiles: [
      { id: 'who', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: segment, mode: 'include' }], next: 'crm' },
      { id: 'crm', type: 'launchWorkflow', workflowId, next: null },
    ],
  });
  expect(journey.status, JSON.stringify(journey.body)).toBe(201);
  expect((await server.api('POST', `/journeys/${journey.body.id}/go-live`)).body).toEqual({ status: 'live' });
  return { journeyId: journey.body.id, contactId };
}

describe('workflow URLs under the default address policy', () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    server = await startTestServer();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await server.close();
    receiver.server.close();
  });

  it('refuses at creation every URL that reaches loopback, private or link-local addresses, however spelled', async () => {
    const refused = [
      `http://127.0.0.1:${receiver.port}/hook`,
      'http://127.1/hook',
      'http://2130706433/hook', // 127.0.0.1 as one number
      'http://0x7f.0.0.1/hook',
      'http://0.0.0.0/hook',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[::ffff:a9fe:a9fe]/latest/meta-data/', // 169.254.169.254, IPv4-mapped
      'http://10.1.2.3/hook',
      'http://172.20.0.5/hook',
      'http://192.168.1.1/admin',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.64.0.1/hook',
      'http://[fd00::1]/hook',
      'http://[fe80::1]/hook',
      // A host name is judged by the addresses it resolves to.
      `http://localhost:${receiver.port}/hook`,
      'https://LOCALHOST/hook',
    ];
    for (const url of refused) {
      const response = await server.api('POST', '/workflows', { name: 'Sneaky', url, secret: SECRET });
      expect(response.status, url).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.errors, url).toEqual([{ path: 'url', message: expect.stringContaining('public internet address') }]);
    }
    expect((await server.api('GET', '/workflows')).body.items).toEqual([]);
  });

  it('accepts a public address, and a name that does not resolve yet (it is checked again at every call)', async () => {
    for (const url of ['http://93.184.216.34/hook', 'https://crm.example.com/hooks/waymark']) {
      const response = await server.api('POST', '/workflows', { name: 'CRM', url, secret: SECRET });
      expect(response.status, url).toBe(201);
    }
  });

  it('fails at call time a workflow whose address turned out private, sends nothing and never retries', async () => {
    // Registered before the policy existed (or its name now resolves elsewhere): the call checks again.
    const [row] = await server.database.db.query<{ id: string }>(`insert into workflows (name, url, secret) values ('Old', $1, $2) returning id`, [
      `http://localhost:${receiver.port}/hook`,
      SECRET,
    ]);
    const { journeyId, contactId } = await journeyCalling(server, row!.id, 'ann@example.com');
    await server.drain();
    await server.advance('P2D');
    expect(receiver.calls).toEqual([]);
    const path = (await server.api('GET', `/journeys/${journeyId}/contacts/${contactId}`)).body;
    const failures = path.history.filter((entry: { outcome: string }) => entry.outcome === 'workflowFailed');
    expect(failures).toEqual([expect.objectContaining({ reason: 'the workflow address is not a public internet address', retryAt: null })]);
    expect((await server.api('GET', `/journeys/${journeyId}/insights`)).body.tiles.crm).toMatchObject({ called: 0, retrying: 0, failed: 1 });
  });
});

describe('workflow calls with WAYMARK_WEBHOOK_ALLOW_PRIVATE=1', () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    server = await startTestServer({ now: '2026-01-05T09:00:00Z', webhooks: { addressPolicy: { allowPrivate: true } } });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await server.close();
    receiver.server.close();
  });

  it('signs each call with a timestamp (V2) and the first signature', async () => {
    const workflow = await server.api('POST', '/workflows', { name: 'CRM', url: `http://localhost:${receiver.port}/hook`, secret: SECRET });
    expect(workflow.status).toBe(201);
    await journeyCalling(server, workflow.body.id, 'bea@example.com');
    await server.drain();
    expect(receiver.calls).toHaveLength(1);
    const [call] = receiver.calls;
    const timestamp = call!.headers['waymark-timestamp'];
    // Unix seconds of the engine's clock when the call was made.
    expect(timestamp).toBe(String(Date.parse('2026-01-05T09:00:00Z') / 1000));
    const hmac = (text: string) => `sha256=${createHmac('sha256', SECRET).update(text).digest('hex')}`;
    expect(call!.headers['waymark-signature-v2']).toBe(hmac(`${timestamp}.${call!.body}`));
    expect(call!.headers['waymark-signature']).toBe(hmac(call!.body));
    // A replay under another timestamp does not verify.
    expect(call!.headers['waymark-signature-v2']).not.toBe(hmac(`${Number(timestamp) + 1}.${call!.body}`));
  });

  it('does not follow a redirect: the signed body goes only where it was sent', async () => {
    receiver.calls.length = 0;
    const workflow = (await server.api('POST', '/workflows', { name: 'Moved', url: `http://127.0.0.1:${receiver.port}/moved`, secret: SECRET })).body.id;
    const { journeyId, contactId } = await journeyCalling(server, workflow, 'cid@example.com');
    await server.drain();
    expect(receiver.calls.map((call) => call.path)).toEqual(['/moved']);
    const path = (await server.api('GET', `/journeys/${journeyId}/contacts/${contactId}`)).body;
    expect(path.history.find((entry: { outcome: string }) => entry.outcome === 'workflowFailed')).toMatchObject({ reason: 'workflow answered 307 (redirects are not followed)' });
  });

  it('leaves the same reason in the path for a closed port, an open port that is not HTTP and an unknown name', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const notHttp = createServer().on('connection', (socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'));
    await new Promise<void>((resolve) => notHttp.listen(0, '127.0.0.1', resolve));
    try {
      const reasons: string[] = [];
      for (const [n, url] of [`http://127.0.0.1:${closedPort}/`, `http://127.0.0.1:${(notHttp.address() as AddressInfo).port}/`, 'http://no-such-host.invalid/'].entries()) {
        const workflow = (await server.api('POST', '/workflows', { name: `W${n}`, url, secret: SECRET })).body.id;
        const { journeyId, contactId } = await journeyCalling(server, workflow, `probe${n}@example.com`);
        await server.drain();
        const path = (await server.api('GET', `/journeys/${journeyId}/contacts/${contactId}`)).body;
        reasons.push(path.history.find((entry: { outcome: string }) => entry.outcome === 'workflowFailed')?.reason);
      }
      expect(reasons).toEqual(['the workflow could not be reached', 'the workflow could not be reached', 'the workflow could not be reached']);
    } finally {
      notHttp.close();
    }
  });
});
