/**
 * Triggers on pages and forms reached through an email: an invitation links to the event's landing
 * page, which embeds the registration form. The journey waits for the visit, then for the
 * registration. Ann clicks, looks, and registers on the page: she goes down both true paths. Bob
 * clicks but does not register; Cid ignores the mail. A visitor without a signed link is counted
 * but never taken for a contact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('triggers on a landing page and its form, reached from an email', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const ids: Record<string, string> = {};
  const create = async (path: string, body: unknown) => {
    const response = await server.api('POST', path, body);
    expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(201);
    return response.body;
  };
  const pathOf = async (name: string) =>
    (await server.api('GET', `/journeys/${ids.journey}/contacts/${ids[name]}`)).body.history.map((entry: { tileId: string; outcome: string }) => `${entry.tileId}:${entry.outcome}`);
  /** Follows the invitation's tracked link to the page, as a mail client and browser would. */
  const clickThrough = async (email: string) => {
    const message = smtp.messages.find((one) => one.to === email)!;
    const tracked = [...message.html.matchAll(/href="([^"]+\/t\/c\/[^"]+)"/g)].map((match) => match[1]!.replaceAll('&amp;', '&'));
    for (const link of tracked) {
      const response = await fetch(link, { redirect: 'manual' });
      const location = response.headers.get('location')!;
      if (location.includes('/p/')) return fetch(location);
    }
    throw new Error('no link to the page');
  };

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-03-02T09:00:00Z' });
    await create('/content-settings', { name: 'Default', postalAddress: '1 Main Street', isDefault: true });
    for (const name of ['Ann', 'Bob', 'Cid']) ids[name] = (await create('/contacts', { email: `${name.toLowerCase()}@example.com`, firstName: name, consent: 'marketing' })).id;
    ids.segment = (await create('/segments', { name: 'Invitees', kind: 'static' })).id;
    await server.api('POST', `/segments/${ids.segment}/members`, { add: [ids.Ann, ids.Bob, ids.Cid] });
    ids.form = (await create('/forms', { name: 'Register for the summit', fields: [{ name: 'email', label: 'Email', type: 'email', required: true }, { name: 'dietary', label: 'Dietary needs', type: 'text' }] })).id;
    await server.api('POST', `/forms/${ids.form}/publish`);
    ids.page = (await create('/pages', { name: 'Summit', title: 'The Spring Summit', body: 'Join us on 1 April.\n\nTalks, workshops & food.', formId: ids.form })).id;
    await server.api('POST', `/pages/${ids.page}/publish`);
    ids.email = (
      await create('/emails', {
        name: 'Invitation',
        subject: 'You are invited',
        html: `<p><a href="${server.url}/p/${ids.page}">See the programme</a></p><p><a href="{{ content.subscriptionCenterUrl }}">Subscriptions</a> {{ content.postalAddress }}</p>`,
      })
    ).id;
    await server.api('POST', `/emails/${ids.email}/publish`);
    ids.journey = (
      await create('/journeys', {
        name: 'Summit invitations',
        startAt: '2026-03-02T00:00:00Z',
        endAt: '2026-04-02T00:00:00Z',
        timeZone: 'UTC',
        tiles: [
          { id: 'invitees', type: 'segmentGroup', segments: [{ source: 'segment', segmentId: ids.segment, mode: 'include' }], next: 'invite' },
          { id: 'invite', type: 'email', emailId: ids.email, next: 'visited' },
          { id: 'visited', type: 'trigger', rules: [{ pageId: ids.page, on: 'visited' }], match: 'any', timeout: 'P5D', onTrue: 'registered', onFalse: null },
          { id: 'registered', type: 'trigger', rules: [{ formId: ids.form, on: 'submitted' }], match: 'any', timeout: 'P5D', onTrue: 'lead', onFalse: null },
          { id: 'lead', type: 'createLead', topic: 'Summit attendee', next: null },
        ],
      })
    ).id;
    expect((await server.api('POST', `/journeys/${ids.journey}/check`)).body).toEqual({ errors: [] });
    await server.api('POST', `/journeys/${ids.journey}/go-live`);
    await server.drain();
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('check-for-errors names a page rule on a page that is not published', async () => {
    const draft = await create('/pages', { name: 'Draft', title: 'Draft' });
    const journey = await create('/journeys', {
      name: 'Check',
      startAt: '2026-03-02T00:00:00Z',
      endAt: '2026-04-02T00:00:00Z',
      timeZone: 'UTC',
      tiles: [
        { id: 'entry', type: 'formSubmitted', formId: ids.form, next: 'wait' },
        { id: 'wait', type: 'trigger', rules: [{ pageId: draft.id, on: 'visited' }, { pageId: 'ghost', on: 'visited' }], match: 'any', timeout: 'P1D', onTrue: null, onFalse: null },
      ],
    });
    const { errors } = (await server.api('POST', `/journeys/${journey.id}/check`)).body;
    expect(errors.map((error: { code: string; field: string }) => `${error.code}@${error.field}`)).toEqual(['pageNotPublished@rules.0.pageId', 'pageUnknown@rules.1.pageId']);
  });

  it('waits for a visit that came through the email, not any visit', async () => {
    const anonymous = await fetch(`${server.url}/p/${ids.page}`);
    expect(anonymous.status).toBe(200);
    const forged = await fetch(`${server.url}/p/${ids.page}?wm=${'x'.repeat(20)}.${'y'.repeat(43)}`);
    expect(forged.status).toBe(200);
    await server.drain();
    expect((await server.api('GET', `/journeys/${ids.journey}/insights`)).body.tiles.visited).toMatchObject({ waiting: 3, onTrue: 0 });

    const page = await clickThrough('ann@example.com');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<h1>The Spring Summit</h1>');
    expect(html).toContain('<p>Talks, workshops &amp; food.</p>');
    await clickThrough('bob@example.com');
    await server.drain();
    expect(await pathOf('Ann')).toEqual(['invitees:entered', 'invite:sent', 'visited:true']);
    expect(await pathOf('Bob')).toEqual(['invitees:entered', 'invite:sent', 'visited:true']);
    const visits = await server.database.db.query<{ properties: Record<string, unknown> }>(`select properties from events where type = 'page_visited' and contact_id = $1`, [ids.Ann]);
    expect(visits.map((row) => row.properties)).toEqual([{ pageId: ids.page, journeyId: ids.journey, tileId: 'invite', iteration: 1, outboxId: expect.any(Number) }]);
    expect((await server.api('GET', `/pages/${ids.page}`)).body).toMatchObject({ visits: 4, knownVisitors: 2 });
  });

  it('takes the registration on the page', async () => {
    await server.advance('PT1H');
    const response = await fetch(`${server.url}/f/${ids.form}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=ann%40example.com&dietary=vegan' });
    expect(response.status).toBe(200);
    await server.drain();
    expect(await pathOf('Ann')).toEqual(['invitees:entered', 'invite:sent', 'visited:true', 'registered:true', 'lead:created']);
  });

  it('lets the others time out', async () => {
    await server.advance('P4DT22H'); // an hour before their five days are up
    expect(await pathOf('Bob')).toEqual(['invitees:entered', 'invite:sent', 'visited:true']);
    expect(await pathOf('Cid')).toEqual(['invitees:entered', 'invite:sent']);
    await server.advance('PT1H');
    expect(await pathOf('Bob')).toEqual(['invitees:entered', 'invite:sent', 'visited:true', 'registered:false']);
    expect(await pathOf('Cid')).toEqual(['invitees:entered', 'invite:sent', 'visited:false']);
    const insights = (await server.api('GET', `/journeys/${ids.journey}/insights`)).body;
    expect(insights.tiles.visited).toMatchObject({ onTrue: 2, onFalse: 1 });
    expect(insights.tiles.registered).toMatchObject({ onTrue: 1, onFalse: 1 });
  });

  it('makes page visits usable in segments', async () => {
    const visitors = await create('/segments', { name: 'Summit page visitors', kind: 'dynamic', query: { event: 'page_visited', where: { pageId: ids.page } } });
    await server.drain();
    const members = (await server.api('GET', `/segments/${visitors.id}/members`)).body.items.map((c: { id: string }) => c.id).sort();
    expect(members).toEqual([ids.Ann, ids.Bob].sort());
  });
});
