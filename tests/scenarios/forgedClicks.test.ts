/**
 * Click tracking is not an open redirect: 10 000 forged click tokens (random ones, real tokens
 * with a changed signature or payload, tokens signed with another secret, truncated, padded or
 * re-encoded ones) all answer 404 and none redirects anywhere; the real link of the email still
 * redirects to exactly the URL that was in it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const TARGET = 'https://example.com/offer?x=1';
const EVIL = 'https://evil.example/phish';

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64url');

describe('forged click tokens', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let realLink: string;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-03-02T09:00:00Z' });
    await server.api('POST', '/content-settings', { name: 'Default', postalAddress: '1 Main Street', isDefault: true });
    const contact = (await server.api('POST', '/contacts', { email: 'ann@example.com', consent: 'marketing' })).body.id;
    const segment = (await server.api('POST', '/segments', { name: 'Ann', kind: 'static' })).body.id;
    await server.api('POST', `/segments/${segment}/members`, { add: [contact] });
    const email = (await server.api('POST', '/emails', { name: 'Offer', subject: 'Offer', html: `<a href="${TARGET}">Offer</a> {{ content.subscriptionCenterUrl }} {{ content.postalAddress }}` })).body.id;
    await server.api('POST', `/emails/${email}/publish`);
    const journey = (
      await server.api('POST', '/journeys', {
        name: 'Offer',
        startAt: '2026-03-01T00:00:00Z',
        endAt: '2026-04-01T00:00:00Z',
        timeZone: 'UTC',
        tiles: [
          { id: 'who', type: 'segmentGroup', segments: [{ source: 'segment', segmentId: segment, mode: 'include' }], next: 'send' },
          { id: 'send', type: 'email', emailId: email, next: null },
        ],
      })
    ).body.id;
    await server.api('POST', `/journeys/${journey}/go-live`);
    await server.drain();
    realLink = /href="([^"]+\/t\/c\/[^"]+)"/.exec(smtp.messages[0]!.html)![1]!.replaceAll('&amp;', '&');
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  function forgeries(count: number): string[] {
    const real = realLink.split('/t/c/')[1]!;
    const [body, mac] = real.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as { o: number; u: string };
    const makers: Array<(n: number) => string> = [
      // Random bodies and signatures.
      () => `${b64(randomBytes(1 + (randomBytes(1)[0]! % 60)))}.${b64(randomBytes(32))}`,
      // The real payload with a changed signature.
      (n) => `${body}.${b64(Buffer.from(Buffer.from(mac, 'base64url').map((byte, i) => (i === n % 32 ? byte ^ (1 + (n % 255)) : byte))))}`,
      // Another target with the real signature.
      (n) => `${b64(JSON.stringify({ ...payload, u: `${EVIL}/${n}` }))}.${mac}`,
      // Another outbox entry with the real signature.
      (n) => `${b64(JSON.stringify({ ...payload, o: payload.o + 1 + n }))}.${mac}`,
      // Properly signed, with another secret.
      (n) => {
        const forged = b64(JSON.stringify({ o: payload.o, u: `${EVIL}?n=${n}` }));
        return `${forged}.${sign(`guess-${n}`, forged)}`;
      },
      // Truncated, extended, doubled and re-spelled versions of the real token.
      (n) => `${real.slice(0, 1 + (n % (real.length - 1)))}${n}`,
      (n) => `${real}${b64(String(n))}`,
      (n) => `${real}.${b64(String(n))}`,
      (n) => `${body}${'='.repeat(1 + (n % 3))}.${mac}~${n}`,
      (n) => {
        const at = n % body.length;
        const c = body[at]!;
        const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
        return `${body.slice(0, at)}${flipped === c ? '_' : flipped}${body.slice(at + 1)}.${mac}${n % 7 === 0 ? '' : `-${n}`}`;
      },
      (n) => encodeURIComponent(`${body}+/.${mac}`) + n,
    ];
    return Array.from({ length: count }, (_, n) => makers[n % makers.length]!(n));
  }

  it('answers 404 to every one of 10 000 forgeries, never redirecting', async () => {
    const base = realLink.split('/t/c/')[0]!;
    const tokens = forgeries(10_000);
    expect(new Set(tokens).size).toBeGreaterThan(9_000);
    const statuses = new Map<number, number>();
    let redirects = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < tokens.length) {
          const token = tokens[next++]!;
          const response = await fetch(`${base}/t/c/${token}`, { redirect: 'manual' });
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.headers.get('location') !== null) redirects += 1;
        }
      }),
    );
    expect(redirects).toBe(0);
    expect([...statuses.keys()].every((status) => status === 404 || status === 414)).toBe(true);
    expect(statuses.get(404)).toBeGreaterThan(9_900);
    const [clicks] = await server.database.db.query<{ n: number }>(`select count(*)::int as n from events where type = 'email_clicked'`);
    expect(clicks!.n).toBe(0);
  });

  it('still redirects the real link to exactly the URL in the email', async () => {
    const response = await fetch(realLink, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(TARGET);
  });
});
