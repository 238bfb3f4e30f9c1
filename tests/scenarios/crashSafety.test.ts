/**
 * Crash safety: worker processes are SIGKILLed in the middle of a 20 000-contact journey on
 * PostgreSQL; a new worker finishes the work each time. Every contact stands at exactly one tile,
 * passed each tile once, and got the white-paper email. The receiving server records every message
 * it takes, resends included, and the resends stay within the documented bound: at most one
 * message per SMTP connection per kill (docs/delivery.md).
 */
import { createTestDatabase, ManualClock, smtpSettings, type TestDatabase } from '@waymark/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWaymark, type WaymarkProcess } from '../cli/waymarkProcess.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';

const CONTACTS = 20_000;
/** Kill a worker once this many messages went out, then start a new one. */
const KILL_AT = [3000, 9000];
const START = new Date('2026-03-02T14:00:00Z');

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// A second worker process needs a database server to share; the embedded one belongs to one process.
describe.skipIf(!process.env.WAYMARK_TEST_DATABASE_URL)('a worker killed mid-batch loses nobody and sends nothing twice', () => {
  let database: TestDatabase;
  let smtp: TestSmtpServer;
  const workers: WaymarkProcess[] = [];

  const startWorker = () => {
    const worker = runWaymark(['worker', '--batch-size', '500'], {
      WAYMARK_DATABASE_URL: database.url!,
      WAYMARK_SMTP_URL: smtp.url,
      WAYMARK_CLOCK: 'manual',
      WAYMARK_SECRET: 'crash-test-secret',
      WAYMARK_OUTBOX_LEASE_SECONDS: '3',
    });
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await startTestSmtpServer();
    const { db } = database;
    await ManualClock.open(db, START);
    await db.query(
      `insert into contacts (id, email, first_name, consent, attributes)
       select 'c' || n, 'c' || n || '@example.com', 'Name' || n, 'marketing', '{"city": "New York"}'::jsonb from generate_series(1, $1::int) n`,
      [CONTACTS],
    );
    await db.query(`insert into segments (id, name, kind, query) values ('ny', 'NY', 'dynamic', '{"attribute": "city", "op": "eq", "value": "New York"}')`);
    await db.query(`insert into content_settings (name, postal_address, is_default) values ('Default', '1 Main St', true)`);
    await db.query(`insert into emails (id, name, subject, html, status) values ('paper', 'White paper', 'For {{ contact.firstName }}', '<p><a href="https://example.com/p.pdf">Get it</a> {{ content.postalAddress }}</p>', 'live')`);
    const definition = {
      name: 'Crash test',
      target: 'contacts',
      scope: 'organization',
      startAt: START.toISOString(),
      endAt: new Date(START.getTime() + 30 * 86_400_000).toISOString(),
      timeZone: 'America/New_York',
      tiles: [
        { id: 'audience', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: 'ny', mode: 'include' }], next: 'split' },
        { id: 'split', type: 'splitter', mode: 'percentage', branches: [{ share: 50, next: 'paper' }, { share: 50, next: 'paper' }] },
        { id: 'paper', type: 'email', emailId: 'paper', next: 'wait' },
        { id: 'wait', type: 'scheduler', wait: { for: 'P7D' }, next: null },
      ],
    };
    await db.query(`insert into journeys (id, name, status, definition) values ('crash', 'Crash test', 'live', $1)`, [JSON.stringify(definition)]);
  });

  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
    await smtp?.close();
    await database?.drop();
  });

  it('finishes the journey after the crashes with every contact at one tile and at most one resend per connection per kill', async () => {
    for (const sent of KILL_AT) {
      const victim = startWorker();
      await victim.waitFor(/waymark worker running/);
      // Kill it while it is busy: some mail is out, most is not, and a step batch may be open.
      await until(() => smtp.received.length >= sent, 300_000, `${sent} emails`);
      victim.kill('SIGKILL');
      const { signal } = await victim.exited;
      expect(signal).toBe('SIGKILL');
      expect(smtp.messages.length).toBeLessThan(CONTACTS);
    }

    const last = startWorker();
    await last.waitFor(/waymark worker running/);
    await until(() => smtp.messages.length >= CONTACTS, 600_000, 'every email');
    await until(
      async () => (await database.db.query<{ n: number }>(`select count(*)::int as n from outbox where status <> 'sent'`))[0]!.n === 0,
      30_000,
      'the outbox to settle',
    );
    last.kill('SIGTERM');
    expect((await last.exited).code).toBe(0);

    const { db } = database;
    const positions = await db.query<{ tile_id: string; status: string; n: number }>(`select tile_id, status, count(*)::int as n from journey_contacts group by 1, 2`);
    expect(positions).toEqual([{ tile_id: 'wait', status: 'active', n: CONTACTS }]);
    const passes = await db.query<{ tile_id: string; n: number; contacts: number }>(
      `select tile_id, count(*)::int as n, count(distinct contact_id)::int as contacts from journey_history group by 1 order by 1`,
    );
    expect(passes).toEqual([
      { tile_id: 'audience', n: CONTACTS, contacts: CONTACTS },
      { tile_id: 'paper', n: CONTACTS, contacts: CONTACTS },
      { tile_id: 'split', n: CONTACTS, contacts: CONTACTS },
    ]);
    // Every contact got the message. Counted without trusting Message-IDs: every message the
    // server took, by recipient. A message the server accepted just before its sender died, and
    // that was not yet marked sent, goes out again: at most one per connection per kill.
    const perRecipient = new Map<string, number>();
    for (const message of smtp.received) perRecipient.set(message.to, (perRecipient.get(message.to) ?? 0) + 1);
    expect(perRecipient.size).toBe(CONTACTS);
    const resends = smtp.received.length - CONTACTS;
    expect(resends).toBe([...perRecipient.values()].reduce((sum, n) => sum + n - 1, 0));
    expect(resends).toBeLessThanOrEqual(smtpSettings(smtp.url).connections * KILL_AT.length);
    expect(resends).toBe(smtp.duplicates);
    const [outbox] = await db.query<{ n: number; keys: number }>(`select count(*)::int as n, count(distinct idempotency_key)::int as keys from outbox`);
    expect(outbox).toEqual({ n: CONTACTS, keys: CONTACTS });
    // Two kills and 20 000 emails: far longer than a unit test, bounded by the waits above.
  }, 960_000);
});
