/**
 * Minimum consent and the suppression segment, part-way through a journey: a contact whose consent
 * drops, or who joins the suppression segment after entering, gets no further message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('consent and suppression', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const ids: Record<string, string> = {};
  const subjectsFor = (name: string) => smtp.messages.filter((m) => m.to.includes(`${name}@example.com`)).map((m) => m.subject);
  const post = async (path: string, body?: unknown) => {
    const response = await server.api('POST', path, body);
    expect(response.status, `${path} ${JSON.stringify(response.body)}`).toBeLessThan(300);
    return response.body;
  };

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-06-01T10:00:00Z' });
    await post('/content-settings', { name: 'Default', postalAddress: '3 Mill', isDefault: true });
    const list = await post('/subscription-lists', { name: 'Offers' });
    for (const [name, consent] of [['ann', 'marketing'], ['bob', 'profiling'], ['cat', 'marketing'], ['dan', 'subscriptions']] as const) {
      ids[name] = (await post('/contacts', { email: `${name}@example.com`, consent })).id;
    }
    await post(`/subscription-lists/${list.id}/members`, { add: Object.values(ids) });
    ids.doNotContact = (await post('/segments', { name: 'Do not contact', kind: 'static' })).id;
    const footer = '{{ content.postalAddress }} <a href="{{ content.subscriptionCenterUrl }}">prefs</a>';
    const welcome = await post('/emails', { name: 'Welcome', subject: 'Welcome', html: `<p>Hello</p>${footer}` });
    const offer = await post('/emails', { name: 'Offer', subject: 'Your offer', html: `<p>Offer</p>${footer}` });
    for (const email of [welcome, offer]) await post(`/emails/${email.id}/publish`);
    const journey = await post('/journeys', {
      name: 'Offers',
      minimumConsent: 'marketing',
      suppressionSegmentId: ids.doNotContact,
      startAt: '2026-06-01T00:00:00Z',
      endAt: '2026-07-01T00:00:00Z',
      timeZone: 'UTC',
      tiles: [
        { id: 'in', type: 'segmentGroup', segments: [{ source: 'subscriptionList', listId: list.id, mode: 'include' }], next: 'welcome' },
        { id: 'welcome', type: 'email', emailId: welcome.id, next: 'wait' },
        { id: 'wait', type: 'scheduler', wait: { for: 'P1D' }, next: 'offer' },
        { id: 'offer', type: 'email', emailId: offer.id, next: null },
      ],
    });
    ids.journey = journey.id;
    expect(await post(`/journeys/${journey.id}/go-live`)).toEqual({ status: 'live' });
    await server.drain();
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('excludes a contact below the minimum consent, and counts why', async () => {
    expect(subjectsFor('ann')).toEqual(['Welcome']);
    expect(subjectsFor('dan')).toEqual([]);
    const insights = (await server.api('GET', `/journeys/${ids.journey}/insights`)).body;
    expect(insights.contacts.excluded).toMatchObject({ consent: 1 });
    expect((await server.api('GET', `/journeys/${ids.journey}/contacts/${ids.dan}`)).body).toMatchObject({ status: 'excluded', reason: 'consent' });
  });

  it('sends nothing more to a contact whose consent drops or who is suppressed part-way', async () => {
    expect((await server.api('PATCH', `/contacts/${ids.bob}`, { consent: 'transactional' })).status).toBe(200);
    await post(`/segments/${ids.doNotContact}/members`, { add: [ids.cat] });
    await server.advance('P1D');
    expect(subjectsFor('ann')).toEqual(['Welcome', 'Your offer']);
    expect(subjectsFor('bob')).toEqual(['Welcome']);
    expect(subjectsFor('cat')).toEqual(['Welcome']);
    const failed = (await server.api('GET', `/messages?journeyId=${ids.journey}&status=failed`)).body.items;
    expect(failed.map((m: { to: string; lastError: string }) => [m.to, m.lastError]).sort()).toEqual([
      ['bob@example.com', "consent is below the journey's minimum consent"],
      ['cat@example.com', "the contact is in the journey's suppression segment"],
    ]);
  });
});
