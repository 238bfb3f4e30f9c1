import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** The levels WAYMARK_LOG_LEVEL accepts, most to least verbose, and `silent`. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * What never reaches a log line, wherever it turns up in a logged object: credentials (headers,
 * cookies, passwords, tokens, keys, secrets, URLs that carry a password) and message bodies.
 * Request lines log no headers or bodies to begin with; this is the net under a careless
 * `log.info({ body })` or an error object that carries its input.
 */
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'apiKey',
  'key',
  'secret',
  'clientSecret',
  'databaseUrl',
  'smtpUrl',
  'body',
  'html',
  'text',
];
const REDACTED_PATHS = [
  ...SECRET_FIELDS.flatMap((field) => [`["${field}"]`, `*["${field}"]`]),
  ...['req', 'res', 'request', 'reply', 'response', 'err'].flatMap((holder) => SECRET_FIELDS.map((field) => `${holder}.headers["${field}"]`)),
];

export interface LoggerOptions {
  level?: LogLevel;
  /** Where the JSON lines go: stdout unless a test captures them. */
  destination?: DestinationStream;
}

/** JSON lines, one object per line, with secrets and message bodies redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'waymark' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** The journey and tile an engine error names, when it names them (see StepError). */
export function engineErrorContext(error: unknown): { journeyId?: string; tileId?: string } {
  if (typeof error !== 'object' || error === null) return {};
  const { journeyId, tileId } = error as { journeyId?: unknown; tileId?: unknown };
  return {
    ...(typeof journeyId === 'string' ? { journeyId } : {}),
    ...(typeof tileId === 'string' ? { tileId } : {}),
  };
}
