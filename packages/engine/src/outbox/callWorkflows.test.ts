import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { EmailRenderer } from '../email/render.ts';
import { createTestDatabase, type TestDatabase } from '../testing.ts';
import { Worker } from '../worker.ts';

interface Call {
  body: string;
  signature: string | undefined;
}

describe('launch-workflow calls', () => {
  let database: TestDatabase;
  let endpoint: Server;
  const calls: Call[] = [];
  let failuresLeft = 1;

  beforeAll(async () => {
    database = await createTestDatabase();
    endpoint = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        calls.push({ body, signature: request.headers['waymark-signature'] as string | undefined });
        // The first call fails, as a CRM that is briefly down would.
        response.statusCode = failuresLeft-- > 0 ? 503 : 200;
        response.end();
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const { port } = endpoint.address() as AddressInfo;
    const { db } = database;
    await db.query(`insert into contacts (id, email, consent) values ('ann', 'ann@example.com', 'marketing')`);
    await db.query(`insert into segments (id, name, kind) values ('vip', 'VIP', 'static')`);
    await db.query(`insert into segment_members (segment_id, contact_id) values ('vip', 'ann')`);
    await db.query(`insert into workflows (id, name, url, secret) values ('crm', 'CRM', $1, 'workflow-secret')`, [`http://127.0.0.1:${port}/hook`]);
    const definition = {
      name: 'Sync to CRM',
      target: 'contacts',
      scope: 'organization',
      startAt: '2026-03-02T00:00:00Z',
      endAt: '2026-04-02T00:00:00Z',
      timeZone: 'UTC',
      tiles: [
        { id: 'vip', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: 'vip', mode: 'include' }], next: 'sync' },
        { id: 'sync', type: 'launchWorkflow', workflowId: 'crm', perAccount: false, next: null },
      ],
    };
    await db.query(`insert into journeys (id, name, status, definition) values ('j1', 'Sync', 'live', $1)`, [JSON.stringify(definition)]);
  });

  afterAll(async () => {
    endpoint.close();
    await database.drop();
  });

  it('signs each call, retries a failure with the same idempotency key, and never calls again after success', async () => {
    const clock = await ManualClock.open(database.db, new Date('2026-03-02T10:00:00Z'));
    const worker = new Worker({ db: database.db, clock, webhooks: { addressPolicy: { allowPrivate: true } }, email: { publicUrl: 'http://x', secret: 's', defaultFrom: 'a@b.c', renderer: new EmailRenderer(), smtp: null } });
    await worker.drain();
    expect(calls).toHaveLength(1);

    // Backoff: nothing is retried until its time comes.
    await worker.drain();
    expect(calls).toHaveLength(1);
    await clock.set(new Date('2026-03-02T10:01:00Z'));
    await worker.drain();
    expect(calls).toHaveLength(2);

    await clock.set(new Date('2026-03-03T10:00:00Z'));
    await worker.drain();
    expect(calls).toHaveLength(2);

    const [first, second] = calls.map((call) => ({ ...call, parsed: JSON.parse(call.body) }));
    expect(first!.parsed).toEqual({ workflowId: 'crm', journeyId: 'j1', contactId: 'ann', idempotencyKey: 'j1:1:sync:c:ann' });
    expect(second!.parsed.idempotencyKey).toBe(first!.parsed.idempotencyKey);
    for (const call of calls) {
      expect(call.signature).toBe(`sha256=${createHmac('sha256', 'workflow-secret').update(call.body).digest('hex')}`);
    }
    const [row] = await database.db.query<{ status: string; attempts: number }>(`select status, attempts from outbox where kind = 'workflow'`);
    expect(row).toEqual({ status: 'sent', attempts: 2 });
  });
});
