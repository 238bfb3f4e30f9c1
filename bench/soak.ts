// The long version of tests/scenarios/faults.test.ts, run by hand: `npx tsx bench/soak.ts`.
// Two `waymark worker` processes move SOAK_CONTACTS contacts (20 000) through two emails on
// PostgreSQL while, again and again, a worker is SIGKILLed and replaced (>= 50 times), every database
// connection is terminated (>= 20 rounds), and the mail server dies for a few seconds (>= 2 times).
// Then the faults stop, the work finishes, and the script prints what it did and what it found:
// contacts completed, messages lost, steps repeated, and messages sent twice against the bound of
// docs/delivery.md (one per SMTP connection per interruption of a sender).
import { ManualClock, smtpSettings } from '@waymark/engine';
import { runWaymark, type WaymarkProcess } from '../tests/cli/waymarkProcess.ts';
import { startTestSmtpServer } from '../tests/support/smtpServer.ts';
import { seedTwoEmailJourney } from '../tests/support/twoEmailJourney.ts';
import { benchDatabase, report } from './support.ts';

const CONTACTS = Number(process.env.SOAK_CONTACTS ?? 20_000);
const KILLS = Number(process.env.SOAK_KILLS ?? 50);
const TERMINATION_ROUNDS = Number(process.env.SOAK_TERMINATIONS ?? 20);
const SMTP_OUTAGES = Number(process.env.SOAK_SMTP_OUTAGES ?? 2);
const WORKERS = 2;
const START = new Date('2026-03-02T14:00:00Z');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const started = performance.now();
const { db, url, drop } = await benchDatabase('postgres');
const smtp = await startTestSmtpServer();
const engineClock = await ManualClock.open(db, START);
/** The engine's clock an hour on (only this script moves it). */
const anHourLater = () => engineClock.set(new Date(engineClock.now().getTime() + 3_600_000)).catch(() => undefined);
await seedTwoEmailJourney(db, { contacts: CONTACTS, journeyId: 'soak', name: 'Soak', start: START, days: 60 });

const env = { WAYMARK_DATABASE_URL: url!, WAYMARK_SMTP_URL: smtp.url, WAYMARK_CLOCK: 'manual', WAYMARK_SECRET: 'soak-secret', WAYMARK_OUTBOX_LEASE_SECONDS: '4' };
const startWorker = async (): Promise<WaymarkProcess> => {
  const worker = runWaymark(['worker', '--batch-size', '500'], env);
  await worker.waitFor(/waymark worker running/, 120_000);
  return worker;
};
const workers: WaymarkProcess[] = [];
for (let i = 0; i < WORKERS; i += 1) workers.push(await startWorker());
const count = async (sql: string): Promise<number> => {
  for (;;) {
    try {
      return (await db.query<{ n: number }>(sql))[0]!.n;
    } catch {
      await sleep(100);
    }
  }
};

const done = { kills: 0, terminationRounds: 0, connectionsTerminated: 0, smtpOutages: 0, workersThatDiedOnTheirOwn: 0 };
let faulting = true;
const faults = [
  // A worker SIGKILLed mid-work and replaced, one at a time.
  (async () => {
    while (done.kills < KILLS) {
      await sleep(1000 + Math.random() * 2000);
      const victim = workers.shift()!;
      if (victim.child.exitCode !== null) done.workersThatDiedOnTheirOwn += 1;
      victim.kill('SIGKILL');
      await victim.exited;
      done.kills += 1;
      workers.push(await startWorker());
    }
  })(),
  // Every connection to the database terminated.
  (async () => {
    while (done.terminationRounds < TERMINATION_ROUNDS || faulting) {
      await sleep(2000 + Math.random() * 2000);
      const [row] = await db
        .query<{ n: number }>(
          `select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend') t`,
        )
        .catch(() => [{ n: 0 }]);
      done.connectionsTerminated += row!.n;
      done.terminationRounds += 1;
      if (done.terminationRounds >= TERMINATION_ROUNDS && !faulting) return;
    }
  })(),
  // The mail server dies for five seconds.
  (async () => {
    while (done.smtpOutages < SMTP_OUTAGES) {
      await sleep(15_000);
      await smtp.kill();
      await sleep(5000);
      await smtp.restart();
      done.smtpOutages += 1;
    }
  })(),
];
// The engine's clock moves an hour every two seconds: retries come due, and the second email a day on.
const clock = (async () => {
  while (faulting) {
    await sleep(2000);
    await anHourLater();
  }
})();
await Promise.all(faults.slice(0, 1).concat(faults.slice(2)));
faulting = false;
await faults[1];
const faultsEndedAt = performance.now();

// Faults over: everything must finish.
const deadline = Date.now() + 20 * 60_000;
for (;;) {
  const [completed, unsent] = [await count(`select count(*)::int as n from journey_contacts where status = 'completed'`), await count(`select count(*)::int as n from outbox where status <> 'sent'`)];
  if ((completed === CONTACTS && unsent === 0) || Date.now() > deadline) break;
  await anHourLater();
  await sleep(2000);
}
await clock;

const completed = await count(`select count(*)::int as n from journey_contacts where status = 'completed'`);
const steps = await count(`select count(*)::int as n from journey_history`);
const distinctSteps = await count(`select count(distinct (contact_id, tile_id))::int as n from journey_history`);
const taken = new Set(smtp.received.map((message) => `${message.to} ${message.subject}`));
const resends = smtp.received.length - taken.size;
const connections = smtpSettings(smtp.url).connections;
// Each kill interrupts one sender; each outage or round of terminations interrupts every worker.
const bound = connections * (done.kills + WORKERS * (done.smtpOutages + done.terminationRounds));
for (const worker of workers) worker.kill('SIGTERM');
const exits = await Promise.all(workers.map((worker) => worker.exited));
await smtp.close();
await drop();
report({
  bench: 'soak',
  contacts: CONTACTS,
  ...done,
  completed,
  emailsExpected: CONTACTS * 2,
  emailsLost: CONTACTS * 2 - taken.size,
  repeatedSteps: steps - distinctSteps,
  resends,
  resendBound: bound,
  withinBound: resends <= bound,
  cleanExits: exits.filter((exit) => exit.code === 0).length,
  faultSeconds: Math.round((faultsEndedAt - started) / 1000),
  totalSeconds: Math.round((performance.now() - started) / 1000),
});
