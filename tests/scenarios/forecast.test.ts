/**
 * Before launching, a marketer asks how many people each tile of a draft journey will see in the
 * coming weeks: an audience of 100 subscribers (plus 5 without consent), 10 of them on the
 * do-not-mail list, 20 in Boston; a white paper, a 30% click rate assumed, Boston clickers get a
 * call, the others wait a day and half of them get a reminder. The answer is counted, not sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('forecasting a draft journey over a 100-contact audience', () => {
  let server: TestServer;
  const ids: Record<string, string> = {};

  const create = async (path: string, body: unknown) => {
    const response = await server.api('POST', path, body);
    expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(201);
    return response.body;
  };
  const forecast = async (body: unknown) => {
    const response = await server.api('POST', `/journeys/${ids.journey}/forecast`, body);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };

  beforeAll(async () => {
    server = await startTestServer({ now: '2026-03-02T14:00:00Z' });
    await create('/content-settings', { name: 'Default', postalAddress: '1 Main Street, Springfield', isDefault: true });
    const people = Array.from({ length: 105 }, (_, index) => ({
      email: `person${index}@example.com`,
      consent: index < 100 ? 'marketing' : 'none',
      attributes: { city: index < 20 ? 'Boston' : 'New York' },
    }));
    const batch = await server.api('POST', '/contacts/batch', { contacts: people });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    const contactIds: string[] = batch.body.ids;
    ids.audience = (await create('/segments', { name: 'Subscribers', kind: 'static' })).id;
    await server.api('POST', `/segments/${ids.audience}/members`, { add: contactIds });
    // Ten of the consenting subscribers (not in Boston) are on the do-not-mail list.
    ids.doNotMail = (await create('/segments', { name: 'Do not mail', kind: 'static' })).id;
    await server.api('POST', `/segments/${ids.doNotMail}/members`, { add: contactIds.slice(50, 60) });
    const footer = '<p><a href="{{ content.subscriptionCenterUrl }}">Manage</a> · {{ content.postalAddress }}</p>';
    for (const name of ['paper', 'reminder']) {
      ids[name] = (await create('/emails', { name, subject: name, html: `<p><a href="https://example.com/${name}">Read</a></p>${footer}` })).id;
      await server.api('POST', `/emails/${ids[name]}/publish`);
    }
    ids.journey = (
      await create('/journeys', {
        name: 'White paper',
        startAt: '2026-03-02T00:00:00Z',
        endAt: '2026-06-01T00:00:00Z',
        timeZone: 'UTC',
        minimumConsent: 'marketing',
        suppressionSegmentId: ids.doNotMail,
        tiles: [
          { id: 'audience', type: 'segmentGroup', segments: [{ source: 'segment', segmentId: ids.audience, mode: 'include' }], next: 'paper' },
          { id: 'paper', type: 'email', emailId: ids.paper, next: 'clicked' },
          { id: 'clicked', type: 'trigger', rules: [{ tile: 'paper', on: 'clicked' }], timeout: 'P3D', onTrue: 'boston', onFalse: 'pause' },
          { id: 'boston', type: 'condition', query: { attribute: 'city', op: 'eq', value: 'Boston' }, onTrue: 'call', onFalse: null },
          { id: 'call', type: 'activity', activityType: 'phoneCall', subject: 'Call', next: null },
          { id: 'pause', type: 'scheduler', wait: { for: 'P1D' }, next: 'split' },
          { id: 'split', type: 'splitter', mode: 'percentage', branches: [{ share: 50, next: 'remind' }, { share: 50, next: null }] },
          { id: 'remind', type: 'email', emailId: ids.reminder, next: null },
        ],
      })
    ).id;
  }, 240_000);

  afterAll(async () => {
    await server?.close();
  });

  it('expects, over a month, 90 white papers, 27 clickers, 5.4 calls and 32.85 reminders', async () => {
    const answer = await forecast({ horizon: 'P30D', rates: { clicked: 0.3 } });
    expect(answer.contacts).toBe(100);
    expect(answer.excluded).toEqual({ consent: 5, scope: 0 });
    expect(answer.tiles).toEqual({
      audience: { entered: 100 },
      paper: { entered: 100, sent: 90 },
      clicked: { entered: 100 },
      // 30% of the 90 who got the paper click; a fifth of the audience lives in Boston.
      boston: { entered: 27 },
      call: { entered: 5.4 },
      pause: { entered: 73 },
      split: { entered: 73 },
      remind: { entered: 36.5, sent: 32.85 },
    });
  });

  it('counts only what happens within the horizon, and nobody clicks at a rate of zero', async () => {
    const twoDays = await forecast({ horizon: 'P2D', rates: { clicked: 0.3 } });
    expect(twoDays.tiles).toMatchObject({ clicked: { entered: 100 }, boston: { entered: 27 }, pause: { entered: 0 }, remind: { entered: 0, sent: 0 } });
    const noRates = await forecast({ horizon: 'P30D' });
    expect(noRates.tiles).toMatchObject({ boston: { entered: 0 }, pause: { entered: 100 }, remind: { entered: 50, sent: 45 } });
  });

  it('breaks the counts down by day for a chart', async () => {
    const answer = await forecast({ horizon: 'P30D', rates: { clicked: 0.3 }, byDay: true });
    expect(answer.days).toEqual([
      { date: '2026-03-02', tiles: { audience: { entered: 100 }, paper: { entered: 100, sent: 90 }, clicked: { entered: 100 }, boston: { entered: 27 }, call: { entered: 5.4 } } },
      { date: '2026-03-05', tiles: { pause: { entered: 73 } } },
      { date: '2026-03-06', tiles: { split: { entered: 73 }, remind: { entered: 36.5, sent: 32.85 } } },
    ]);
  });

  it('answers 400 naming a bad horizon or rate, and writes nothing', async () => {
    const badHorizon = await server.api('POST', `/journeys/${ids.journey}/forecast`, { horizon: 'a month' });
    expect(badHorizon.status).toBe(400);
    expect(badHorizon.body.errors[0].path).toBe('horizon');
    const badRate = await server.api('POST', `/journeys/${ids.journey}/forecast`, { horizon: 'P1D', rates: { clicked: 30 } });
    expect(badRate.status).toBe(400);
    expect(badRate.body.errors[0].path).toBe('rates.clicked');
    const [before] = await server.database.db.query('select (select count(*) from journey_contacts) as contacts, (select count(*) from outbox) as outbox, (select count(*) from journey_history) as history');
    await forecast({ horizon: 'P30D', rates: { clicked: 0.3 } });
    await server.drain();
    const [after] = await server.database.db.query('select (select count(*) from journey_contacts) as contacts, (select count(*) from outbox) as outbox, (select count(*) from journey_history) as history');
    expect(after).toEqual(before);
  });
});
