/**
 * The inbound bounce webhook: a bounce is recorded as `email_bounced` (with the journey and tile
 * of the message, so `bounced` trigger rules see it); a hard bounce stops all further mail to the
 * address, and the message that is not sent shows as failed in insights and in the path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('bounces', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const ids: Record<string, string> = {};
  const subjectsTo = (email: string) => smtp.messages.filter((message) => message.to === email).map((message) => message.subject);
  const bounce = (body: unknown) => server.api('POST', '/webhooks/bounces', body);

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-03-02T09:00:00Z' });
    await server.api('POST', '/content-settings', { name: 'Default', postalAddress: '1 Main Street', isDefault: true });
    ids.Ann = (await server.api('POST', '/contacts', { email: 'ann@example.com', consent: 'marketing' })).body.id;
    ids.Bob = (await server.api('POST', '/contacts', { email: 'bob@example.com', consent: 'marketing' })).body.id;
    const segment = (await server.api('POST', '/segments', { name: 'Both', kind: 'static' })).body.id;
    await server.api('POST', `/segments/${segment}/members`, { add: [ids.Ann, ids.Bob] });
    const footer = '{{ content.subscriptionCenterUrl }} {{ content.postalAddress }}';
    for (const [key, subject] of [['first', 'First'], ['second', 'Second']] as const) {
      ids[key] = (await server.api('POST', '/emails', { name: subject, subject, html: `<p>${subject}</p>${footer}` })).body.id;
      await server.api('POST', `/emails/${ids[key]}/publish`);
    }
    ids.journey = (
      await server.api('POST', '/journeys', {
        name: 'Two mails',
        startAt: '2026-03-01T00:00:00Z',
        endAt: '2026-04-01T00:00:00Z',
        timeZone: 'UTC',
        tiles: [
          { id: 'who', type: 'segmentGroup', segments: [{ source: 'segment', segmentId: segment, mode: 'include' }], next: 'first' },
          { id: 'first', type: 'email', emailId: ids.first, next: 'bounced' },
          { id: 'bounced', type: 'trigger', rules: [{ tile: 'first', on: 'bounced' }], match: 'any', timeout: 'P1D', onTrue: 'fix', onFalse: 'second' },
          { id: 'fix', type: 'activity', activityType: 'task', subject: 'Check the address', next: 'second' },
          { id: 'second', type: 'email', emailId: ids.second, next: null },
        ],
      })
    ).body.id;
    await server.api('POST', `/journeys/${ids.journey}/go-live`);
    await server.drain();
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('records a hard bounce for our message, which a bounced trigger sees', async () => {
    const first = smtp.messages.find((message) => message.to === 'ann@example.com')!;
    const response = await bounce({ email: 'ANN@example.com', type: 'hard', reason: '550 5.1.1 <ann@example.com>: mailbox unknown', messageId: first.messageId, id: 'report-1' });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ accepted: 1, recorded: 1, blocked: 1 });
    // The same report delivered again is recorded once.
    expect((await bounce({ email: 'ann@example.com', type: 'hard', messageId: first.messageId, id: 'report-1' })).body).toEqual({ accepted: 1, recorded: 0, blocked: 0 });
    await server.drain();
    const path = (await server.api('GET', `/journeys/${ids.journey}/contacts/${ids.Ann}`)).body;
    expect(path.history.map((entry: { tileId: string; outcome: string }) => `${entry.tileId}:${entry.outcome}`)).toEqual([
      'who:entered',
      'first:sent',
      'bounced:true',
      'fix:created',
      'second:sent',
      'second:emailFailed',
    ]);
    expect(path.history.at(-1).reason).toBe('the address hard-bounced: no further mail is sent to it');
  });

  it('sends no further mail to a hard-bounced address, and counts it', async () => {
    await server.advance('P1D');
    expect(subjectsTo('ann@example.com')).toEqual(['First']);
    expect(subjectsTo('bob@example.com')).toEqual(['First', 'Second']);
    const insights = (await server.api('GET', `/journeys/${ids.journey}/insights`)).body;
    expect(insights.tiles.first).toMatchObject({ sent: 2, delivered: 2, bounced: 1 });
    // The message to the bounced address was never sent: it counts as failed, not as sent.
    expect(insights.tiles.second).toMatchObject({ queued: 0, sent: 1, delivered: 1, failed: 1 });
    const [row] = await server.database.db.query<{ status: string; last_error: string; failure_reason: string }>(
      `select status, last_error, failure_reason from outbox where contact_id = $1 and tile_id = 'second'`,
      [ids.Ann],
    );
    expect(row).toEqual({ status: 'failed', last_error: 'the address hard-bounced: no further mail is sent to it', failure_reason: 'hardBounce' });
  });

  it('records a soft bounce without blocking, and a hard bounce of an unknown address by blocking it', async () => {
    const response = await bounce({ bounces: [
      { email: 'bob@example.com', type: 'soft', reason: 'mailbox full', messageId: '<someone.else@mail.example>' },
      { email: 'nobody@example.com', type: 'hard' },
    ] });
    expect(response.body).toEqual({ accepted: 2, recorded: 1, blocked: 1 });
    const [event] = await server.database.db.query<{ properties: Record<string, unknown> }>(`select properties from events where contact_id = $1 and type = 'email_bounced'`, [ids.Bob]);
    expect(event!.properties).toEqual({ bounceType: 'soft', reason: 'mailbox full' });
    expect((await server.api('GET', '/bounced-emails/bob@example.com')).status).toBe(404);
    expect((await server.api('GET', '/bounced-emails/Nobody@Example.com')).status).toBe(200);
  });

  it('shows and lifts the block on an address', async () => {
    const found = await server.api('GET', '/bounced-emails/ann@example.com');
    expect(found.body).toEqual({ email: 'ann@example.com', reason: '550 5.1.1 <ann@example.com>: mailbox unknown', bouncedAt: '2026-03-02T09:00:00.000Z' });
    expect((await server.api('DELETE', '/bounced-emails/ann@example.com')).status).toBe(204);
    expect((await server.api('GET', '/bounced-emails/ann@example.com')).status).toBe(404);
    expect((await server.api('DELETE', '/bounced-emails/ann@example.com')).status).toBe(404);
    // The blocked address is kept only as a hash.
    const stored = await server.database.db.query<{ email_hash: string }>('select email_hash from bounced_emails');
    expect(stored.every((row) => /^[0-9a-f]{64}$/.test(row.email_hash))).toBe(true);
  });

  it('names the bad fields of a report', async () => {
    const bad = await bounce({ email: 'not-an-address', type: 'bouncy' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'type']);
    const batch = await bounce({ bounces: [{ email: 'a@example.com', type: 'hard' }, { email: 'b@example.com', type: 'hard', occurredAt: 'yesterday' }] });
    expect(new Set(batch.body.errors.map((e: { path: string }) => e.path))).toEqual(new Set(['bounces.1.occurredAt']));
    expect((await server.api('POST', '/webhooks/bounces', { email: 'a@example.com', type: 'hard' }, { key: null })).status).toBe(401);
  });
});
