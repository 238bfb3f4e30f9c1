/**
 * The subscription center story (contract §5.4), end to end over HTTP with real SMTP and the
 * manual clock: a journey targets the "Product news" list and sends two emails a week apart.
 * Ann leaves the list in the subscription center and is off the journey before the second email;
 * Carl's mail client uses the RFC 8058 one-click POST and is off it too; a staff member removes Bob
 * from the list by hand, and Bob still gets the second email. A link scanner that opens every link
 * unsubscribes nobody, and a forged cross-site form post changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('the subscription center', () => {
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
  const listMembers = async () => ((await server.api('GET', `/subscription-lists/${ids.list}/members`)).body.items as { email: string }[]).map((c) => c.email).sort();
  const pathOf = async (name: string) => (await server.api('GET', `/journeys/${ids.journey}/contacts/${ids[name]}`)).body;
  /** The subscription center link in the body of the first email to `email`. */
  const centerLink = (email: string) => {
    const html = mailTo(email)[0]!.html;
    return [...html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]!.replaceAll('&amp;', '&')).find((link) => link.includes('/u/'))!;
  };
  /** The URL of the List-Unsubscribe header of the first email to `email`. */
  const oneClickLink = (email: string) => /^<(.+)>$/.exec(mailTo(email)[0]!.headers['list-unsubscribe']!)![1]!;
  const unsubscribedEvents = async (name: string) =>
    ((await server.api('GET', `/contacts/${ids[name]}/export`)).body.events as { type: string; properties: Record<string, unknown> }[]).filter((e) => e.type === 'unsubscribed');

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-04-06T08:00:00Z' });
    await create('/content-settings', { name: 'Default', postalAddress: '1 Main Street, Springfield', isDefault: true });
    ids.list = (await create('/subscription-lists', { name: 'Product news' })).id;
    ids.other = (await create('/subscription-lists', { name: 'Events <& invitations>' })).id;
    for (const name of ['Ann', 'Bob', 'Carl', 'Dana', 'Erin']) {
      ids[name] = (await create('/contacts', { email: `${name.toLowerCase()}@example.com`, firstName: name, consent: 'marketing' })).id;
    }
    await server.api('POST', `/subscription-lists/${ids.list}/members`, { add: [ids.Ann, ids.Bob, ids.Carl, ids.Dana, ids.Erin] });
    const footer = '<p><a href="{{ content.subscriptionCenterUrl }}">Manage your subscriptions</a> · {{ content.postalAddress }}</p>';
    for (const [key, subject] of [['first', 'Product news: April'], ['second', 'Product news: the follow-up']] as const) {
      ids[key] = (await create('/emails', { name: subject, subject, html: `<p>Hello {{ contact.firstName }}.</p>${footer}` })).id;
      expect((await server.api('POST', `/emails/${ids[key]}/publish`)).status).toBe(200);
    }
    const journey = await create('/journeys', {
      name: 'Product news',
      startAt: '2026-04-06T08:00:00Z',
      endAt: '2026-06-01T00:00:00Z',
      timeZone: 'UTC',
      tiles: [
        { id: 'audience', type: 'segmentGroup', combine: 'union', segments: [{ source: 'subscriptionList', listId: ids.list, mode: 'include' }], next: 'first' },
        { id: 'first', type: 'email', emailId: ids.first, next: 'week' },
        { id: 'week', type: 'scheduler', wait: { for: 'P7D' }, next: 'second' },
        { id: 'second', type: 'email', emailId: ids.second, next: null },
      ],
    });
    ids.journey = journey.id;
    expect((await server.api('POST', `/journeys/${ids.journey}/go-live`)).body).toEqual({ status: 'live' });
    await server.drain();
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('sends the first email to every subscriber, with the center link and the one-click headers', () => {
    for (const name of ['ann', 'bob', 'carl', 'dana', 'erin']) expect(subjectsFor(`${name}@example.com`)).toEqual(['Product news: April']);
    const message = mailTo('ann@example.com')[0]!;
    expect(message.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(centerLink('ann@example.com')).toMatch(/\/u\/[^/]+$/);
  });

  it('unsubscribes nobody when a link scanner opens every link (GET and HEAD never act)', async () => {
    for (const name of ['ann', 'carl']) {
      for (const link of [centerLink(`${name}@example.com`), oneClickLink(`${name}@example.com`)]) {
        expect((await fetch(link)).status).toBe(200);
        expect((await fetch(link, { method: 'HEAD' })).status).toBe(200);
      }
    }
    await server.drain();
    expect(await listMembers()).toEqual(['ann@example.com', 'bob@example.com', 'carl@example.com', 'dana@example.com', 'erin@example.com']);
  });

  it('shows Ann her lists with toggles and a global opt-out, escaped, never framed', async () => {
    const page = await fetch(centerLink('ann@example.com'));
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('set-cookie')).toMatch(/wm_csrf=[^;]+; Path=\/u\/; HttpOnly; SameSite=Strict/);
    const html = await page.text();
    expect(html).toContain(`name="list" value="${ids.list}" checked`);
    expect(html).toContain(`name="list" value="${ids.other}">`);
    expect(html).toContain('Events &lt;&amp; invitations&gt;');
    expect(html).toContain('name="optOut"');
    expect(html).toContain('a***@example.com');
    expect(html).not.toContain('ann@example.com');
  });

  it('refuses a form post without the page\'s CSRF token and cookie, and changes nothing', async () => {
    const link = centerLink('dana@example.com');
    const forged = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `shown=${ids.list}` });
    expect(forged.status).toBe(403);
    // A token lifted from the page is useless without the cookie the page set in the browser.
    const page = await fetch(link);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const noCookie = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${csrf}&shown=${ids.list}` });
    expect(noCookie.status).toBe(403);
    const tampered = await fetch(`${link.slice(0, -3)}abc`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(tampered.status).toBe(404);
    expect(await listMembers()).toContain('dana@example.com');
  });

  it('takes Ann off the list and off the journey when she unsubscribes in the center', async () => {
    const link = centerLink('ann@example.com');
    const page = await fetch(link);
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    // She unticks Product news and ticks the events list.
    const body = new URLSearchParams([['csrf', csrf], ['shown', ids.list!], ['shown', ids.other!], ['list', ids.other!]]);
    const saved = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: body.toString(), redirect: 'manual' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('?saved=1');
    const after = await fetch(new URL(saved.headers.get('location')!, link), { headers: { cookie } });
    const html = await after.text();
    expect(html).toContain('Your preferences are saved');
    expect(html).toContain(`name="list" value="${ids.list}">`);
    expect(html).toContain(`name="list" value="${ids.other}" checked`);

    expect(await listMembers()).toEqual(['bob@example.com', 'carl@example.com', 'dana@example.com', 'erin@example.com']);
    expect(await pathOf('Ann')).toMatchObject({ status: 'exited', reason: 'unsubscribed', tileId: 'week' });
    expect(await unsubscribedEvents('Ann')).toEqual([expect.objectContaining({ properties: expect.objectContaining({ listId: ids.list, source: 'subscriptionCenter' }) })]);
  });

  it('takes Carl off with the one-click POST his mail client sends, without cookies', async () => {
    const boundary = 'waymark-test-boundary';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const response = await fetch(oneClickLink('carl@example.com'), { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('You are unsubscribed');
    expect(await listMembers()).toEqual(['bob@example.com', 'dana@example.com', 'erin@example.com']);
    expect(await pathOf('Carl')).toMatchObject({ status: 'exited', reason: 'unsubscribed' });
    expect(await unsubscribedEvents('Carl')).toEqual([expect.objectContaining({ properties: expect.objectContaining({ listId: ids.list, source: 'oneClick' }) })]);
  });

  it('keeps Bob on the journey when staff remove him from the list by hand (no event either)', async () => {
    expect((await server.api('POST', `/subscription-lists/${ids.list}/members`, { remove: [ids.Bob, ids.Erin] })).body).toEqual({ added: 0, removed: 2 });
    await server.drain();
    expect(await listMembers()).toEqual(['dana@example.com']);
    expect(await pathOf('Bob')).toMatchObject({ status: 'active', tileId: 'week' });
    expect(await pathOf('Erin')).toMatchObject({ status: 'active', tileId: 'week' });
    expect(await unsubscribedEvents('Bob')).toEqual([]);
  });

  it('still takes Erin off the journey when she unsubscribes after staff took her off the list', async () => {
    const response = await fetch(oneClickLink('erin@example.com'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(response.status).toBe(200);
    expect(await pathOf('Erin')).toMatchObject({ status: 'exited', reason: 'unsubscribed' });
  });

  it('a week later sends the follow-up to Bob and Dana only', async () => {
    await server.advance('P7D');
    expect(subjectsFor('bob@example.com')).toEqual(['Product news: April', 'Product news: the follow-up']);
    expect(subjectsFor('dana@example.com')).toEqual(['Product news: April', 'Product news: the follow-up']);
    expect(subjectsFor('ann@example.com')).toEqual(['Product news: April']);
    expect(subjectsFor('carl@example.com')).toEqual(['Product news: April']);
    expect(subjectsFor('erin@example.com')).toEqual(['Product news: April']);
    const insights = (await server.api('GET', `/journeys/${ids.journey}/insights`)).body;
    expect(insights.contacts).toMatchObject({ entered: 5, completed: 2, exited: 3 });
    expect(smtp.duplicates).toBe(0);
  });

  it('lets Dana opt out of all marketing email, which lowers her consent', async () => {
    const link = centerLink('dana@example.com');
    const page = await fetch(link);
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const body = new URLSearchParams([['csrf', csrf], ['shown', ids.list!], ['shown', ids.other!], ['list', ids.list!], ['optOut', '1']]);
    expect((await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: body.toString(), redirect: 'manual' })).status).toBe(303);
    expect(await listMembers()).toEqual([]);
    expect((await server.api('GET', `/contacts/${ids.Dana}`)).body.consent).toBe('transactional');
    expect((await unsubscribedEvents('Dana')).map((e) => e.properties)).toEqual(
      expect.arrayContaining([expect.objectContaining({ listId: ids.list }), expect.objectContaining({ global: true })]),
    );
    const again = await fetch(link, { headers: { cookie } });
    expect(await again.text()).toContain('id="opt-out" name="optOut" value="1" checked');
  });
});
