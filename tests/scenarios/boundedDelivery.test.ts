/**
 * Bounded, honest delivery, over HTTP with a real SMTP server: a mailbox the server refuses (5xx)
 * fails at once as `rejected`; a mailbox the server keeps deferring (4xx) is retried with backoff
 * and given up on as `expired` 3 days after the first try; insights count a message as `queued`
 * until the server accepted it, `sent` once it did, and `failed` when given up on, never as sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('a welcome email to a good, a refused and a full mailbox', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const ids: Record<string, string> = {};

  const create = async (path: string, body: unknown) => {
    const response = await server.api('POST', path, body);
    expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(201);
    return response.body;
  };
  const welcomeTile = async () => (await server.api('GET', `/journeys/${ids.journey}/insights`)).body.tiles.welcome;
  const messageTo = async (contact: string) => {
    const { body } = await server.api('GET', `/messages?journeyId=${ids.journey}&contactId=${ids[contact]}`);
    expect(body.items).toHaveLength(1);
    return body.items[0];
  };

  beforeAll(async () => {
    smtp = await startTestSmtpServer({
      answerRecipient: (address) =>
        address === 'gone@example.com' ? { code: 550, message: 'No such mailbox' } : address === 'full@example.com' ? { code: 452, message: 'Mailbox full, try again later' } : undefined,
    });
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-03-02T14:00:00Z' });
    await create('/content-settings', { name: 'Default', postalAddress: '1 Main Street, Springfield', isDefault: true });
    ids.segment = (await create('/segments', { name: 'Everyone', kind: 'static' })).id;
    for (const name of ['ann', 'gone', 'full']) ids[name] = (await create('/contacts', { email: `${name}@example.com`, consent: 'marketing' })).id;
    await server.api('POST', `/segments/${ids.segment}/members`, { add: [ids.ann, ids.gone, ids.full] });
    const footer = '<p><a href="{{ content.subscriptionCenterUrl }}">Manage</a> {{ content.postalAddress }}</p>';
    ids.email = (await create('/emails', { name: 'Welcome', subject: 'Welcome', html: `<p>Hello</p>${footer}` })).id;
    expect((await server.api('POST', `/emails/${ids.email}/publish`)).status).toBe(200);
    ids.journey = (
      await create('/journeys', {
        name: 'Welcome',
        target: 'contacts',
        startAt: '2026-03-02T00:00:00Z',
        endAt: '2026-06-01T00:00:00Z',
        timeZone: 'UTC',
        tiles: [
          { id: 'everyone', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: ids.segment, mode: 'include' }], next: 'welcome' },
          { id: 'welcome', type: 'email', emailId: ids.email, next: null },
        ],
      })
    ).id;
    expect((await server.api('POST', `/journeys/${ids.journey}/go-live`)).status).toBe(200);
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('sends to the good mailbox, fails the refused one at once as rejected, and keeps the full one queued', async () => {
    await server.drain();
    expect(smtp.received.map((message) => message.to)).toEqual(['ann@example.com']);
    // Every contact passed the tile, but only one message reached a server: that one alone is sent.
    expect(await welcomeTile()).toMatchObject({ entered: 3, queued: 1, sent: 1, failed: 1 });
    expect(await messageTo('gone')).toMatchObject({ status: 'failed', reason: 'rejected', attempts: 1 });
    expect((await messageTo('gone')).lastError).toContain('550');
    expect(await messageTo('full')).toMatchObject({ status: 'pending', reason: null, attempts: 1 });
    expect((await messageTo('full')).lastError).toContain('452');
  });

  it('retries the full mailbox with backoff but never the refused one', async () => {
    await server.advance('PT30S');
    expect((await messageTo('full')).attempts).toBe(2);
    expect((await messageTo('gone')).attempts).toBe(1);
    // The next try is a minute later: nothing happens before it.
    await server.advance('PT30S');
    expect((await messageTo('full')).attempts).toBe(2);
    await server.advance('PT30S');
    expect((await messageTo('full')).attempts).toBe(3);
  });

  it('still retries the full mailbox just inside 3 days after its first try', async () => {
    await server.advance('P1D');
    await server.advance('P1D');
    await server.advance('PT23H');
    expect(await messageTo('full')).toMatchObject({ status: 'pending', reason: null });
    expect(await welcomeTile()).toMatchObject({ queued: 1, sent: 1, failed: 1 });
  });

  it('gives the full mailbox up as expired once its retries would run past 3 days, counted as failed', async () => {
    await server.advance('PT1H');
    const full = await messageTo('full');
    expect(full).toMatchObject({ status: 'failed', reason: 'expired' });
    const attempts = full.attempts;
    await server.advance('P7D');
    expect((await messageTo('full')).attempts).toBe(attempts);
    expect(await welcomeTile()).toMatchObject({ queued: 0, sent: 1, failed: 2 });
    expect(smtp.received.map((message) => message.to)).toEqual(['ann@example.com']);
  });
});

describe('without a mail server', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ now: '2026-03-02T14:00:00Z' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('counts the messages waiting in the outbox as queued, not sent', async () => {
    const post = async (path: string, body: unknown) => (await server.api('POST', path, body)).body;
    await post('/content-settings', { name: 'Default', postalAddress: '1 Main Street', isDefault: true });
    const segment = (await post('/segments', { name: 'Everyone', kind: 'static' })).id;
    const contacts = await Promise.all(['a', 'b'].map(async (name) => (await post('/contacts', { email: `${name}@example.com`, consent: 'marketing' })).id));
    await post(`/segments/${segment}/members`, { add: contacts });
    const email = (await post('/emails', { name: 'Hi', subject: 'Hi', html: '<p><a href="{{ content.subscriptionCenterUrl }}">x</a> {{ content.postalAddress }}</p>' })).id;
    await post(`/emails/${email}/publish`, {});
    const journey = (
      await post('/journeys', {
        name: 'Hi',
        target: 'contacts',
        startAt: '2026-03-02T00:00:00Z',
        endAt: '2026-06-01T00:00:00Z',
        timeZone: 'UTC',
        tiles: [
          { id: 'all', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: segment, mode: 'include' }], next: 'hi' },
          { id: 'hi', type: 'email', emailId: email, next: null },
        ],
      })
    ).id;
    await post(`/journeys/${journey}/go-live`, {});
    await server.drain();
    const insights = (await server.api('GET', `/journeys/${journey}/insights`)).body;
    expect(insights.tiles.hi).toMatchObject({ entered: 2, completed: 2, queued: 2, sent: 0, failed: 0 });
  });
});
