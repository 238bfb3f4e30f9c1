import { randomBytes } from 'node:crypto';
import { ManualClock, systemClock, type Clock, type ConnectOptions, type Queryable, type WebhookOptions } from '@waymark/engine';
import { UsageError } from './args.ts';

export const DEFAULT_DATA_DIR = './.waymark/data';
export const DEFAULT_PORT = 8080;

/** Flags win over the environment; an empty variable counts as unset. */
export function pick(flag: string | undefined, envName: string): string | undefined {
  if (flag !== undefined && flag !== '') return flag;
  const value = process.env[envName];
  return value === undefined || value === '' ? undefined : value;
}

/** A PostgreSQL server when a URL is given, else the embedded database under the data directory. */
export function databaseOptions(flags: { 'database-url'?: string; data?: string }): ConnectOptions & { describe: string } {
  const databaseUrl = pick(flags['database-url'], 'WAYMARK_DATABASE_URL');
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//i.test(databaseUrl)) throw new UsageError(`the database URL must start with postgres:// or postgresql://`);
    return { databaseUrl, describe: redactUrl(databaseUrl) };
  }
  const dataDir = pick(flags.data, 'WAYMARK_DATA_DIR') ?? DEFAULT_DATA_DIR;
  return { dataDir, describe: `embedded PostgreSQL in ${dataDir}` };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured PostgreSQL server';
  }
}

export async function openClock(db: Queryable, flag?: string): Promise<Clock> {
  const kind = pick(flag, 'WAYMARK_CLOCK') ?? 'system';
  if (kind === 'manual') return ManualClock.open(db);
  if (kind === 'system') return systemClock;
  throw new UsageError(`the clock must be "system" or "manual", got "${kind}"`);
}

/**
 * Where workflow calls may go: public addresses only, unless WAYMARK_WEBHOOK_ALLOW_PRIVATE=1 (a
 * workflow on the same private network); WAYMARK_WEBHOOK_MAX_REDIRECTS (0) 307/308 redirects followed.
 */
export function webhookOptions(): WebhookOptions {
  const allowPrivate = pick(undefined, 'WAYMARK_WEBHOOK_ALLOW_PRIVATE') ?? '0';
  if (!['0', '1', 'true', 'false'].includes(allowPrivate)) throw new UsageError(`WAYMARK_WEBHOOK_ALLOW_PRIVATE must be 1 or 0, got "${allowPrivate}"`);
  const redirects = pick(undefined, 'WAYMARK_WEBHOOK_MAX_REDIRECTS') ?? '0';
  if (!/^\d{1,2}$/.test(redirects)) throw new UsageError(`WAYMARK_WEBHOOK_MAX_REDIRECTS must be a number from 0 to 99, got "${redirects}"`);
  return { addressPolicy: { allowPrivate: allowPrivate === '1' || allowPrivate === 'true' }, maxRedirects: Number(redirects) };
}

const SECRET_KEY = 'secret';

/**
 * The key that signs tracking and unsubscribe tokens. Without WAYMARK_SECRET one is generated on
 * first start and kept in the database, so links in emails already sent stay valid after a
 * restart and every worker of one database signs alike.
 */
export async function loadSecret(db: Queryable, flag?: string): Promise<string> {
  const given = pick(flag, 'WAYMARK_SECRET');
  if (given) return given;
  // Two processes starting at once both try; the first insert wins and both read it back.
  await db.query('insert into settings (key, value) values ($1, $2) on conflict (key) do nothing', [SECRET_KEY, randomBytes(32).toString('base64url')]);
  const [row] = await db.query<{ value: string }>('select value from settings where key = $1', [SECRET_KEY]);
  return row!.value;
}

/** Resolves once SIGINT or SIGTERM arrives; a second signal while shutting down exits at once. */
export function untilSignal(): { stopped: Promise<NodeJS.Signals>; dispose(): void } {
  let resolve!: (signal: NodeJS.Signals) => void;
  const stopped = new Promise<NodeJS.Signals>((r) => (resolve = r));
  let received = false;
  const handler = (signal: NodeJS.Signals) => {
    if (received) {
      console.error(`waymark: ${signal} again, exiting without waiting`);
      process.exit(1);
    }
    received = true;
    resolve(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    stopped,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
