/**
 * Faults, on PostgreSQL: while a `waymark start` (API and worker) and a `waymark worker` move 1 500
 * contacts through two emails, every database connection of theirs is terminated again and again
 * (pg_terminate_backend), mid-drain and mid-request, and the mail server dies mid-send and comes
 * back. Both processes stay up and recover by themselves, every contact completes, every contact
 * gets both emails, and the resends stay within the documented bound (docs/delivery.md).
 */
import { createTestDatabase, ManualClock, smtpSettings, type TestDatabase } from '@waymark/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWaymark, type WaymarkProcess } from '../cli/waymarkProcess.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { seedTwoEmailJourney } from '../support/twoEmailJourney.ts';

const CONTACTS = 1500;
const START = new Date('2026-03-02T14:00:00Z');
const ADMIN_KEY = 'wm_fault_test_admin_key_0123456789';

/** What the processes said, for a failure message. */
let diagnostics = () => '';

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await Promise.resolve().then(condition).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${diagnostics()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!process.env.WAYMARK_TEST_DATABASE_URL)('database connections and the mail server failing under a running engine', () => {
  let database: TestDatabase;
  let smtp: TestSmtpServer;
  let server: WaymarkProcess;
  let worker: WaymarkProcess;
  let apiUrl = '';
  let terminated = 0;
  let terminationRounds = 0;
  let smtpOutages = 0;

  const env = () => ({
    WAYMARK_DATABASE_URL: database.url!,
    WAYMARK_SMTP_URL: smtp.url,
    WAYMARK_CLOCK: 'manual',
    WAYMARK_SECRET: 'fault-test-secret',
    WAYMARK_OUTBOX_LEASE_SECONDS: '4',
  });
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${apiUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** The test's own reads may lose their connection too: a dropped one is simply asked again. */
  const count = async (sql: string): Promise<number> => {
    for (;;) {
      try {
        return (await database.db.query<{ n: number }>(sql))[0]!.n;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  /** Ends every other connection to the test database: the processes' pools, idle or mid-transaction. */
  const terminateConnections = async () => {
    const rows = await database.db
      .query<{ n: number }>(
        `select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend') t`,
      )
      .catch(() => [{ n: 0 }]);
    terminated += rows[0]!.n;
    terminationRounds += 1;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await startTestSmtpServer();
    const { db } = database;
    await ManualClock.open(db, START);
    await seedTwoEmailJourney(db, { contacts: CONTACTS, journeyId: 'faults', name: 'Fault test', start: START, days: 30 });

    server = runWaymark(['start', '--port', '0', '--no-demo'], { ...env(), WAYMARK_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
    apiUrl = (await server.waitFor(/waymark listening on (http:\/\/\S+)/))[1]!;
    worker = runWaymark(['worker', '--batch-size', '200'], env());
    await worker.waitFor(/waymark worker running/);
    diagnostics = () => `mail taken: ${smtp.received.length}\n-- start:\n${server.output().slice(-3000)}\n-- worker:\n${worker.output().slice(-3000)}`;
  });

  afterAll(async () => {
    for (const proc of [server, worker]) proc?.kill('SIGKILL');
    await Promise.all([server, worker].filter(Boolean).map((proc) => proc.exited));
    await smtp?.close();
    await database?.drop();
  });

  it('keeps both processes up, completes every contact and loses no message', async () => {
    let faulting = true;
    const requests = { answered: 0, failed: 0 };
    const requester = (async () => {
      while (faulting) {
        const response = await api('POST', '/admin/drain').catch(() => null);
        const list = await api('GET', '/journeys').catch(() => null);
        for (const r of [response, list]) {
          if (r?.ok) requests.answered += 1;
          else requests.failed += 1;
          await r?.body?.cancel();
        }
      }
    })();

    // Once mail flows, connections die every second, while the engine steps and sends and while
    // the API answers requests and drains.
    await until(() => smtp.received.length >= 50, 90_000, 'the first mail');
    const terminator = (async () => {
      while (faulting) {
        await terminateConnections();
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
    // The mail server dies mid-send and comes back two seconds later.
    await until(() => smtp.received.length >= CONTACTS / 3, 90_000, 'the first third of the mail');
    await smtp.kill();
    smtpOutages += 1;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await smtp.restart();
    await until(() => terminationRounds >= 12, 60_000, '12 rounds of terminations');
    faulting = false;
    await Promise.all([terminator, requester]);

    // Time passes on the engine's clock: what failed while the mail server was down is retried
    // after its backoff, and a day later everyone gets the second email.
    const unsent = () => count(`select count(*)::int as n from outbox where kind = 'email' and status <> 'sent'`);
    const completed = () => count(`select count(*)::int as n from journey_contacts where status = 'completed'`);
    let lastAdvance = 0;
    const seen = { completed: 0, unsent: 0 };
    await until(
      async () => {
        if (Date.now() - lastAdvance > 2000) {
          lastAdvance = Date.now();
          await api('POST', '/admin/clock', { advance: 'PT6H' });
        }
        Object.assign(seen, { completed: await completed(), unsent: await unsent() });
        return seen.completed === CONTACTS && seen.unsent === 0;
      },
      240_000,
      'every contact to complete and every email to settle',
    ).catch((error: Error) => {
      throw new Error(`${JSON.stringify(seen)} ${error.message}`);
    });

    // Both processes rode it out, and the API answers again.
    expect(server.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
    expect((await api('GET', '/journeys')).status).toBe(200);
    expect(requests.answered).toBeGreaterThan(0);
    expect(terminated).toBeGreaterThan(0);

    // Nobody lost, nobody stepped twice.
    expect(await count(`select count(*)::int as n from journey_history`)).toBe(CONTACTS * 4);
    expect(await count(`select count(distinct (contact_id, tile_id))::int as n from journey_history`)).toBe(CONTACTS * 4);
    // Every contact got both emails, counted by what the mail server took, resends included.
    const taken = new Map<string, number>();
    for (const message of smtp.received) taken.set(`${message.to} ${message.subject}`, (taken.get(`${message.to} ${message.subject}`) ?? 0) + 1);
    expect(taken.size).toBe(CONTACTS * 2);
    // Each interruption (an SMTP outage, a round of terminated connections) can resend at most one
    // message per SMTP connection of each sending process.
    const resends = smtp.received.length - CONTACTS * 2;
    const bound = smtpSettings(smtp.url).connections * 2 * (smtpOutages + terminationRounds);
    console.log(`faults: ${terminationRounds} rounds, ${terminated} connections terminated, ${smtpOutages} SMTP outage, ${requests.answered} requests answered, ${requests.failed} failed, ${resends} resends (bound ${bound})`);
    expect(resends).toBeLessThanOrEqual(bound);
  });
});
