import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { ManualClock, systemClock, type Clock, type ConnectOptions, type Queryable, type WebhookOptions } from '@waymark/engine';
import { LOG_LEVELS, type LogLevel } from '@waymark/server';
import { UsageError } from './args.ts';

export const DEFAULT_DATA_DIR = './.waymark/data';
export const DEFAULT_PORT = 8080;

/** Flags win over the environment; an empty variable counts as unset. */
export function pick(flag: string | undefined, envName: string): string | undefined {
  if (flag !== undefined && flag !== '') return flag;
  const value = process.env[envName];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Reads a command's settings (flags first, then environment variables) and checks every one of
 * them before anything starts, collecting one clear message per problem: an operator with three
 * mistakes in a compose file hears of all three at once, not one per restart. `check()` throws
 * them together as a UsageError (exit code 2).
 */
export class Settings {
  private readonly problems: string[] = [];

  constructor(private readonly flags: Readonly<Record<string, string | boolean | undefined>>) {}

  /** The raw value and where it came from (`--flag` or `ENV_NAME`), for messages. */
  text(flag: string | null, envName: string): { value: string; source: string } | undefined {
    const fromFlag = flag === null ? undefined : this.flags[flag];
    if (typeof fromFlag === 'string' && fromFlag !== '') return { value: fromFlag, source: `--${flag}` };
    const value = process.env[envName];
    return value === undefined || value === '' ? undefined : { value, source: envName };
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  port(flag: string | null, envName: string, fallback: number): number {
    const given = this.text(flag, envName);
    if (!given) return fallback;
    const port = Number(given.value);
    if (/^\d+$/.test(given.value.trim()) && port <= 65_535) return port;
    this.problem(`${given.source} must be a port number from 0 to 65535, got "${given.value}"`);
    return fallback;
  }

  positiveInt(flag: string | null, envName: string): number | undefined {
    const given = this.text(flag, envName);
    if (!given) return undefined;
    const n = Number(given.value);
    if (/^\d+$/.test(given.value.trim()) && n >= 1 && Number.isSafeInteger(n)) return n;
    this.problem(`${given.source} must be a positive whole number, got "${given.value}"`);
    return undefined;
  }

  /** A URL with one of `protocols` and a host; the message never echoes a password it carries. */
  url(flag: string | null, envName: string, what: string, protocols: string[]): string | undefined {
    const given = this.text(flag, envName);
    if (!given) return undefined;
    const expected = protocols.map((protocol) => `${protocol}//`).join(' or ');
    let parsed: URL;
    try {
      parsed = new URL(given.value);
    } catch {
      this.problem(`${given.source} must be ${what} starting with ${expected}, got something that is not a URL`);
      return undefined;
    }
    if (!protocols.includes(parsed.protocol.toLowerCase())) {
      this.problem(`${given.source} must be ${what} starting with ${expected}, not ${parsed.protocol}`);
    } else if (!parsed.hostname) {
      this.problem(`${given.source} must name a host: ${redactUrl(given.value)}`);
    } else {
      return given.value;
    }
    return undefined;
  }

  oneOf<const T extends string>(flag: string | null, envName: string, choices: readonly T[], fallback: T): T {
    const given = this.text(flag, envName);
    if (!given) return fallback;
    const value = given.value.toLowerCase();
    if ((choices as readonly string[]).includes(value)) return value as T;
    this.problem(`${given.source} must be one of ${choices.join(', ')}, got "${given.value}"`);
    return fallback;
  }

  /** An on/off switch: 1, true, yes, on or 0, false, no, off. */
  flag(envName: string, fallback: boolean): boolean {
    const given = this.text(null, envName);
    if (!given) return fallback;
    const value = given.value.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.problem(`${envName} must be 1 or 0 (true or false), got "${given.value}"`);
    return fallback;
  }

  /** A secret someone could otherwise guess: long enough, or a problem. */
  secret(flag: string | null, envName: string, minLength = 16): string | undefined {
    const given = this.text(flag, envName);
    if (!given) return undefined;
    if (given.value.length >= minLength) return given.value;
    this.problem(`${given.source} must be at least ${minLength} characters long (it is ${given.value.length})`);
    return undefined;
  }

  /** An address to listen on: an IP address or a host name. */
  host(flag: string, envName: string, fallback: string): string {
    const given = this.text(flag, envName);
    if (!given) return fallback;
    if (isIP(given.value) !== 0 || /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(given.value)) return given.value;
    this.problem(`${given.source} must be an IP address or a host name, got "${given.value}"`);
    return fallback;
  }

  /** A PostgreSQL server when a URL is given, else the embedded database under the data directory. */
  database(): ConnectOptions & { describe: string } {
    const given = this.text('database-url', 'WAYMARK_DATABASE_URL');
    if (given) {
      const databaseUrl = this.url('database-url', 'WAYMARK_DATABASE_URL', 'a PostgreSQL URL', ['postgres:', 'postgresql:']);
      return { databaseUrl: databaseUrl ?? given.value, describe: redactUrl(given.value) };
    }
    const dataDir = this.text('data', 'WAYMARK_DATA_DIR')?.value ?? DEFAULT_DATA_DIR;
    return { dataDir, describe: `embedded PostgreSQL in ${dataDir}` };
  }

  /** Runs a reader of its own that throws a UsageError, keeping its message with the others. */
  attempt<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      this.problem(error.message);
      return undefined;
    }
  }

  /** Throws every problem found so far, one per line. */
  check(command?: string): void {
    if (this.problems.length > 0) throw new UsageError(this.problems.join('\n'), command);
  }
}

/** What every engine-running command (start, worker) reads. */
export interface WorkerSettings {
  connection: ConnectOptions & { describe: string };
  smtpUrl?: string;
  secret?: string;
  clock: (typeof CLOCKS)[number];
  webhooks: WebhookOptions;
}

export function readWorkerSettings(settings: Settings): WorkerSettings {
  return {
    webhooks: webhookOptions(settings),
    connection: settings.database(),
    smtpUrl: settings.url('smtp-url', 'WAYMARK_SMTP_URL', 'an SMTP URL', ['smtp:', 'smtps:']),
    secret: settings.secret('secret', 'WAYMARK_SECRET'),
    clock: settings.oneOf('clock', 'WAYMARK_CLOCK', CLOCKS, 'system'),
  };
}

/** Logs and metrics, from the environment only. */
export function readOperationsSettings(settings: Settings): { logLevel: LogLevel; metricsToken?: string } {
  return {
    logLevel: settings.oneOf(null, 'WAYMARK_LOG_LEVEL', LOG_LEVELS, 'info'),
    metricsToken: settings.secret(null, 'WAYMARK_METRICS_TOKEN'),
  };
}

/** A PostgreSQL server when a URL is given, else the embedded database under the data directory. */
export function databaseOptions(flags: { 'database-url'?: string; data?: string }): ConnectOptions & { describe: string } {
  const settings = new Settings(flags);
  const connection = settings.database();
  settings.check();
  return connection;
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

export const CLOCKS = ['system', 'manual'] as const;

export async function openClock(db: Queryable, kind: (typeof CLOCKS)[number]): Promise<Clock> {
  return kind === 'manual' ? ManualClock.open(db) : systemClock;
}

/**
 * Where workflow calls may go: public addresses only, unless WAYMARK_WEBHOOK_ALLOW_PRIVATE=1 (a
 * workflow on the same private network); WAYMARK_WEBHOOK_MAX_REDIRECTS (0) 307/308 redirects followed.
 */
function webhookOptions(settings: Settings): WebhookOptions {
  const allowPrivate = settings.flag('WAYMARK_WEBHOOK_ALLOW_PRIVATE', false);
  const redirects = settings.text(null, 'WAYMARK_WEBHOOK_MAX_REDIRECTS');
  if (redirects && !/^\d{1,2}$/.test(redirects.value)) settings.problem(`WAYMARK_WEBHOOK_MAX_REDIRECTS must be a number from 0 to 99, got "${redirects.value}"`);
  const maxRedirects = redirects && /^\d{1,2}$/.test(redirects.value) ? Number(redirects.value) : 0;
  return { addressPolicy: { allowPrivate }, maxRedirects };
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
