import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { EmailRenderer } from '../email/render.ts';
import { contactPath } from '../store/contactPath.ts';
import { journeyInsights } from '../store/journeyInsights.ts';
import { createTestDatabase, type TestDatabase } from '../testing.ts';
import { Worker } from '../worker.ts';

const START = new Date('2026-03-02T10:00:00Z');

/**
 * Workflow calls that time out or keep failing: a timeout is retried like any failure, with the
 * same idempotency key; after a day of failures the call is given up. Every failed attempt is
 * visible in the contact's path, and the tile's insights count what is retrying and what failed.
 */
describe('failing workflow calls', () => {
  let database: TestDatabase;
  let endpoint: Server;
  const keys: Record<string, string[]> = { slow: [], down: [] };
  let slowCalls = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    endpoint = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const { idempotencyKey } = JSON.parse(body) as { idempotencyKey: string };
        if (request.url === '/slow') {
          keys.slow!.push(idempotencyKey);
          // The first call hangs past the timeout; the retry answers at once.
          if (slowCalls++ === 0) setTimeout(() => response.end(), 1_500).unref();
          else response.end();
          return;
        }
        keys.down!.push(idempotencyKey);
        response.statusCode = 500;
        response.end();
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const { port } = endpoint.address() as AddressInfo;
    const { db } = database;
    await db.query(`insert into accounts (id, name) values ('acme', 'Acme')`);
    await db.query(`insert into contacts (id, email, consent, account_id) values ('ann', 'ann@example.com', 'marketing', 'acme'), ('amy', 'amy@example.com', 'marketing', 'acme')`);
    await db.query(`insert into segments (id, name, kind) values ('s', 'S', 'static')`);
    await db.query(`insert into segment_members (segment_id, contact_id) values ('s', 'ann'), ('s', 'amy')`);
    await db.query(`insert into workflows (id, name, url, secret) values ('slow', 'Slow', $1, 'secret-1'), ('down', 'Down', $2, 'secret-2')`, [
      `http://127.0.0.1:${port}/slow`,
      `http://127.0.0.1:${port}/down`,
    ]);
    const definition = {
      name: 'Calls',
      target: 'accounts',
      scope: 'organization',
      startAt: '2026-03-01T00:00:00Z',
      endAt: '2026-04-01T00:00:00Z',
      timeZone: 'UTC',
      tiles: [
        { id: 'who', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: 's', mode: 'include' }], next: 'sync' },
        { id: 'sync', type: 'launchWorkflow', workflowId: 'slow', perAccount: false, next: 'crm' },
        { id: 'crm', type: 'launchWorkflow', workflowId: 'down', perAccount: true, next: null },
      ],
    };
    await db.query(`insert into journeys (id, name, status, definition) values ('j', 'Calls', 'live', $1)`, [JSON.stringify(definition)]);
  });

  afterAll(async () => {
    endpoint.close();
    await database.drop();
  });

  it('retries a call that timed out, with the same key, and shows the failure', async () => {
    const clock = await ManualClock.open(database.db, START);
    const worker = new Worker({ db: database.db, clock, workflowTimeoutMs: 300, webhooks: { addressPolicy: { allowPrivate: true } }, email: { publicUrl: 'http://x', secret: 's', defaultFrom: 'a@b.c', renderer: new EmailRenderer(), smtp: null } });
    await worker.drain();
    expect(keys.slow).toHaveLength(2); // the first call of each contact: one hangs, the other answers
    const tiles = [{ id: 'who', type: 'segmentGroup' }, { id: 'sync', type: 'launchWorkflow' }, { id: 'crm', type: 'launchWorkflow' }];
    expect((await journeyInsights(database.db, 'j', tiles)).tiles.sync).toMatchObject({ called: 1, retrying: 1, failed: 0 });
    await clock.set(new Date(START.getTime() + 30_000));
    await worker.drain();
    expect(keys.slow).toHaveLength(3);
    expect(new Set(keys.slow).size).toBe(2);
    expect((await journeyInsights(database.db, 'j', tiles)).tiles.sync).toMatchObject({ called: 2, retrying: 0, failed: 0 });
    const slowFailure = await database.db.query<{ contact_id: string; error: string }>(`select contact_id, error from effect_failures where tile_id = 'sync'`);
    expect(slowFailure).toEqual([{ contact_id: expect.any(String), error: 'workflow did not answer within 300 ms' }]);

    // The per-account call keeps failing: retried with backoff for a day, then given up.
    for (let hour = 1; hour <= 26; hour += 1) {
      await clock.set(new Date(START.getTime() + hour * 3_600_000));
      await worker.drain();
    }
    expect(new Set(keys.down)).toEqual(new Set(['j:1:crm:a:acme']));
    const attempts = keys.down!.length;
    expect(attempts).toBeGreaterThan(5);
    await clock.set(new Date(START.getTime() + 5 * 86_400_000));
    await worker.drain();
    expect(keys.down).toHaveLength(attempts);
    const insights = await journeyInsights(database.db, 'j', tiles);
    expect(insights.tiles.crm).toMatchObject({ called: 0, retrying: 0, failed: 1 });
    expect((await journeyInsights(database.db, 'j', tiles, 'acme')).tiles.crm).toMatchObject({ failed: 1 });

    // Each contact of the account sees the account's failed call in its path, the last one final.
    const path = (await contactPath(database.db, 'j', 'amy'))!;
    const failures = path.history.filter((entry) => entry.tileId === 'crm' && entry.outcome === 'workflowFailed');
    expect(failures).toHaveLength(attempts);
    expect(failures[0]).toMatchObject({ reason: 'workflow answered 500', retryAt: new Date(START.getTime() + 30_000) });
    expect(failures.at(-1)!.retryAt).toBeNull();
    expect(path.history.slice(0, 3).map((entry) => `${entry.tileId}:${entry.outcome}`)).toEqual(['who:entered', 'sync:launched', 'crm:launched']);
  });
});
