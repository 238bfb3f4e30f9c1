/**
 * A behavioural segment over HTTP with the manual clock and real SMTP: "clicked our newsletter in
 * the last 7 days". Ann clicks the tracked link in the newsletter and, within the same drain, is in
 * the segment and enters the live follow-up journey that targets it, which mails her. A week
 * later the window has rolled past her click and she is out of the segment again; Bob, who never
 * clicked, is in it at no point.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const OFFER_URL = 'https://example.com/spring-offer';

describe('a behavioural segment: clicked in the last 7 days', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const ids: Record<string, string> = {};

  const create = async (path: string, body: unknown) => {
    const response = await server.api('POST', path, body);
    expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(201);
    return response.body;
  };
  const subjectsFor = (email: string) => smtp.messages.filter((message) => message.to.includes(email)).map((message) => message.subject);
  const segmentsOf = async (name: string) => ((await server.api('GET', `/contacts/${ids[name]}/segments`)).body.items as { id: string }[]).map((s) => s.id);
  const preview = async () => (await server.api('POST', '/segments/preview', { query: { event: 'email_clicked', within: 'P7D' } })).body.count;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-04-01T09:00:00Z' });
    await create('/content-settings', { name: 'Default', postalAddress: '1 Main Street, Springfield', isDefault: true });
    ids.list = (await create('/subscription-lists', { name: 'Newsletter' })).id;
    for (const name of ['Ann', 'Bob']) ids[name] = (await create('/contacts', { email: `${name.toLowerCase()}@example.com`, firstName: name, consent: 'marketing' })).id;
    await server.api('POST', `/subscription-lists/${ids.list}/members`, { add: [ids.Ann, ids.Bob] });
    const footer = '<p><a href="{{ content.subscriptionCenterUrl }}">Subscriptions</a> · {{ content.postalAddress }}</p>';
    ids.newsletter = (await create('/emails', { name: 'April', subject: 'April newsletter', html: `<p><a href="${OFFER_URL}">Our spring offer</a></p>${footer}` })).id;
    ids.thanks = (await create('/emails', { name: 'Thanks', subject: 'Glad you liked the offer, {{ contact.firstName }}', html: `<p>Here is more.</p>${footer}` })).id;
    for (const id of [ids.newsletter, ids.thanks]) await server.api('POST', `/emails/${id}/publish`);
    ids.clickers = (await create('/segments', { name: 'Clicked in the last 7 days', kind: 'dynamic', query: { event: 'email_clicked', within: 'P7D' } })).id;

    const journey = (name: string, source: unknown, emailId: string) =>
      create('/journeys', {
        name,
        startAt: '2026-04-01T09:00:00Z',
        endAt: '2026-07-01T00:00:00Z',
        timeZone: 'UTC',
        tiles: [
          { id: 'audience', type: 'segmentGroup', combine: 'union', segments: [source], next: 'mail' },
          { id: 'mail', type: 'email', emailId, next: null },
        ],
      });
    ids.newsletterJourney = (await journey('Newsletter', { source: 'subscriptionList', listId: ids.list, mode: 'include' }, ids.newsletter!)).id;
    ids.followUp = (await journey('Follow up clickers', { source: 'segment', segmentId: ids.clickers, mode: 'include' }, ids.thanks!)).id;
    for (const id of [ids.newsletterJourney, ids.followUp]) expect((await server.api('POST', `/journeys/${id}/go-live`)).body).toEqual({ status: 'live' });
    await server.drain();
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('starts with nobody in the segment', async () => {
    expect(subjectsFor('ann@example.com')).toEqual(['April newsletter']);
    expect(subjectsFor('bob@example.com')).toEqual(['April newsletter']);
    expect(await segmentsOf('Ann')).toEqual([]);
    expect(await preview()).toBe(0);
  });

  it('takes Ann in after her click, and the live follow-up journey mails her in the same drain', async () => {
    await server.advance('P1D');
    const html = smtp.messages.find((message) => message.to.includes('ann@example.com'))!.html;
    const tracked = [...html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]!.replaceAll('&amp;', '&')).find((link) => link.includes('/t/c/'))!;
    const click = await fetch(tracked, { redirect: 'manual' });
    expect(click.headers.get('location')).toBe(OFFER_URL);

    await server.drain();
    expect(await segmentsOf('Ann')).toEqual([ids.clickers]);
    expect(await segmentsOf('Bob')).toEqual([]);
    expect(subjectsFor('ann@example.com')).toEqual(['April newsletter', 'Glad you liked the offer, Ann']);
    expect(subjectsFor('bob@example.com')).toEqual(['April newsletter']);
    expect(await preview()).toBe(1);
  });

  it('keeps her in for the rest of the week', async () => {
    await server.advance('P6D');
    expect(await segmentsOf('Ann')).toEqual([ids.clickers]);
  });

  it('lets her go when the window passes her click, and admits nobody else', async () => {
    await server.advance('P1DT1M');
    expect(await segmentsOf('Ann')).toEqual([]);
    expect(await preview()).toBe(0);
    // She entered the follow-up once; leaving the segment does not undo it, nor send it again.
    const path = (await server.api('GET', `/journeys/${ids.followUp}/contacts/${ids.Ann}`)).body;
    expect(path.status).toBe('completed');
    expect((await server.api('GET', `/journeys/${ids.followUp}/contacts/${ids.Bob}`)).status).toBe(404);
    expect(subjectsFor('ann@example.com')).toHaveLength(2);
    expect(smtp.duplicates).toBe(0);
  });
});
