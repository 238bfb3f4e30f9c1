import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../../../../tests/support/smtpServer.ts';
import { createSmtpSender, smtpPoolOptions } from './smtpSender.ts';

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

  it('reads transport options from the URL', () => {
    expect(smtpPoolOptions('smtp://127.0.0.1:2525')).toMatchObject({ host: '127.0.0.1', port: 2525, secure: false, ignoreTLS: true, pool: true, maxConnections: 4, maxMessages: Infinity });
    expect(smtpPoolOptions('smtps://u%40x:p%3Aw@mail.example.com')).toMatchObject({ port: 465, secure: true, ignoreTLS: false, auth: { user: 'u@x', pass: 'p:w' } });
    expect(smtpPoolOptions('smtp://mail.example.com')).toMatchObject({ port: 587, secure: false, ignoreTLS: false, auth: undefined });
    expect(smtpPoolOptions('smtp://[::1]:25')).toMatchObject({ host: '::1', port: 25, ignoreTLS: true });
    expect(smtpPoolOptions('smtp://127.0.0.1:25?ignoreTLS=false')).toMatchObject({ ignoreTLS: false });
    expect(() => smtpPoolOptions('http://x')).toThrow(/not an SMTP URL/);
  });
});
