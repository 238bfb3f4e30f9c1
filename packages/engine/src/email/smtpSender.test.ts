import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../../../../tests/support/smtpServer.ts';
import { createSmtpSender, SmtpSendError, smtpSettings, type OutgoingEmail } from './smtpSender.ts';

const message = (to: string, id = to): OutgoingEmail => ({ messageId: `${id}@waymark.test`, from: 'a@waymark.test', to, subject: 's', html: '<p>h</p>', text: 'h', headers: {} });

/** What a send ended with: 'sent', or the kind of failure. */
async function outcome(promise: Promise<void>): Promise<string> {
  try {
    await promise;
    return 'sent';
  } catch (error) {
    return error instanceof SmtpSendError ? error.failure : `unexpected: ${String(error)}`;
  }
}

/**
 * A mail server that speaks until a given point and then goes silent, as a stuck or overloaded one
 * does: `greeting` never greets; `data` takes the whole message and never answers it.
 */
async function stallingServer(stallAt: 'greeting' | 'data'): Promise<{ url: string; close(): void }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    if (stallAt === 'greeting') return;
    socket.write('220 stalling.test ESMTP\r\n');
    let inData = false;
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\r\n')) {
        if (inData) continue; // swallow the message, never say 250
        if (/^EHLO/i.test(line)) socket.write('250 stalling.test\r\n');
        else if (/^(MAIL|RCPT)/i.test(line)) socket.write('250 OK\r\n');
        else if (/^DATA/i.test(line)) {
          inData = true;
          socket.write('354 go ahead\r\n');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('smtpSender', () => {
  let server: TestSmtpServer;
  beforeAll(async () => {
    server = await startTestSmtpServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('delivers 50 messages through the pool with their Message-ID and headers', async () => {
    const sender = createSmtpSender(server.url);
    const headers = { 'List-Unsubscribe': '<https://t.example/u1/tok>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        sender.send({
          // Half already wrapped, half bare: both must arrive as <id>.
          messageId: i % 2 ? `<out-${i}@waymark.test>` : `out-${i}@waymark.test`,
          from: 'Waymark <news@waymark.test>',
          to: `c${i}@example.com`,
          subject: `Message ${i}`,
          html: `<p>Body ${i}</p>`,
          text: `Body ${i}`,
          headers,
        }),
      ),
    );
    await server.waitFor(50);
    sender.close();

    expect(server.messages).toHaveLength(50);
    expect(server.duplicates).toBe(0);
    const byId = new Map(server.messages.map((m) => [m.messageId, m]));
    for (let i = 0; i < 50; i++) {
      const m = byId.get(`<out-${i}@waymark.test>`);
      expect(m, `message ${i}`).toBeDefined();
      expect(m?.subject).toBe(`Message ${i}`);
      expect(m?.to).toBe(`c${i}@example.com`);
      expect(m?.from).toBe('news@waymark.test');
      expect(m?.html).toContain(`<p>Body ${i}</p>`);
      expect(m?.text.trim()).toBe(`Body ${i}`);
      expect(m?.headers['list-unsubscribe']).toBe('<https://t.example/u1/tok>');
      expect(m?.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    }
  });

  it('counts a resend of the same Message-ID as a duplicate', async () => {
    const sender = createSmtpSender(server.url);
    const before = server.messages.length;
    const msg = { messageId: 'again@waymark.test', from: 'a@waymark.test', to: 'b@example.com', subject: 's', html: '<p>h</p>', text: 'h', headers: {} };
    await sender.send(msg);
    await sender.send(msg);
    sender.close();
    expect(server.messages.length).toBe(before + 1);
    expect(server.duplicates).toBe(1);
    expect(server.messages.at(-1)?.receivedCount).toBe(2);
  });

  it('rejects when the server is unreachable', async () => {
    const sender = createSmtpSender('smtp://127.0.0.1:1');
    await expect(sender.send({ messageId: 'x@y', from: 'a@b.c', to: 'd@e.f', subject: 's', html: 'h', text: 't', headers: {} })).rejects.toThrow();
    sender.close();
  });

  it('fails a message the server answers with 5xx as rejected, and one answered with 4xx as temporary', async () => {
    const picky = await startTestSmtpServer({
      answerRecipient: (address) =>
        address.startsWith('gone@') ? { code: 550, message: 'No such mailbox' } : address.startsWith('full@') ? { code: 452, message: 'Mailbox full, try later' } : undefined,
    });
    const sender = createSmtpSender(picky.url);
    try {
      expect(await outcome(sender.send(message('gone@example.com')))).toBe('rejected');
      expect(await outcome(sender.send(message('full@example.com')))).toBe('temporary');
      // A refusal of one message leaves the sender able to send the next.
      expect(await outcome(sender.send(message('ok@example.com')))).toBe('sent');
      expect(picky.received.map((m) => m.to)).toEqual(['ok@example.com']);
    } finally {
      sender.close();
      await picky.close();
    }
  });

  it('gives up on a server that never greets after the greeting deadline, and pauses before trying it again', async () => {
    const silent = await stallingServer('greeting');
    const sender = createSmtpSender(silent.url, { greetingMs: 300, pauseAfterUnreachableMs: 60_000 });
    try {
      expect(await outcome(sender.send(message('a@example.com')))).toBe('temporary');
      expect(sender.available()).toBe(false);
      // While paused nothing is tried: the message is handed back untouched.
      expect(await outcome(sender.send(message('b@example.com')))).toBe('notAttempted');
    } finally {
      sender.close();
      silent.close();
    }
  });

  it('fails a message whose data the server never acknowledges after the idle deadline', async () => {
    const stuck = await stallingServer('data');
    const sender = createSmtpSender(stuck.url, { idleMs: 300, messageMs: 60_000 });
    try {
      expect(await outcome(sender.send(message('a@example.com')))).toBe('temporary');
    } finally {
      sender.close();
      stuck.close();
    }
  });

  it('fails the messages in flight when the server dies mid-send, and sends again once it is back', async () => {
    const dying = await startTestSmtpServer();
    const sender = createSmtpSender(dying.url, { pauseAfterUnreachableMs: 0 });
    try {
      const sends = Array.from({ length: 40 }, (_, i) => outcome(sender.send(message(`r${i}@example.com`))));
      await dying.waitFor(5);
      await dying.kill();
      const outcomes = await Promise.all(sends);
      // Every send settled (none hangs); what the server had not yet taken failed, to be retried.
      expect(outcomes.filter((o) => o !== 'sent' && o !== 'temporary' && o !== 'notAttempted')).toEqual([]);
      expect(outcomes.filter((o) => o === 'sent').length).toBeLessThan(40);
      await dying.restart();
      expect(await outcome(sender.send(message('after@example.com')))).toBe('sent');
    } finally {
      sender.close();
      await dying.close();
    }
  });

  it('reads transport options from the URL', () => {
    expect(smtpSettings('smtp://127.0.0.1:2525')).toMatchObject({ host: '127.0.0.1', port: 2525, secure: false, ignoreTLS: true, connections: 16 });
    expect(smtpSettings('smtps://u%40x:p%3Aw@mail.example.com')).toMatchObject({ port: 465, secure: true, ignoreTLS: false, auth: { user: 'u@x', pass: 'p:w' } });
    expect(smtpSettings('smtp://mail.example.com')).toMatchObject({ port: 587, secure: false, ignoreTLS: false, auth: undefined });
    expect(smtpSettings('smtp://[::1]:25')).toMatchObject({ host: '::1', port: 25, ignoreTLS: true });
    expect(smtpSettings('smtp://127.0.0.1:25?ignoreTLS=false')).toMatchObject({ ignoreTLS: false });
    expect(smtpSettings('smtp://127.0.0.1:25?connections=4')).toMatchObject({ connections: 4 });
    for (const bad of ['0', '65', '2.5', 'many']) expect(() => smtpSettings(`smtp://127.0.0.1:25?connections=${bad}`)).toThrow(/connections must be/);
    expect(() => smtpSettings('http://x')).toThrow(/not an SMTP URL/);
  });
});
