/**
 * A marketer previews the New York white-paper journey before it goes live: what happens to Ann
 * when she does nothing (a reminder a week later), when she clicks the white paper two hours in
 * (a lead and a call, no reminder), and to Lou, whose consent is below the journey's minimum
 * (nothing at all). The preview sends nothing and writes nothing; once live, the journey does
 * exactly what the preview said.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const WHITE_PAPER_URL = 'https://example.com/white-paper.pdf';
const NOW = '2026-03-02T14:00:00.000Z';
const at = (hoursAfterNow: number) => new Date(Date.parse(NOW) + hoursAfterNow * 3_600_000).toISOString();
// A week later in New York: daylight saving starts on the way, so it is 13:00 UTC, not 14:00.
const WEEK_LATER = '2026-03-09T13:00:00.000Z';

describe('previewing the path of the New York newsletter journey', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const ids: Record<string, string> = {};

  const create = async (path: string, body: unknown) => {
    const response = await server.api('POST', path, body);
    expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(201);
    return response.body;
  };
  const preview = async (body: unknown, journeyId = ids.journey) => {
    const response = await server.api('POST', `/journeys/${journeyId}/preview-path`, body);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };
  const steps = (answer: { path: { tileId: string; outcome: string; at: string }[] }) => answer.path.map((step) => `${step.tileId}:${step.outcome}@${step.at}`);

  /** Every row of every table, as one fingerprint per table: a count and a hash of the contents. */
  const fingerprint = async () => {
    const tables = await server.database.db.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`,
    );
    const result: Record<string, string> = {};
    for (const { table_name } of tables) {
      const [row] = await server.database.db.query<{ n: number; digest: string | null }>(`select count(*)::int as n, md5(string_agg(t::text, '|' order by t::text)) as digest from "${table_name}" t`);
      result[table_name] = `${row!.n}:${row!.digest ?? ''}`;
    }
    return result;
  };

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: NOW });
    await create('/content-settings', { name: 'Default', postalAddress: '1 Main Street, Springfield', isDefault: true });
    ids.list = (await create('/subscription-lists', { name: 'Newsletter' })).id;
    for (const [name, consent] of [['Ann', 'marketing'], ['Lou', 'transactional'], ['Sam', 'marketing']] as const) {
      ids[name] = (await create('/contacts', { email: `${name.toLowerCase()}@example.com`, firstName: name, consent, attributes: { city: 'New York' } })).id;
    }
    ids.Carl = (await create('/contacts', { email: 'carl@example.com', firstName: 'Carl', consent: 'marketing', attributes: { city: 'Boston' } })).id;
    await server.api('POST', `/subscription-lists/${ids.list}/members`, { add: [ids.Ann, ids.Lou, ids.Sam, ids.Carl] });
    ids.segment = (
      await create('/segments', { name: 'New York subscribers', kind: 'dynamic', query: { and: [{ attribute: 'city', op: 'eq', value: 'New York' }, { subscribedTo: ids.list }] } })
    ).id;
    ids.suppression = (await create('/segments', { name: 'Do not mail', kind: 'static' })).id;
    await server.api('POST', `/segments/${ids.suppression}/members`, { add: [ids.Sam] });
    const footer = '<p><a href="{{ content.subscriptionCenterUrl }}">Manage</a> · {{ content.postalAddress }}</p>';
    ids.whitePaper = (await create('/emails', { name: 'White paper', subject: 'Your white paper', html: `<p><a href="${WHITE_PAPER_URL}">Download</a></p>${footer}` })).id;
    ids.reminder = (await create('/emails', { name: 'Reminder', subject: 'Last chance', html: `<p><a href="${WHITE_PAPER_URL}">Still yours</a></p>${footer}` })).id;
    for (const email of [ids.whitePaper, ids.reminder]) await server.api('POST', `/emails/${email}/publish`);
    const journey = await create('/journeys', {
      name: 'New York white paper',
      startAt: '2026-03-02T09:00:00-05:00',
      endAt: '2026-06-01T00:00:00-04:00',
      timeZone: 'America/New_York',
      minimumConsent: 'marketing',
      suppressionSegmentId: ids.suppression,
      tiles: [
        { id: 'audience', type: 'segmentGroup', name: 'NY subscribers', segments: [{ source: 'segment', segmentId: ids.segment, mode: 'include' }], next: 'paper' },
        { id: 'paper', type: 'email', name: 'White paper', emailId: ids.whitePaper, next: 'clicked' },
        { id: 'clicked', type: 'trigger', name: 'Downloaded?', rules: [{ tile: 'paper', on: 'clicked', link: WHITE_PAPER_URL }], timeout: 'P7D', onTrue: 'lead', onFalse: 'remind' },
        { id: 'lead', type: 'createLead', name: 'Interested', topic: 'White paper', next: 'call' },
        { id: 'call', type: 'activity', name: 'Call', activityType: 'phoneCall', subject: 'Call about the white paper', next: null },
        { id: 'remind', type: 'email', name: 'Reminder', emailId: ids.reminder, next: null },
      ],
    });
    ids.journey = journey.id;
    await server.drain();
  }, 240_000);

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('shows Ann, who does nothing, getting the white paper now and the reminder a week later', async () => {
    const answer = await preview({ contactId: ids.Ann });
    expect(answer.status).toBe('completed');
    expect(steps(answer)).toEqual([`audience:entered@${at(0)}`, `paper:sent@${at(0)}`, `clicked:false@${WEEK_LATER}`, `remind:sent@${WEEK_LATER}`]);
    expect(answer.messages).toEqual([
      { tileId: 'paper', emailId: ids.whitePaper, at: at(0) },
      { tileId: 'remind', emailId: ids.reminder, at: WEEK_LATER },
    ]);
  });

  it('shows Ann, who clicks the white paper after two hours, becoming a lead with a call and no reminder', async () => {
    const answer = await preview({ contactId: ids.Ann, events: [{ after: 'PT2H', type: 'email_clicked', tileId: 'paper', properties: { url: WHITE_PAPER_URL } }] });
    expect(answer.status).toBe('completed');
    expect(steps(answer)).toEqual([`audience:entered@${at(0)}`, `paper:sent@${at(0)}`, `clicked:true@${at(2)}`, `lead:created@${at(2)}`, `call:created@${at(2)}`]);
    expect(answer.messages.map((message: { tileId: string }) => message.tileId)).toEqual(['paper']);
    // A click on another link is not the white paper: the trigger names its link.
    const otherLink = await preview({ contactId: ids.Ann, events: [{ after: 'PT2H', type: 'email_clicked', tileId: 'paper', properties: { url: 'https://example.com/other' } }] });
    expect(steps(otherLink)).toContain(`clicked:false@${WEEK_LATER}`);
  });

  it('stops looking at the horizon, telling where Ann still waits', async () => {
    const answer = await preview({ contactId: ids.Ann, horizon: 'P1D' });
    expect(answer).toMatchObject({ status: 'waiting', tileId: 'clicked', until: at(24) });
    expect(steps(answer)).toEqual([`audience:entered@${at(0)}`, `paper:sent@${at(0)}`]);
  });

  it('excludes Lou, whose consent is below the minimum, and Carl, who is not in the audience', async () => {
    expect(await preview({ contactId: ids.Lou })).toMatchObject({ status: 'excluded', reason: 'consent', path: [], messages: [] });
    expect(await preview({ contactId: ids.Carl })).toMatchObject({ status: 'excluded', reason: 'notInAudience', path: [] });
  });

  it('shows Sam, in the suppression segment, going through with every message blocked', async () => {
    const answer = await preview({ contactId: ids.Sam });
    expect(answer.status).toBe('completed');
    expect(answer.messages).toEqual([
      { tileId: 'paper', emailId: ids.whitePaper, at: at(0), blocked: 'suppression' },
      { tileId: 'remind', emailId: ids.reminder, at: WEEK_LATER, blocked: 'suppression' },
    ]);
    // Nobody clicks a message that never came.
    const clicked = await preview({ contactId: ids.Sam, events: [{ after: 'PT2H', type: 'email_clicked', tileId: 'paper', properties: { url: WHITE_PAPER_URL } }] });
    expect(steps(clicked)).toContain(`clicked:false@${WEEK_LATER}`);
  });

  it('answers 400 naming a bad event and 404 for an unknown contact or journey', async () => {
    const badTile = await server.api('POST', `/journeys/${ids.journey}/preview-path`, { contactId: ids.Ann, events: [{ after: 'PT1H', type: 'email_clicked', tileId: 'clicked' }] });
    expect(badTile.status).toBe(400);
    expect(badTile.body.errors).toEqual([{ path: 'events.0.tileId', message: expect.any(String) }]);
    const badDelay = await server.api('POST', `/journeys/${ids.journey}/preview-path`, { contactId: ids.Ann, events: [{ after: 'soon', type: 'x' }] });
    expect(badDelay.status).toBe(400);
    expect(badDelay.body.errors[0].path).toBe('events.0.after');
    expect((await server.api('POST', `/journeys/${ids.journey}/preview-path`, { contactId: ids.Ann, extra: 1 })).status).toBe(400);
    expect((await server.api('POST', `/journeys/${ids.journey}/preview-path`, { contactId: 'nobody' })).status).toBe(404);
    expect((await server.api('POST', `/journeys/nope/preview-path`, { contactId: ids.Ann })).status).toBe(404);
  });

  it('sends nothing and writes nothing', async () => {
    const before = await fingerprint();
    await preview({ contactId: ids.Ann, events: [{ after: 'PT2H', type: 'email_clicked', tileId: 'paper', properties: { url: WHITE_PAPER_URL } }] });
    await preview({ contactId: ids.Ann });
    await preview({ contactId: ids.Sam });
    await server.drain();
    expect(await fingerprint()).toEqual(before);
    expect(smtp.messages).toEqual([]);
  });

  it('once live, does what the preview said, and previews Ann from where she stands', async () => {
    const predicted = await preview({ contactId: ids.Ann });
    expect((await server.api('POST', `/journeys/${ids.journey}/go-live`)).body).toEqual({ status: 'live' });
    await server.drain();
    const standing = await preview({ contactId: ids.Ann });
    // Ann now waits at the trigger: the preview goes on from there, without entering her again.
    expect(steps(standing)).toEqual([`clicked:false@${WEEK_LATER}`, `remind:sent@${WEEK_LATER}`]);
    // A minute before the predicted moment Ann still waits; at that moment she moves on.
    await server.api('POST', '/admin/clock', { set: new Date(Date.parse(WEEK_LATER) - 60_000).toISOString() });
    await server.drain();
    expect((await server.api('GET', `/journeys/${ids.journey}/contacts/${ids.Ann}`)).body).toMatchObject({ status: 'active', tileId: 'clicked' });
    await server.api('POST', '/admin/clock', { set: WEEK_LATER });
    await server.drain();
    const actual = (await server.api('GET', `/journeys/${ids.journey}/contacts/${ids.Ann}`)).body;
    expect(actual.history.map((step: { tileId: string; outcome: string; at: string }) => `${step.tileId}:${step.outcome}@${new Date(step.at).toISOString()}`)).toEqual(steps(predicted));
    expect(smtp.messages.filter((message) => message.to.includes('ann@')).map((message) => message.subject)).toEqual(['Your white paper', 'Last chance']);
    expect(await preview({ contactId: ids.Ann })).toMatchObject({ status: 'completed', reason: 'alreadyEntered', path: [] });
  });
});
