/**
 * Changing journeys and emails that are live, end to end over HTTP, while contacts are under way:
 * the newsletter journey gets a reminder email inserted and its trigger timeout shortened (the new
 * timeout counts from when each contact entered the trigger); tiles holding contacts are removed,
 * their contacts moved on or let go; an email's new revision goes out only once published; and the
 * versions and milestones tell who changed what. Real SMTP receives the mail; the manual clock
 * moves the days.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const WHITE_PAPER_URL = 'https://example.com/white-paper.pdf';
const FOOTER = '<p><a href="{{ content.subscriptionCenterUrl }}">Manage subscriptions</a> · {{ content.postalAddress }}</p>';

describe('changing a live journey while contacts are under way', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const ids: Record<string, string> = {};
  let newsletter: Record<string, any>;

  const create = async (path: string, body: unknown) => {
    const response = await server.api('POST', path, body);
    expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(201);
    return response.body;
  };
  const subjectsFor = (email: string) => smtp.messages.filter((message) => message.to.includes(email)).map((message) => message.subject);
  const pathOf = async (journeyId: string, contactId: string) => (await server.api('GET', `/journeys/${journeyId}/contacts/${contactId}`)).body;
  const steps = (path: { history: { tileId: string; outcome: string; version?: number }[] }) => path.history.map((h) => `${h.tileId}:${h.outcome}:v${h.version}`);

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-03-02T14:00:00Z' });
    await create('/content-settings', { name: 'Default', postalAddress: '1 Main Street, Springfield', isDefault: true });
    ids.list = (await create('/subscription-lists', { name: 'Newsletter' })).id;
    for (const [name, city] of [['Ann', 'New York'], ['Bob', 'New York'], ['Carl', 'Boston']] as const) {
      ids[name] = (await create('/contacts', { email: `${name.toLowerCase()}@example.com`, firstName: name, consent: 'marketing', attributes: { city } })).id;
    }
    await server.api('POST', `/subscription-lists/${ids.list}/members`, { add: [ids.Ann, ids.Bob, ids.Carl] });
    ids.whitePaper = (await create('/emails', { name: 'White paper', subject: 'Your white paper, {{ contact.firstName }}', html: `<p><a href="${WHITE_PAPER_URL}">Get it</a></p>${FOOTER}` })).id;
    ids.reminder = (await create('/emails', { name: 'Reminder', subject: 'Still want your white paper?', html: `<p><a href="${WHITE_PAPER_URL}">Still yours</a></p>${FOOTER}` })).id;
    for (const email of [ids.whitePaper, ids.reminder]) expect((await server.api('POST', `/emails/${email}/publish`)).status).toBe(200);
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('runs version 1 of the newsletter: the white paper goes out, and everyone waits a week for a click', async () => {
    newsletter = await create('/journeys', {
      name: 'Newsletter white paper',
      startAt: '2026-03-02T09:00:00-05:00',
      endAt: '2026-06-01T00:00:00-04:00',
      timeZone: 'America/New_York',
      tiles: [
        { id: 'audience', type: 'segmentGroup', name: 'Subscribers', combine: 'union', segments: [{ source: 'subscriptionList', listId: ids.list, mode: 'include' }], next: 'paper' },
        { id: 'paper', type: 'email', name: 'White paper', emailId: ids.whitePaper, next: 'clicked' },
        { id: 'clicked', type: 'trigger', name: 'Downloaded?', rules: [{ tile: 'paper', on: 'clicked' }], match: 'any', timeout: 'P7D', onTrue: null, onFalse: null },
      ],
    });
    expect(newsletter.version).toBeNull();
    expect((await server.api('POST', `/journeys/${newsletter.id}/go-live`)).body).toEqual({ status: 'live' });
    await server.drain();
    expect((await server.api('GET', `/journeys/${newsletter.id}`)).body.version).toBe(1);
    for (const name of ['ann', 'bob', 'carl']) expect(subjectsFor(`${name}@example.com`)).toHaveLength(1);
  });

  it('inserts a reminder and shortens the timeout to three days: the reminder goes three days after each contact entered the trigger', async () => {
    await server.advance('P2D');
    const draft = {
      ...strip(newsletter),
      tiles: [
        newsletter.tiles[0],
        newsletter.tiles[1],
        { ...newsletter.tiles[2], timeout: 'P3D', onFalse: 'remind' },
        { id: 'remind', type: 'email', name: 'Reminder', emailId: ids.reminder, next: null },
      ],
    };
    const saved = await server.api('PUT', `/journeys/${newsletter.id}/draft`, draft);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ basedOnVersion: 1, tiles: draft.tiles });
    // The running journey is untouched until the draft is published.
    expect((await server.api('GET', `/journeys/${newsletter.id}`)).body.tiles).toEqual(newsletter.tiles);

    const check = await server.api('POST', `/journeys/${newsletter.id}/draft/check`);
    expect(check.body).toEqual({ errors: [], changes: { added: ['remind'], removed: [], changed: ['clicked'] } });
    const published = await server.api('POST', `/journeys/${newsletter.id}/draft/publish`, {});
    expect(published.status).toBe(200);
    expect(published.body.version).toBe(2);
    expect((await server.api('GET', `/journeys/${newsletter.id}/draft`)).status).toBe(404);
    await server.drain();
    // Entered the trigger two days ago: one more day to go, not three, and not five.
    expect(subjectsFor('ann@example.com')).toEqual(['Your white paper, Ann']);
    await server.advance('PT23H');
    expect(subjectsFor('ann@example.com')).toEqual(['Your white paper, Ann']);
    await server.advance('PT1H');
    for (const [email, name] of [['ann@example.com', 'Ann'], ['bob@example.com', 'Bob'], ['carl@example.com', 'Carl']]) {
      expect(subjectsFor(email!)).toEqual([`Your white paper, ${name}`, 'Still want your white paper?']);
    }
    expect(smtp.duplicates).toBe(0);
    // Each step says which version took it.
    expect(steps(await pathOf(newsletter.id, ids.Ann!))).toEqual(['audience:entered:v1', 'paper:sent:v1', 'clicked:false:v2', 'remind:sent:v2']);
  });

  it('removes tiles that hold contacts: New Yorkers move on to their email at once, the Boston contact leaves the journey', async () => {
    const journey = await create('/journeys', {
      name: 'City welcome',
      startAt: '2026-03-02T09:00:00-05:00',
      endAt: '2026-06-01T00:00:00-04:00',
      timeZone: 'America/New_York',
      tiles: [
        { id: 'audience', type: 'segmentGroup', name: 'Subscribers', combine: 'union', segments: [{ source: 'subscriptionList', listId: ids.list, mode: 'include' }], next: 'city' },
        { id: 'city', type: 'condition', name: 'In New York?', query: { attribute: 'city', op: 'eq', value: 'New York' }, onTrue: 'holdNy', onFalse: 'holdElsewhere' },
        { id: 'holdNy', type: 'scheduler', name: 'Wait ten days (NY)', wait: { for: 'P10D' }, next: 'welcomeNy' },
        { id: 'holdElsewhere', type: 'scheduler', name: 'Wait ten days', wait: { for: 'P10D' }, next: 'welcomeElsewhere' },
        { id: 'welcomeNy', type: 'email', name: 'Welcome NY', emailId: ids.whitePaper, next: null },
        { id: 'welcomeElsewhere', type: 'email', name: 'Welcome', emailId: ids.reminder, next: null },
      ],
    });
    expect((await server.api('POST', `/journeys/${journey.id}/go-live`)).status).toBe(200);
    await server.drain();
    const before = smtp.messages.length;

    const [audience, city, , , welcomeNy, welcomeElsewhere] = journey.tiles;
    const draft = { ...strip(journey), tiles: [audience, { ...city, onTrue: 'welcomeNy', onFalse: 'welcomeElsewhere' }, welcomeNy, welcomeElsewhere] };
    expect((await server.api('PUT', `/journeys/${journey.id}/draft`, draft)).status).toBe(200);
    const check = await server.api('POST', `/journeys/${journey.id}/draft/check`);
    expect(check.body.changes).toEqual({ added: [], removed: [{ tileId: 'holdNy', waiting: 2 }, { tileId: 'holdElsewhere', waiting: 1 }], changed: ['city'] });
    expect(check.body.errors.map((e: { code: string; tileId: string }) => `${e.code}:${e.tileId}`)).toEqual(['removedTileHasContacts:holdNy', 'removedTileHasContacts:holdElsewhere']);

    // Without saying where the waiting contacts go, nothing is published.
    const refused = await server.api('POST', `/journeys/${journey.id}/draft/publish`, { moves: { holdNy: 'welcomeNy' } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ code: 'removedTileHasContacts', tileId: 'holdElsewhere' })]);
    expect((await server.api('GET', `/journeys/${journey.id}`)).body.version).toBe(1);

    const published = await server.api('POST', `/journeys/${journey.id}/draft/publish`, { moves: { holdNy: 'welcomeNy', holdElsewhere: null } });
    expect(published.body.version).toBe(2);
    await server.drain();
    expect(smtp.messages.slice(before).map((m) => `${m.to}:${m.subject}`).sort()).toEqual(['ann@example.com:Your white paper, Ann', 'bob@example.com:Your white paper, Bob']);
    const ann = await pathOf(journey.id, ids.Ann!);
    expect(ann.status).toBe('completed');
    expect(steps(ann)).toEqual(['audience:entered:v1', 'city:true:v1', 'holdNy:moved:v1', 'welcomeNy:sent:v2']);
    const carl = await pathOf(journey.id, ids.Carl!);
    expect(carl).toMatchObject({ status: 'exited', reason: 'tileRemoved', tileId: 'holdElsewhere' });
    expect(steps(carl)).toEqual(['audience:entered:v1', 'city:false:v1', 'holdElsewhere:tileRemoved:v1']);
    // Ten days later nothing more happens: Carl is gone, the others are done.
    await server.advance('P10D');
    expect(smtp.messages.slice(before)).toHaveLength(2);
    const milestones = (await server.api('GET', `/journeys/${journey.id}/milestones`)).body.items;
    expect(milestones.filter((m: { kind: string }) => m.kind === 'versionPublished').map((m: { detail: unknown }) => m.detail)).toEqual([
      expect.objectContaining({ version: 2, moved: 2, exited: 1 }),
    ]);
    expect((await server.api('POST', `/journeys/${journey.id}/stop`)).body).toEqual({ status: 'stopped' });
  });

  it('sends a changed email only once its new revision is published, and each message records its revision', async () => {
    const usage = await server.api('GET', `/emails/${ids.whitePaper}/usage`);
    expect(usage.body.items.map((j: { name: string }) => j.name)).toEqual(['City welcome', 'Newsletter white paper']);
    const changed = { name: 'White paper', subject: 'Your white paper (2nd edition), {{ contact.firstName }}', html: `<p><a href="${WHITE_PAPER_URL}">Get the new edition</a></p>${FOOTER}` };
    expect((await server.api('PATCH', `/emails/${ids.whitePaper}`, { subject: 'x' })).status).toBe(409);
    const draft = await server.api('PUT', `/emails/${ids.whitePaper}/draft`, changed);
    expect(draft.body).toMatchObject({ subject: changed.subject, basedOnRevision: 1 });

    // Dana subscribes before the change is published: she gets revision 1.
    ids.Dana = (await create('/contacts', { email: 'dana@example.com', firstName: 'Dana', consent: 'marketing', attributes: { city: 'Boston' } })).id;
    await server.api('POST', `/subscription-lists/${ids.list}/members`, { add: [ids.Dana] });
    await server.drain();
    expect(subjectsFor('dana@example.com')).toEqual(['Your white paper, Dana']);

    const published = await server.api('POST', `/emails/${ids.whitePaper}/publish`);
    expect(published.body).toEqual({ status: 'live', revision: 2 });
    expect((await server.api('GET', `/emails/${ids.whitePaper}`)).body).toMatchObject({ subject: changed.subject, revision: 2, hasDraft: false });

    ids.Eve = (await create('/contacts', { email: 'eve@example.com', firstName: 'Eve', consent: 'marketing', attributes: { city: 'Boston' } })).id;
    await server.api('POST', `/subscription-lists/${ids.list}/members`, { add: [ids.Eve] });
    await server.drain();
    expect(subjectsFor('eve@example.com')).toEqual(['Your white paper (2nd edition), Eve']);

    const messages = (await server.api('GET', `/messages?journeyId=${newsletter.id}`)).body.items;
    const revisionOf = (contactId: string) => messages.filter((m: { contactId: string; emailId: string }) => m.contactId === contactId && m.emailId === ids.whitePaper).map((m: { emailRevision: number; journeyVersion: number }) => [m.emailRevision, m.journeyVersion]);
    expect(revisionOf(ids.Ann!)).toEqual([[1, 1]]);
    expect(revisionOf(ids.Dana!)).toEqual([[1, 2]]);
    expect(revisionOf(ids.Eve!)).toEqual([[2, 2]]);
  });

  it('keeps every version whole, with its changes, and names who published it', async () => {
    const versions = (await server.api('GET', `/journeys/${newsletter.id}/versions`)).body.items;
    expect(versions.map((v: { version: number; changes: unknown }) => [v.version, v.changes])).toEqual([
      [1, null],
      [2, { added: ['remind'], removed: [], changed: ['clicked'] }],
    ]);
    expect(versions[1].publishedBy).toEqual(expect.any(String));
    const first = (await server.api('GET', `/journeys/${newsletter.id}/versions/1`)).body;
    expect(first.tiles).toEqual(newsletter.tiles);
    expect(first.tiles[2].timeout).toBe('P7D');
    expect((await server.api('GET', `/journeys/${newsletter.id}/versions/2`)).body.tiles[2].timeout).toBe('P3D');
    const milestones = (await server.api('GET', `/journeys/${newsletter.id}/milestones`)).body.items;
    const published = milestones.filter((m: { kind: string }) => m.kind === 'versionPublished');
    expect(published).toEqual([expect.objectContaining({ userId: versions[1].publishedBy, detail: expect.objectContaining({ version: 2, userId: versions[1].publishedBy }) })]);
  });
});

/** A journey as GET answers it, without the fields a definition does not have. */
function strip(journey: Record<string, any>): Record<string, any> {
  const { id: _id, status: _status, businessUnitId: _bu, ownerUserId: _owner, currentIteration: _it, version: _v, createdAt: _c, updatedAt: _u, ...definition } = journey;
  return definition;
}
