/**
 * An account-based journey: the first click from an account sends all its contacts down the true
 * path, and the per-account task and lead are made once per account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('account-based outreach', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const ids: Record<string, string> = {};
  const post = async (path: string, body?: unknown) => {
    const response = await server.api('POST', path, body);
    expect(response.status, `${path} ${JSON.stringify(response.body)}`).toBeLessThan(300);
    return response.body;
  };

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-09-01T13:00:00Z' });
    await post('/content-settings', { name: 'Default', postalAddress: '2 Dock', isDefault: true });
    ids.acme = (await post('/accounts', { name: 'Acme' })).id;
    ids.globex = (await post('/accounts', { name: 'Globex' })).id;
    const list = await post('/subscription-lists', { name: 'Buyers' });
    const people = [['ann', 'acme'], ['al', 'acme'], ['amy', 'acme'], ['gus', 'globex'], ['gia', 'globex']] as const;
    for (const [name, account] of people) ids[name] = (await post('/contacts', { email: `${name}@${account}.example`, firstName: name, consent: 'marketing', accountId: ids[account] })).id;
    await post(`/subscription-lists/${list.id}/members`, { add: people.map(([name]) => ids[name]) });
    const email = await post('/emails', { name: 'Intro', subject: 'Hello', html: '<a href="https://example.com/demo">Book a demo</a> {{ content.postalAddress }} <a href="{{ content.subscriptionCenterUrl }}">prefs</a>' });
    await post(`/emails/${email.id}/publish`);
    const journey = await post('/journeys', {
      name: 'ABM',
      target: 'accounts',
      startAt: '2026-09-01T00:00:00Z',
      endAt: '2026-10-01T00:00:00Z',
      timeZone: 'UTC',
      tiles: [
        { id: 'buyers', type: 'segmentGroup', segments: [{ source: 'subscriptionList', listId: list.id, mode: 'include' }], next: 'intro' },
        { id: 'intro', type: 'email', emailId: email.id, next: 'engaged' },
        { id: 'engaged', type: 'trigger', basis: 'account', rules: [{ tile: 'intro', on: 'clicked', link: 'https://example.com/demo' }], match: 'any', timeout: 'P5D', onTrue: 'task', onFalse: null },
        { id: 'task', type: 'activity', activityType: 'task', subject: 'Follow up with the account', assignTo: 'journeyOwner', perAccount: true, next: 'lead' },
        { id: 'lead', type: 'createLead', perAccount: true, topic: 'Demo interest', next: null },
      ],
    });
    ids.journey = journey.id;
    expect(await post(`/journeys/${ids.journey}/go-live`)).toEqual({ status: 'live' });
    await server.drain();
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('moves all of Acme when Ann clicks, and makes one task and one lead for Acme', async () => {
    const annMail = smtp.messages.find((m) => m.to.includes('ann@acme.example'))!;
    const link = [...annMail.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&')).find((href) => href.includes('/t/c/'))!;
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(302);
    await server.drain();

    for (const name of ['ann', 'al', 'amy']) {
      const path = (await server.api('GET', `/journeys/${ids.journey}/contacts/${ids[name]}`)).body;
      expect(path.status, name).toBe('completed');
      expect(path.history.map((h: { tileId: string; outcome: string }) => `${h.tileId}:${h.outcome}`), name).toContain('engaged:true');
    }
    const tasks = (await server.api('GET', `/activities?journeyId=${ids.journey}`)).body.items;
    expect(tasks).toEqual([expect.objectContaining({ accountId: ids.acme, activityType: 'task' })]);
    const leads = (await server.api('GET', `/leads?journeyId=${ids.journey}`)).body.items;
    expect(leads).toEqual([expect.objectContaining({ accountId: ids.acme, topic: 'Demo interest' })]);
    // Globex has not clicked: its contacts still wait.
    expect((await server.api('GET', `/journeys/${ids.journey}/contacts/${ids.gus}`)).body).toMatchObject({ status: 'active', tileId: 'engaged' });
  });

  it('times Globex out, and filters insights by account', async () => {
    await server.advance('P5D');
    const globex = (await server.api('GET', `/journeys/${ids.journey}/insights?accountId=${ids.globex}`)).body;
    expect(globex.contacts).toMatchObject({ entered: 2, completed: 2 });
    expect(globex.tiles.engaged).toMatchObject({ onTrue: 0, onFalse: 2 });
    const acme = (await server.api('GET', `/journeys/${ids.journey}/insights?accountId=${ids.acme}`)).body;
    expect(acme.tiles.engaged).toMatchObject({ onTrue: 3, onFalse: 0 });
    expect(acme.tiles.intro).toMatchObject({ sent: 3, clicked: 1 });
    expect((await server.api('GET', `/activities?journeyId=${ids.journey}`)).body.items).toHaveLength(1);
  });
});
