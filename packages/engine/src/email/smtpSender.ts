// Sends outbox emails over SMTP through a few long-lived connections ("lanes"), each carrying one
// message at a time under deadlines. One message per connection is what bounds the duplicates a
// crash can cause (docs/delivery.md): the caller marks a message sent before it hands that lane the
// next one. nodemailer speaks SMTP (and any TLS) and composes the MIME; the lanes, the deadlines and
// the pause after an unreachable server are ours.
import { connect, type Socket } from 'node:net';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';

export interface OutgoingEmail {
  /** The outbox idempotency key: a resend after a crash carries the same Message-ID. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
}

/**
 * Why a send failed: `rejected`, the server answered 5xx to this message (it will never take it);
 * `temporary`, anything that may pass (4xx, a dropped connection, a deadline); `notAttempted`, the
 * message never left (the server was just found unreachable, or the sender is closing).
 */
export type SendFailure = 'rejected' | 'temporary' | 'notAttempted';

export class SmtpSendError extends Error {
  constructor(
    message: string,
    readonly failure: SendFailure,
  ) {
    super(message);
    this.name = 'SmtpSendError';
  }
}

export interface SmtpSender {
  /** How many messages may be in flight at once: one per connection. */
  readonly connections: number;
  /** False for a short pause after the server was found unreachable: sending now would only fail. */
  available(): boolean;
  /** Resolves once the server accepted the message; rejects with an SmtpSendError. */
  send(msg: OutgoingEmail): Promise<void>;
  close(): void;
}

/** Every wait has an end: a dead or stalled server fails the message in seconds, never hangs it. */
export interface SmtpDeadlines {
  /** TCP connection established. */
  connectMs: number;
  /** The server's 220 greeting after connecting. */
  greetingMs: number;
  /** Silence from the server while a command or the message data waits for its answer. */
  idleMs: number;
  /** One whole message, connecting included. */
  messageMs: number;
  /** How long sends are refused, unattempted, after a connection could not be opened. */
  pauseAfterUnreachableMs: number;
}

export const DEFAULT_DEADLINES: SmtpDeadlines = { connectMs: 10_000, greetingMs: 10_000, idleMs: 15_000, messageMs: 30_000, pauseAfterUnreachableMs: 5_000 };

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  ignoreTLS: boolean;
  auth: { user: string; pass: string } | undefined;
  connections: number;
}

const DEFAULT_CONNECTIONS = 16;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

/** Connection settings from `smtp://user:pass@host:port` or `smtps://...` (implicit TLS). */
export function smtpSettings(url: string): SmtpSettings {
  const u = new URL(url);
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new Error(`not an SMTP URL: ${u.protocol}`);
  const secure = u.protocol === 'smtps:' || u.searchParams.get('secure') === 'true';
  const ignoreTLS = u.searchParams.get('ignoreTLS');
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1'); // IPv6 literals come bracketed
  return {
    host,
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    // A local relay or test server rarely has a certificate; elsewhere STARTTLS is used when offered.
    ignoreTLS: ignoreTLS !== null ? ignoreTLS === 'true' : !secure && LOOPBACK.has(host),
    auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
    connections: connectionsFrom(u.searchParams.get('connections')),
  };
}

/**
 * Each connection carries one message at a time and waits for it to be marked sent, so throughput
 * grows with connections while the resend bound after a crash is one message per connection:
 * `?connections=N` (1-64) trades one for the other; 16 keeps a local relay busy.
 */
function connectionsFrom(value: string | null): number {
  if (value === null) return DEFAULT_CONNECTIONS;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`connections must be a whole number from 1 to 64, not ${value}`);
  return n;
}

/** A 5xx answer to the message's own commands (MAIL FROM, RCPT TO, the data) is final. */
function classify(error: Error & { responseCode?: number; code?: string }): SmtpSendError {
  if (error instanceof SmtpSendError) return error;
  const code = error.responseCode ?? 0;
  const permanent = code >= 500 && code < 600 && (error.code === 'EENVELOPE' || error.code === 'EMESSAGE');
  return new SmtpSendError(error.message, permanent ? 'rejected' : 'temporary');
}

// nodemailer leaves Nagle's algorithm on. SMTP writes a message in several small chunks and waits
// for the reply, so every message stalls ~40 ms on the receiver's delayed ACK: measured here,
// 500 messages took 5.6 s with it and 0.25 s without. So we open the TCP socket ourselves.
function openSocket(settings: SmtpSettings, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: settings.host, port: settings.port, noDelay: true, timeout: timeoutMs });
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.once('error', fail);
    socket.once('timeout', () => fail(new Error(`SMTP connection to ${settings.host}:${settings.port} not established within ${timeoutMs} ms`)));
    socket.once('connect', () => {
      socket.off('error', fail);
      socket.removeAllListeners('timeout');
      socket.setTimeout(0); // SMTPConnection arms its own idle timeout
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

/** One connection, one message at a time. */
class Lane {
  private connection: SMTPConnection | null = null;
  /** Fails the message in flight; set while one is. */
  private failCurrent: ((error: SmtpSendError) => void) | null = null;

  constructor(
    private readonly settings: SmtpSettings,
    private readonly deadlines: SmtpDeadlines,
    private readonly onUnreachable: () => void,
  ) {}

  send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (error?: SmtpSendError) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        this.failCurrent = null;
        if (!error) return resolve();
        // After any failure the session state is unknown: the next message gets a new connection.
        this.drop();
        reject(error);
      };
      const deadline = setTimeout(() => finish(new SmtpSendError(`the SMTP server did not take the message within ${this.deadlines.messageMs} ms`, 'temporary')), this.deadlines.messageMs);
      this.failCurrent = finish;
      this.open().then(
        (connection) => {
          if (settled) return;
          connection.send(envelope, raw, (error) => finish(error ? classify(error) : undefined));
        },
        (error: Error) => {
          this.onUnreachable();
          finish(new SmtpSendError(`SMTP server unreachable: ${error.message}`, 'temporary'));
        },
      );
    });
  }

  drop(): void {
    const connection = this.connection;
    this.connection = null;
    connection?.close();
  }

  private async open(): Promise<SMTPConnection> {
    if (this.connection) return this.connection;
    const { settings, deadlines } = this;
    const socket = await openSocket(settings, deadlines.connectMs);
    const connection = new SMTPConnection({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      ignoreTLS: settings.ignoreTLS,
      connection: socket,
      connectionTimeout: deadlines.connectMs,
      greetingTimeout: deadlines.greetingMs,
      socketTimeout: deadlines.idleMs,
    });
    this.connection = connection;
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      // Until ready, an error or close fails the opening; after, the message in flight.
      connection.on('error', (error: Error) => (ready ? this.failCurrent?.(classify(error)) : reject(error)));
      connection.on('end', () => {
        if (this.connection === connection) this.connection = null;
        if (!ready) reject(new Error('connection closed before the greeting'));
        else this.failCurrent?.(new SmtpSendError('the SMTP connection closed mid-message', 'temporary'));
      });
      connection.connect(() => {
        const done = () => {
          ready = true;
          resolve();
        };
        if (!settings.auth) return done();
        connection.login(settings.auth, (error) => (error ? reject(error) : done()));
      });
    }).catch((error: Error) => {
      if (this.connection === connection) this.drop();
      throw error;
    });
    return connection;
  }
}

export function createSmtpSender(url: string, deadlines: Partial<SmtpDeadlines> = {}): SmtpSender {
  const settings = smtpSettings(url);
  const limits = { ...DEFAULT_DEADLINES, ...deadlines };
  let pausedUntil = 0;
  let closed = false;
  const pause = () => (pausedUntil = Date.now() + limits.pauseAfterUnreachableMs);
  const lanes = Array.from({ length: settings.connections }, () => new Lane(settings, limits, pause));
  const idle = [...lanes];
  const waiting: ((lane: Lane | null) => void)[] = [];
  const acquire = (): Promise<Lane | null> => (idle.length > 0 ? Promise.resolve(idle.pop()!) : new Promise((resolve) => waiting.push(resolve)));
  const release = (lane: Lane) => {
    const next = waiting.shift();
    if (next) next(lane);
    else idle.push(lane);
  };
  const notAttempted = (why: string) => new SmtpSendError(why, 'notAttempted');

  return {
    connections: settings.connections,
    available: () => !closed && Date.now() >= pausedUntil,
    async send(msg) {
      const mail = new MailComposer({
        // Exactly the outbox key, so a receiver can tell a resend from a new message.
        messageId: msg.messageId.startsWith('<') ? msg.messageId : `<${msg.messageId}>`,
        from: msg.from,
        to: msg.to,
        subject: msg.subject,
        html: msg.html,
        text: msg.text,
        headers: msg.headers,
      }).compile();
      const raw = await mail.build();
      const envelope = mail.getEnvelope() as { from: string; to: string[] };
      const lane = await acquire();
      if (!lane) throw notAttempted('the SMTP sender is closed');
      try {
        if (closed) throw notAttempted('the SMTP sender is closed');
        if (Date.now() < pausedUntil) throw notAttempted('the SMTP server was unreachable moments ago');
        await lane.send(envelope, raw);
      } finally {
        release(lane);
      }
    },
    close() {
      closed = true;
      for (const lane of lanes) lane.drop();
      for (const next of waiting.splice(0)) next(null);
    },
  };
}
