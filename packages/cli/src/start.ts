import type { AddressInfo } from 'node:net';
import { connectDatabase, migrate, type Queryable } from '@waymark/engine';
import { createLogger, createRuntime, ensureBootstrapAdmin, hashApiKey, newApiKey, type Runtime } from '@waymark/server';
import { parseFlags } from './args.ts';
import { seedDemoIfEmpty } from './demo.ts';
import { oidcFromEnvironment } from './signOn.ts';
import { DEFAULT_DATA_DIR, DEFAULT_PORT, loadSecret, openClock, readOperationsSettings, readWorkerSettings, Settings, untilSignal } from './settings.ts';

export const startHelp = `Usage: waymark start [options]

Runs everything in one process: the HTTP API, the designer and an engine worker. Without a
database URL it keeps its data in an embedded PostgreSQL (PGlite) under the data directory, and
seeds a demo workspace on first start.

Options (each also an environment variable):
  -p, --port PORT              port to listen on; 0 picks a free one         PORT (${DEFAULT_PORT})
      --host HOST              address to listen on                          WAYMARK_HOST (127.0.0.1)
      --data DIR               embedded database directory                   WAYMARK_DATA_DIR (${DEFAULT_DATA_DIR})
      --database-url URL       PostgreSQL server instead of the embedded one WAYMARK_DATABASE_URL
      --smtp-url URL           e.g. smtp://127.0.0.1:2525; unset keeps mail  WAYMARK_SMTP_URL
                               in the outbox
      --public-url URL         base of links in emails                       WAYMARK_PUBLIC_URL (http://localhost:PORT)
      --secret SECRET          signs tracking and unsubscribe tokens         WAYMARK_SECRET (generated, stored)
      --bootstrap-admin-key K  ensure an organization admin with this key    WAYMARK_BOOTSTRAP_ADMIN_KEY
      --clock system|manual    manual: time stands still until moved         WAYMARK_CLOCK (system)
      --no-demo                do not seed the demo workspace                WAYMARK_DEMO=0
                               WAYMARK_WEBHOOK_ALLOW_PRIVATE=1: workflow URLs may reach loopback,
                               private and link-local addresses (refused by default)
  -h, --help                   show this help

Single sign-on (OpenID Connect) for existing users, matched by email: set WAYMARK_OIDC_ISSUER,
WAYMARK_OIDC_CLIENT_ID and WAYMARK_OIDC_CLIENT_SECRET; register
<public URL>/api/v1/auth/oidc/callback as the redirect URI at the provider.

Environment only:
  WAYMARK_LOG_LEVEL            trace, debug, info, warn, error, fatal, silent (info)
  WAYMARK_METRICS_TOKEN        GET /metrics then needs "Authorization: Bearer TOKEN"
  WAYMARK_TRUST_PROXY=1        believe X-Forwarded-For from your reverse proxy

Every setting is checked before anything starts; each problem is reported on its own line and
the exit code is 2. Logs are JSON lines on stdout. GET /healthz and /readyz need no key.

Prints "waymark listening on http://HOST:PORT" once it accepts requests; SIGINT or SIGTERM
stops it gracefully.`;

const options = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  data: { type: 'string' },
  'database-url': { type: 'string' },
  'smtp-url': { type: 'string' },
  'public-url': { type: 'string' },
  secret: { type: 'string' },
  'bootstrap-admin-key': { type: 'string' },
  clock: { type: 'string' },
  'no-demo': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A key for the demo admin, so a person can sign in; only its hash is stored. */
async function createApiKey(db: Queryable, userId: string): Promise<string> {
  const key = newApiKey();
  await db.query('insert into api_keys (user_id, key_hash) values ($1, $2)', [userId, hashApiKey(key)]);
  return key;
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export async function start(argv: string[]): Promise<number> {
  const flags = parseFlags('start', argv, options);
  if (flags.help) {
    console.log(startHelp);
    return 0;
  }
  const settings = new Settings(flags);
  const port = settings.port('port', 'PORT', DEFAULT_PORT);
  const host = settings.host('host', 'WAYMARK_HOST', '127.0.0.1');
  const publicUrl = settings.url('public-url', 'WAYMARK_PUBLIC_URL', 'an http(s) URL', ['http:', 'https:']);
  const demoWanted = settings.flag('WAYMARK_DEMO', true) && !flags['no-demo'];
  const bootstrapKey = settings.secret('bootstrap-admin-key', 'WAYMARK_BOOTSTRAP_ADMIN_KEY');
  const trustProxy = settings.flag('WAYMARK_TRUST_PROXY', false);
  const worker = readWorkerSettings(settings);
  const operations = readOperationsSettings(settings);
  const oidc = settings.attempt(oidcFromEnvironment);
  settings.check('start');
  const logger = createLogger({ level: operations.logLevel });
  const connection = worker.connection;

  // Listen for signals from the start: a stop asked for during startup is honoured right after it.
  const signals = untilSignal();
  const db = await connectDatabase(connection);
  let runtime: Runtime | null = null;
  try {
    await migrate(db);
    const clock = await openClock(db, worker.clock);
    const secret = await loadSecret(db, worker.secret);
    const demo = demoWanted ? await seedDemoIfEmpty(db, clock.now()) : null;
    const demoKey = demo ? await createApiKey(db, demo.adminUserId) : null;
    if (bootstrapKey) await ensureBootstrapAdmin(db, bootstrapKey);

    // The public URL may name the port, which is known only once listening (--port 0).
    const config = { publicUrl: publicUrl ?? '', secret, webhooks: worker.webhooks, oidc };
    runtime = await createRuntime({
      db,
      clock,
      config,
      smtpUrl: worker.smtpUrl,
      trustProxy,
      logger,
      metricsToken: operations.metricsToken,
    });
    await runtime.app.listen({ host, port });
    const bound = (runtime.app.server.address() as AddressInfo).port;
    config.publicUrl ||= `http://localhost:${bound}`;
    if (!clock.manual) runtime.worker.start();

    console.log(`waymark listening on http://${hostForUrl(host)}:${bound}`);
    if (demo) {
      console.log(`demo workspace created: journey "White paper newsletter" (${demo.journeyId}) with ${demo.contactCount} contacts`);
      console.log(`demo admin API key: ${demoKey} (shown once; sign in with it)`);
    }
    if (clock.manual) console.log(`manual clock at ${clock.now().toISOString()}: move it with POST /api/v1/admin/clock`);

    await signals.stopped;
  } catch (error) {
    await runtime?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    signals.dispose();
    throw error;
  }
  // Stop taking work, let the worker finish its batch, close the server, then the database.
  await runtime.close();
  await db.close();
  signals.dispose();
  return 0;
}
