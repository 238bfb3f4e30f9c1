// An in-process SMTP receiver for tests. It behaves like a real receiving server that
// deduplicates by Message-ID: each distinct message is recorded once in `messages` and resends are
// counted in `duplicates`, so a test of exactly-once delivery asserts `duplicates === 0`. `received`
// keeps every message it took, resends included, for tests that count duplicates without trusting
// Message-IDs. It can also answer recipients with an error, and die and come back on its port.
import type { AddressInfo, Socket } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMessage {
  /** As it appears in the header, angle brackets included: `<id@host>`. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Raw header values by lower-case name (the last one wins when a header repeats). */
  headers: Record<string, string>;
  /** How many times this Message-ID arrived (1 + its duplicates). */
  receivedCount: number;
}

/** An SMTP error answer to RCPT TO, e.g. `{code: 550, message: 'No such mailbox'}`. */
export interface SmtpAnswer {
  code: number;
  message: string;
}

export interface TestSmtpServerOptions {
  /** How to answer each recipient: an error, or undefined to take the message. */
  answerRecipient?: (address: string) => SmtpAnswer | undefined;
}

export interface TestSmtpServer {
  url: string;
  port: number;
  messages: ReceivedMessage[];
  /** Every message taken, in order, resends of a Message-ID included. */
  received: ReceivedMessage[];
  /** Resends of a Message-ID already received; updated as messages arrive. */
  duplicates: number;
  /** Resolves once `count` distinct messages have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  /** Dies as a killed mail server does: stops listening and drops every connection mid-conversation. */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

function addresses(field: AddressObject | AddressObject[] | undefined): string {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((a) => a.value.map((v) => v.address ?? '')).join(', ');
}

export async function startTestSmtpServer(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const byId = new Map<string, ReceivedMessage>();
  const waiters = new Set<() => void>();

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    size: 50 * 1024 * 1024,
    logger: false,
    // A sender that forgot to close its pool must not hold a test for the default 30 s.
    closeTimeout: 1_000,
    // Tests talk from 127.0.0.1; a reverse DNS lookup per connection only adds latency.
    disableReverseLookup: true,
    onRcptTo(address, _session, callback) {
      const answer = options.answerRecipient?.(address.address);
      if (!answer) return callback();
      callback(Object.assign(new Error(answer.message), { responseCode: answer.code }));
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        // Acknowledge only once recorded, so a resolved send() means the message is in `messages`.
        simpleParser(Buffer.concat(chunks)).then((mail) => {
          record({
            messageId: mail.messageId ?? '',
            from: addresses(mail.from),
            to: addresses(mail.to),
            subject: mail.subject ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
            text: mail.text ?? '',
            headers: Object.fromEntries(
              mail.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim()]),
            ),
            receivedCount: 1,
          });
          callback();
        }, callback);
      });
    },
  });

  const result: TestSmtpServer = {
    url: '',
    port: 0,
    messages: [],
    received: [],
    duplicates: 0,
    waitFor(count, timeoutMs = 10_000) {
      if (result.messages.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (result.messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`waited ${timeoutMs} ms for ${count} messages, got ${result.messages.length}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    kill: () =>
      new Promise<void>((resolve) => {
        server.server.close(() => resolve());
        for (const connection of (server as unknown as { connections: Set<{ _socket: Socket }> }).connections) connection._socket.destroy();
      }),
    restart: () =>
      new Promise<void>((resolve, reject) => {
        server.server.once('error', reject);
        server.server.listen(result.port, '127.0.0.1', () => {
          server.server.off('error', reject);
          resolve();
        });
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  function record(msg: ReceivedMessage): void {
    result.received.push({ ...msg });
    const seen = msg.messageId ? byId.get(msg.messageId) : undefined;
    if (seen) {
      seen.receivedCount += 1;
      result.duplicates += 1;
      return;
    }
    if (msg.messageId) byId.set(msg.messageId, msg);
    result.messages.push(msg);
    for (const check of [...waiters]) check();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // A sender that dies mid-conversation (the crash test SIGKILLs one) resets its connection; a real
  // mail server shrugs that off, and so must this one, instead of failing the test run.
  server.removeAllListeners('error');
  server.on('error', () => undefined);
  result.port = (server.server.address() as AddressInfo).port;
  result.url = `smtp://127.0.0.1:${result.port}`;
  return result;
}
