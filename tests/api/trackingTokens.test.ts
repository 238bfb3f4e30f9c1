/**
 * Each link in an email does one thing: the open pixel counts an open only for the open token it
 * was made with; a click link or an unsubscribe link fetched at the pixel's address counts none
 * (no inflated opens, no open-triggered paths), and the click and unsubscribe routes take only
 * their own tokens too. The pixel itself always answers with an image.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('tokens used for another purpose than their own', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let links: { click: string; open: string; unsubscribe: string };

  const token = (link: string) => link.split('/').at(-1)!;
  const opens = async () => (await server.database.db.query<{ n: number }>(`select count(*)::int as n from events where type = 'email_opened'`))[0]!.n;
  const clicks = async () => (await server.database.db.query<{ n: number }>(`select count(*)::int as n from events where type = 'email_clicked'`))[0]!.n;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-03-02T09:00:00Z' });
    await server.api('POST', '/content-settings', { name: 'Default', postalAddress: '1 Main Street', isDefault: true });
    const contact = (await server.api('POST', '/contacts', { email: 'ann@example.com', consent: 'marketing' })).body.id;
    const segment = (await server.api('POST', '/segments', { name: 'Ann', kind: 'static' })).body.id;
    await server.api('POST', `/segments/${segment}/members`, { add: [contact] });
    const html = '<a href="https://example.com/offer">Offer</a> <a href="{{ content.unsubscribeUrl }}">Unsubscribe</a> {{ content.subscriptionCenterUrl }} {{ content.postalAddress }}';
    const email = (await server.api('POST', '/emails', { name: 'Offer', subject: 'Offer', html })).body.id;
    await server.api('POST', `/emails/${email}/publish`);
    const journey = await server.api('POST', '/journeys', {
      name: 'Offer',
      startAt: '2026-03-01T00:00:00Z',
      endAt: '2026-04-01T00:00:00Z',
      timeZone: 'UTC',
      tiles: [
        { id: 'who', type: 'segmentGroup', segments: [{ source: 'segment', segmentId: segment, mode: 'include' }], next: 'send' },
        { id: 'send', type: 'email', emailId: email, next: null },
      ],
    });
    await server.api('POST', `/journeys/${journey.body.id}/go-live`);
    await server.drain();
    const sent = smtp.messages[0]!.html.replaceAll('&amp;', '&');
    links = {
      click: /href="([^"]+\/t\/c\/[^"]+)"/.exec(sent)![1]!,
      open: /src="([^"]+\/t\/o\/[^"]+)"/.exec(sent)![1]!,
      unsubscribe: /href="([^"]+\/u\/[^"]+)"/.exec(sent)![1]!,
    };
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('counts no open for a click or unsubscribe token at the pixel address, yet answers with the pixel', async () => {
    for (const other of [links.click, links.unsubscribe]) {
      const response = await fetch(`${server.url}/t/o/${token(other)}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/gif');
    }
    expect(await opens()).toBe(0);
    await fetch(`${server.url}/t/o/${token(links.open)}`);
    expect(await opens()).toBe(1);
  });

  it('follows no click for an open or unsubscribe token, and unsubscribes nobody with a click or open token', async () => {
    for (const other of [links.open, links.unsubscribe]) {
      expect((await fetch(`${server.url}/t/c/${token(other)}`, { redirect: 'manual' })).status).toBe(404);
    }
    expect(await clicks()).toBe(0);
    for (const other of [links.click, links.open]) {
      const response = await fetch(`${server.url}/u/${token(other)}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(response.status).toBe(404);
    }
    expect((await server.api('GET', '/contacts?q=ann@example.com')).body.items[0].consent).toBe('marketing');
    // The real links still work.
    expect((await fetch(`${server.url}/t/c/${token(links.click)}`, { redirect: 'manual' })).headers.get('location')).toBe('https://example.com/offer');
    expect(await clicks()).toBe(1);
  });
});
