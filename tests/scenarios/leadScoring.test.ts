/**
 * "The lead builds up its score until it's ready to forward to sales": a nurture journey sends a
 * newsletter, makes a lead of each reader and waits for it to become sales-ready. Ann, a CTO,
 * opens the mail, clicks through to the pricing page, requests a demo there and attends a webinar:
 * each earns points under the live scoring model until her lead crosses the threshold, is marked
 * sales-ready, and the trigger sends her on to a phone call for sales. Bob only opens the mail and
 * times out. Points decay with time; sales-readiness stays. Scores are usable in conditions and
 * segments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('lead scoring up to sales-ready', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const ids: Record<string, string> = {};

  const create = async (path: string, body: unknown) => {
    const response = await server.api('POST', path, body);
    expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(201);
    return response.body;
  };
  const leadOf = async (name: string) => (await server.api('GET', `/leads?contactId=${ids[name]}`)).body.items[0];
  const mailTo = (email: string) => smtp.messages.find((message) => message.to === email)!;
  /** The tracked links of a message, with the URL each one leads to (read from the signed token). */
  const trackedLinks = (html: string) =>
    [...html.matchAll(/href="([^"]+\/t\/c\/[^"]+)"/g)].map((match) => {
      const link = match[1]!.replaceAll('&amp;', '&');
      const payload = JSON.parse(Buffer.from(link.split('/t/c/')[1]!.split('.')[0]!, 'base64url').toString()) as { u: string };
      return { link, target: payload.u };
    });

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-03-02T09:00:00Z' });
    await create('/content-settings', { name: 'Default', postalAddress: '1 Main Street', isDefault: true });
    ids.owner = (await server.api('GET', '/users')).body.items[0].id;
    ids.Ann = (await create('/contacts', { email: 'ann@example.com', firstName: 'Ann', consent: 'marketing', attributes: { jobTitle: 'CTO' } })).id;
    ids.Bob = (await create('/contacts', { email: 'bob@example.com', firstName: 'Bob', consent: 'marketing', attributes: { jobTitle: 'Intern' } })).id;
    ids.segment = (await create('/segments', { name: 'Readers', kind: 'static' })).id;
    await server.api('POST', `/segments/${ids.segment}/members`, { add: [ids.Ann, ids.Bob] });

    ids.form = (await create('/forms', { name: 'Request a demo', fields: [{ name: 'email', label: 'Email', type: 'email', required: true }] })).id;
    await server.api('POST', `/forms/${ids.form}/publish`);
    ids.page = (await create('/pages', { name: 'Pricing', title: 'Pricing', body: 'Plans for every team.', formId: ids.form })).id;
    expect((await server.api('POST', `/pages/${ids.page}/publish`)).body).toEqual({ status: 'live' });
    ids.email = (
      await create('/emails', {
        name: 'Newsletter',
        subject: 'News for {{ contact.firstName }}',
        html: `<p>Our <a href="${server.url}/p/${ids.page}">new pricing</a>.</p><p><a href="{{ content.subscriptionCenterUrl }}">Subscriptions</a> {{ content.postalAddress }}</p>`,
      })
    ).id;
    await server.api('POST', `/emails/${ids.email}/publish`);

    const model = await create('/scoring-models', {
      name: 'Engagement',
      rules: [
        { event: 'email_opened', points: 5 },
        { event: 'email_clicked', points: 10 },
        { event: 'page_visited', where: { pageId: ids.page }, points: 15 },
        { event: 'form_submitted', where: { formId: ids.form }, points: 40 },
        { event: 'webinar_attended', points: 30 },
        { attribute: 'jobTitle', op: 'in', value: ['CTO', 'CEO'], points: 20 },
      ],
      decay: { halfLife: 'P30D' },
      salesReadyThreshold: 100,
    });
    expect(model).toMatchObject({ status: 'draft', salesReadyThreshold: 100, decay: { halfLife: 'P30D' } });
    ids.model = model.id;
    expect((await server.api('POST', `/scoring-models/${ids.model}/publish`)).body).toEqual({ status: 'live' });

    ids.journey = (
      await create('/journeys', {
        name: 'Nurture to sales',
        startAt: '2026-03-02T00:00:00Z',
        endAt: '2026-09-01T00:00:00Z',
        timeZone: 'UTC',
        tiles: [
          { id: 'readers', type: 'segmentGroup', segments: [{ source: 'segment', segmentId: ids.segment, mode: 'include' }], next: 'news' },
          { id: 'news', type: 'email', emailId: ids.email, next: 'lead' },
          { id: 'lead', type: 'createLead', topic: 'Pricing interest', next: 'ready' },
          { id: 'ready', type: 'trigger', name: 'Sales-ready?', rules: [{ event: 'lead_sales_ready' }], match: 'any', timeout: 'P14D', onTrue: 'confirm', onFalse: null },
          { id: 'confirm', type: 'condition', query: { and: [{ attribute: 'salesReady', op: 'eq', value: true }, { attribute: 'leadScore', op: 'gte', value: 100 }] }, onTrue: 'call', onFalse: null },
          { id: 'call', type: 'activity', activityType: 'phoneCall', subject: 'Call: ready for sales', dueIn: 'P1D', assignTo: 'journeyOwner', next: null },
        ],
      })
    ).id;
    expect((await server.api('POST', `/journeys/${ids.journey}/go-live`)).body).toEqual({ status: 'live' });
    await server.drain();
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('scores each new lead at once: points for the attribute match', async () => {
    expect(await leadOf('Ann')).toMatchObject({ topic: 'Pricing interest', score: 20, status: 'new', salesReadyAt: null, scores: [{ modelId: ids.model, score: 20, salesReadyAt: null }] });
    expect(await leadOf('Bob')).toMatchObject({ score: 0, status: 'new' });
  });

  it('adds points as Ann opens, clicks through to the page and asks for a demo there', async () => {
    const message = mailTo('ann@example.com');
    const pixel = /src="([^"]+\/t\/o\/[^"]+)"/.exec(message.html)![1]!.replaceAll('&amp;', '&');
    expect((await fetch(pixel)).status).toBe(200);
    await server.drain();
    expect((await leadOf('Ann')).score).toBe(25);

    const pricing = trackedLinks(message.html).find((link) => link.target.includes('/p/'))!;
    const click = await fetch(pricing.link, { redirect: 'manual' });
    expect(click.status).toBe(302);
    // The landing page learns who came, by a signed token; the URL is otherwise the one in the email.
    const landing = new URL(click.headers.get('location')!);
    expect(`${landing.origin}${landing.pathname}`).toBe(`${server.url}/p/${ids.page}`);
    expect(landing.searchParams.get('wm')).toMatch(/^[\w-]+\.[\w-]+$/);
    const page = await fetch(landing);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`action="/f/${ids.form}"`);
    await server.drain();
    expect((await leadOf('Ann')).score).toBe(50);

    const demo = await fetch(`${server.url}/f/${ids.form}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=ann%40example.com' });
    expect(demo.status).toBe(200);
    await server.drain();
    expect(await leadOf('Ann')).toMatchObject({ score: 90, status: 'new' });
    expect((await server.api('GET', `/journeys/${ids.journey}/contacts/${ids.Ann}`)).body).toMatchObject({ status: 'active', tileId: 'ready' });
  });

  it('marks the lead sales-ready past the threshold, and the trigger forwards it to sales', async () => {
    await server.advance('PT3H');
    expect((await server.api('POST', '/events', { contactId: ids.Ann, type: 'webinar_attended', properties: { webinar: 'w-7' } })).status).toBe(202);
    await server.drain();
    const lead = await leadOf('Ann');
    expect(lead).toMatchObject({ score: 120, status: 'salesReady', salesReadyAt: '2026-03-02T12:00:00.000Z' });
    const path = (await server.api('GET', `/journeys/${ids.journey}/contacts/${ids.Ann}`)).body;
    expect(path.history.map((entry: { tileId: string; outcome: string }) => `${entry.tileId}:${entry.outcome}`)).toEqual([
      'readers:entered',
      'news:sent',
      'lead:created',
      'ready:true',
      'confirm:true',
      'call:created',
    ]);
    const calls = (await server.api('GET', `/activities?journeyId=${ids.journey}`)).body.items;
    expect(calls).toEqual([expect.objectContaining({ contactId: ids.Ann, activityType: 'phoneCall', assignedUserId: ids.owner })]);
  });

  it('notices an attribute change, and lets Bob time out without a call', async () => {
    const bob = mailTo('bob@example.com');
    await fetch(/src="([^"]+\/t\/o\/[^"]+)"/.exec(bob.html)![1]!.replaceAll('&amp;', '&'));
    await server.api('PATCH', `/contacts/${ids.Bob}`, { attributes: { jobTitle: 'CEO' } });
    await server.drain();
    expect(await leadOf('Bob')).toMatchObject({ score: 25, status: 'new' });
    await server.advance('P14D');
    expect((await server.api('GET', `/journeys/${ids.journey}/contacts/${ids.Bob}`)).body.history.at(-1)).toMatchObject({ tileId: 'ready', outcome: 'false' });
    expect((await server.api('GET', `/activities?journeyId=${ids.journey}`)).body.items).toHaveLength(1);
  });

  it('decays the points with time, while the lead stays sales-ready', async () => {
    // 2026-05-02T13:00Z: Ann's behaviour is 61 days old (two half-lives), the attribute does not fade.
    await server.advance('P46DT1H');
    expect(await leadOf('Ann')).toMatchObject({ score: 20 + 1 + 2 + 3 + 10 + 7, status: 'salesReady' });
    expect(await leadOf('Bob')).toMatchObject({ score: 20 + 1 });
  });

  it('lets segments ask for sales-ready contacts and lead scores', async () => {
    const ready = await create('/segments', { name: 'Sales-ready', kind: 'dynamic', query: { attribute: 'salesReady', op: 'eq', value: true } });
    const warm = await create('/segments', { name: 'Warm', kind: 'dynamic', query: { attribute: 'leadScore', op: 'gte', value: 30 } });
    const bad = await server.api('POST', '/segments', { name: 'Bad', kind: 'dynamic', query: { attribute: 'leadScore', op: 'gte', value: 'high' } });
    expect(bad.status).toBe(400);
    await server.drain();
    const members = async (id: string) => (await server.api('GET', `/segments/${id}/members`)).body.items.map((c: { id: string }) => c.id);
    expect(await members(ready.id)).toEqual([ids.Ann]);
    expect(await members(warm.id)).toEqual([ids.Ann]);
    expect((await server.api('GET', `/scoring-models/${ids.model}`)).body.salesReadyLeads).toBe(1);
  });
});
