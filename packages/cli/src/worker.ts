import { connectDatabase, createSmtpSender, EmailRenderer, migrate, Worker } from '@waymark/engine';
import { createLogger, engineErrorContext } from '@waymark/server';
import { parseFlags } from './args.ts';
import { DEFAULT_PORT, loadSecret, openClock, readOperationsSettings, readWorkerSettings, Settings, untilSignal } from './settings.ts';

export const workerHelp = `Usage: waymark worker --database-url URL [options]

Runs one more engine worker against a shared PostgreSQL server, beside \`waymark start\`:
workers are stateless, so any number can run on one database.

Options (each also an environment variable):
      --database-url URL       the shared PostgreSQL server (required)       WAYMARK_DATABASE_URL
      --smtp-url URL           e.g. smtp://127.0.0.1:2525; unset keeps mail  WAYMARK_SMTP_URL
                               in the outbox
      --public-url URL         base of links in emails                       WAYMARK_PUBLIC_URL (http://localhost:PORT)
      --secret SECRET          signs tracking and unsubscribe tokens         WAYMARK_SECRET (the one stored by start)
      --clock system|manual    manual: time stands still until moved         WAYMARK_CLOCK (system)
      --batch-size N           contacts claimed per step transaction         WAYMARK_BATCH_SIZE (2000)
                               WAYMARK_OUTBOX_LEASE_SECONDS: how long a claimed email stays one
                               worker's before another may retry it (120)
                               WAYMARK_WEBHOOK_ALLOW_PRIVATE=1: workflow URLs may reach private addresses
                               WAYMARK_LOG_LEVEL: trace ... silent (info)
  -h, --help                   show this help

Prints "waymark worker running" once started; SIGINT or SIGTERM stops it after its batch
(within 30 s).`;

const options = {
  'database-url': { type: 'string' },
  'smtp-url': { type: 'string' },
  'public-url': { type: 'string' },
  secret: { type: 'string' },
  clock: { type: 'string' },
  'batch-size': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function worker(argv: string[]): Promise<number> {
  const flags = parseFlags('worker', argv, options);
  if (flags.help) {
    console.log(workerHelp);
    return 0;
  }
  const settings = new Settings(flags);
  const { connection, smtpUrl, secret: givenSecret, clock: clockKind, webhooks } = readWorkerSettings(settings);
  // The embedded database belongs to one process: an extra worker needs a shared server.
  if (!connection.databaseUrl) settings.problem('a worker needs a shared PostgreSQL: pass --database-url or set WAYMARK_DATABASE_URL');
  const batchSize = settings.positiveInt('batch-size', 'WAYMARK_BATCH_SIZE');
  const port = settings.port(null, 'PORT', DEFAULT_PORT);
  const publicUrl = settings.url('public-url', 'WAYMARK_PUBLIC_URL', 'an http(s) URL', ['http:', 'https:']) ?? `http://localhost:${port}`;
  const leaseSeconds = settings.positiveInt(null, 'WAYMARK_OUTBOX_LEASE_SECONDS');
  const { logLevel } = readOperationsSettings(settings);
  settings.check('worker');
  const logger = createLogger({ level: logLevel });

  const signals = untilSignal();
  const db = await connectDatabase(connection);
  const smtp = smtpUrl ? createSmtpSender(smtpUrl) : null;
  try {
    await migrate(db);
    const clock = await openClock(db, clockKind);
    const secret = await loadSecret(db, givenSecret);
    const engine = new Worker({
      db,
      clock,
      batchSize,
      outboxLeaseSeconds: leaseSeconds,
      webhooks,
      email: { publicUrl, secret, defaultFrom: 'Waymark <no-reply@waymark.local>', renderer: new EmailRenderer(), smtp },
      onError: (error, retryInMs) => logger.error({ err: error, retryInMs, ...engineErrorContext(error) }, 'engine error'),
    });
    engine.start();
    console.log('waymark worker running');
    await signals.stopped;
    // The batch in hand finishes; past the deadline the rest rolls back and is claimed again.
    if (!(await engine.stop({ deadlineMs: 30_000 }))) console.error('waymark worker: stopped at its 30 s deadline with work in hand; it will be taken up again');
  } finally {
    smtp?.close();
    await db.close();
    signals.dispose();
  }
  return 0;
}
