import type { AddressInfo } from 'node:net';
import { connectDatabase, migrate, type Queryable } from '@waymark/engine';
import { createRuntime, ensureBootstrapAdmin, hashApiKey, newApiKey, type Runtime } from '@waymark/server';
import { parseFlags, parsePort, UsageError } from './args.ts';
import { seedDemoIfEmpty } from './demo.ts';
import { oidcFromEnvironment } from './signOn.ts';
import { databaseOptions, DEFAULT_DATA_DIR, DEFAULT_PORT, loadSecret, openClock, pick, untilSignal, webhookOptions } from './settings.ts';

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
  const portText = pick(flags.port, 'PORT');
  const port = portText === undefined ? DEFAULT_PORT : parsePort(portText, flags.port !== undefined ? '--port' : 'PORT');
  const host = pick(flags.host, 'WAYMARK_HOST') ?? '127.0.0.1';
  const publicUrl = pick(flags['public-url'], 'WAYMARK_PUBLIC_URL');
  if (publicUrl && !/^https?:\/\//i.test(publicUrl)) throw new UsageError('the public URL must start with http:// or https://', 'start');
  const demoWanted = !flags['no-demo'] && process.env.WAYMARK_DEMO !== '0';
  const bootstrapKey = pick(flags['bootstrap-admin-key'], 'WAYMARK_BOOTSTRAP_ADMIN_KEY');
  const connection = databaseOptions(flags);
  const oidc = oidcFromEnvironment();

  // Listen for signals from the start: a stop asked for during startup is honoured right after it.
  const signals = untilSignal();
  const db = await connectDatabase(connection);
  let runtime: Runtime | null = null;
  try {
    await migrate(db);
    const clock = await openClock(db, flags.clock);
    const secret = await loadSecret(db, flags.secret);
    const demo = demoWanted ? await seedDemoIfEmpty(db, clock.now()) : null;
    const demoKey = demo ? await createApiKey(db, demo.adminUserId) : null;
    if (bootstrapKey) await ensureBootstrapAdmin(db, bootstrapKey);

    // The public URL may name the port, which is known only once listening (--port 0).
    const config = { publicUrl: publicUrl ?? '', secret, webhooks: webhookOptions(), oidc };
    runtime = await createRuntime({
      db,
      clock,
      config,
      smtpUrl: pick(flags['smtp-url'], 'WAYMARK_SMTP_URL'),
      trustProxy: ['1', 'true'].includes(pick(undefined, 'WAYMARK_TRUST_PROXY') ?? ''),
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
