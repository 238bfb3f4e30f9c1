/**
 * The New York newsletter story of the product page, end to end over HTTP:
 * a New York newsletter subscriber gets a white-paper email; a click within a week makes a lead
 * and a follow-up phone call for sales; no click gets a reminder; a subscriber who joins while
 * the journey is live enters it too. Real SMTP receives the mail; the manual clock moves the week.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const WHITE_PAPER_URL = 'https://example.com/white-paper.pdf';

describe('the New York newsletter journey', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const ids: Record<string, string> = {};

  const create = async (path: string, body: unknown) => {
    const response = await server.api('POST', path, body);
    expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(201);
    return response.body;
  };
  const mailTo = (email: string) => smtp.messages.filter((message) => message.to.includes(email));
  const subjectsFor = (email: string) => mailTo(email).map((message) => message.subject);

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-03-02T14:00:00Z' });

    await create('/content-settings', { name: 'Default', postalAddress: '1 Main Street, Springfield', isDefault: true });
    ids.list = (await create('/subscription-lists', { name: 'Newsletter' })).id;
    for (const [name, city] of [['Ann', 'New York'], ['Bob', 'New York'], ['Carl', 'Boston'], ['Dana', 'New York']] as const) {
      ids[name] = (await create('/contacts', { email: `${name.toLowerCase()}@example.com`, firstName: name, consent: 'marketing', attributes: { city } })).id;
    }
    // Dana lives in New York but never subscribed: she must get nothing.
    const members = await server.api('POST', `/subscription-lists/${ids.list}/members`, { add: [ids.Ann, ids.Bob, ids.Carl] });
    expect(members.status).toBe(200);
    ids.segment = (
      await create('/segments', {
        name: 'New York newsletter subscribers',
        kind: 'dynamic',
        query: { and: [{ attribute: 'city', op: 'eq', value: 'New York' }, { subscribedTo: ids.list }] },
      })
    ).id;
    const footer = '<p><a href="{{ content.subscriptionCenterUrl }}">Manage subscriptions</a> · {{ content.postalAddress }}</p>';
    ids.whitePaper = (
      await create('/emails', { name: 'White paper', subject: 'Your free white paper, {{ contact.firstName }}', html: `<p>Hi {{ contact.firstName }}, <a href="${WHITE_PAPER_URL}">download it here</a>.</p>${footer}` })
    ).id;
    ids.reminder = (await create('/emails', { name: 'Reminder', subject: 'Last chance for your white paper', html: `<p><a href="${WHITE_PAPER_URL}">Still yours</a>.</p>${footer}` })).id;
    for (const email of [ids.whitePaper, ids.reminder]) expect((await server.api('POST', `/emails/${email}/publish`)).body).toEqual({ status: 'live' });
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('checks, goes live and sends the white paper to New York subscribers only', async () => {
    const definition = {
      name: 'New York white paper',
      target: 'contacts',
      startAt: '2026-03-02T09:00:00-05:00',
      endAt: '2026-06-01T00:00:00-04:00',
      timeZone: 'America/New_York',
      tiles: [
        { id: 'audience', type: 'segmentGroup', name: 'NY subscribers', combine: 'union', segments: [{ source: 'segment', segmentId: ids.segment, mode: 'include' }], next: 'paper' },
        { id: 'paper', type: 'email', name: 'White paper', emailId: ids.whitePaper, next: 'clicked' },
        { id: 'clicked', type: 'trigger', name: 'Downloaded?', rules: [{ tile: 'paper', on: 'clicked', link: WHITE_PAPER_URL }], match: 'any', timeout: 'P7D', onTrue: 'lead', onFalse: 'remind' },
        { id: 'lead', type: 'createLead', name: 'Interested', topic: 'White paper', next: 'call' },
        { id: 'call', type: 'activity', name: 'Call', activityType: 'phoneCall', subject: 'Call about the white paper', dueIn: 'P2D', assignTo: 'journeyOwner', next: null },
        { id: 'remind', type: 'email', name: 'Reminder', emailId: ids.reminder, next: null },
      ],
    };
    const journey = await create('/journeys', definition);
    ids.journey = journey.id;
    expect(journey.status).toBe('draft');
    expect((await server.api('POST', `/journeys/${ids.journey}/check`)).body).toEqual({ errors: [] });
    expect((await server.api('POST', `/journeys/${ids.journey}/go-live`)).body).toEqual({ status: 'live' });
    expect((await server.api('PUT', `/journeys/${ids.journey}`, { ...definition, name: 'Edited' })).status).toBe(409);

    await server.drain();
    expect(subjectsFor('ann@example.com')).toEqual(['Your free white paper, Ann']);
    expect(subjectsFor('bob@example.com')).toEqual(['Your free white paper, Bob']);
    expect(mailTo('carl@example.com')).toEqual([]);
    expect(mailTo('dana@example.com')).toEqual([]);
    const message = mailTo('ann@example.com')[0]!;
    expect(message.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(message.headers['list-unsubscribe']).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/u\/.+>$/);
    expect(message.html).not.toContain(WHITE_PAPER_URL);
    expect(message.html).toContain('1 Main Street, Springfield');
  });

  it('turns Ann\'s click on the tracked link into a lead and a phone call for sales', async () => {
    const message = mailTo('ann@example.com')[0]!;
    const links = [...message.html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]!.replaceAll('&amp;', '&'));
    const downloadLink = links.find((link) => link.includes('/t/c/'))!;
    expect(downloadLink).toBeDefined();
    const click = await fetch(downloadLink, { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe(WHITE_PAPER_URL);
    // A tampered token never redirects.
    expect((await fetch(`${downloadLink.slice(0, -2)}xx`, { redirect: 'manual' })).status).toBe(404);

    await server.drain();
    const leads = await server.api('GET', `/leads?journeyId=${ids.journey}`);
    expect(leads.body.items).toEqual([expect.objectContaining({ contactId: ids.Ann, topic: 'White paper', tileId: 'lead' })]);
    const calls = await server.api('GET', `/activities?journeyId=${ids.journey}`);
    expect(calls.body.items).toEqual([expect.objectContaining({ contactId: ids.Ann, activityType: 'phoneCall', subject: 'Call about the white paper' })]);
    expect(new Date(calls.body.items[0].dueAt).toISOString()).toBe('2026-03-04T14:00:00.000Z');
  });

  it('admits Eve, who subscribes while the journey is live', async () => {
    await server.advance('P2D');
    ids.Eve = (await create('/contacts', { email: 'eve@example.com', firstName: 'Eve', consent: 'marketing', attributes: { city: 'New York' } })).id;
    await server.api('POST', `/subscription-lists/${ids.list}/members`, { add: [ids.Eve] });
    await server.drain();
    expect(subjectsFor('eve@example.com')).toEqual(['Your free white paper, Eve']);
  });

  it('sends the reminder to whoever did not click within a week, and only then', async () => {
    await server.advance('P4D'); // six days after the first send: nobody times out yet
    expect(subjectsFor('bob@example.com')).toHaveLength(1);
    await server.advance('P1D'); // a week for Ann and Bob; Ann clicked
    expect(subjectsFor('bob@example.com')).toEqual(['Your free white paper, Bob', 'Last chance for your white paper']);
    expect(subjectsFor('ann@example.com')).toEqual(['Your free white paper, Ann']);
    expect(subjectsFor('eve@example.com')).toHaveLength(1); // Eve's week is not over
    await server.advance('P2D');
    expect(subjectsFor('eve@example.com')).toEqual(['Your free white paper, Eve', 'Last chance for your white paper']);
    expect(smtp.duplicates).toBe(0);
  });

  it('counts every tile and tells Ann\'s path', async () => {
    const insights = (await server.api('GET', `/journeys/${ids.journey}/insights`)).body;
    expect(insights.contacts).toMatchObject({ entered: 3, active: 0, completed: 3 });
    expect(insights.tiles.paper).toMatchObject({ entered: 3, sent: 3, delivered: 3, clicked: 1 });
    expect(insights.tiles.clicked).toMatchObject({ entered: 3, waiting: 0, onTrue: 1, onFalse: 2 });
    expect(insights.tiles.lead).toMatchObject({ completed: 1 });
    expect(insights.tiles.remind).toMatchObject({ sent: 2 });

    const path = (await server.api('GET', `/journeys/${ids.journey}/contacts/${ids.Ann}`)).body;
    expect(path.status).toBe('completed');
    expect(path.history.map((h: { tileId: string; outcome: string }) => `${h.tileId}:${h.outcome}`)).toEqual([
      'audience:entered',
      'paper:sent',
      'clicked:true',
      'lead:created',
      'call:created',
    ]);
    expect((await server.api('GET', `/journeys/${ids.journey}/contacts/${ids.Dana}`)).status).toBe(404);
    const milestones = (await server.api('GET', `/journeys/${ids.journey}/milestones`)).body.items.map((m: { kind: string }) => m.kind);
    expect(milestones).toEqual(expect.arrayContaining(['created', 'checked', 'wentLive', 'started', 'iterationStarted']));
  });
});
