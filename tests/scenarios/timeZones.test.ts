/**
 * Waits in the journey's time zone, right across daylight-saving changes: "wait until 09:00" fires
 * once, at 09:00 local, on spring-forward and fall-back days and on Lord Howe's 30-minute shift.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const DAYS = [
  { zone: 'America/New_York', date: '2026-03-08', change: 'spring forward' },
  { zone: 'America/New_York', date: '2026-11-01', change: 'fall back' },
  { zone: 'Europe/Berlin', date: '2026-03-29', change: 'spring forward' },
  { zone: 'Europe/Berlin', date: '2026-10-25', change: 'fall back' },
  { zone: 'Australia/Lord_Howe', date: '2026-04-05', change: '30-minute fall back' },
  { zone: 'Australia/Lord_Howe', date: '2026-10-04', change: '30-minute spring forward' },
];

describe('scheduler waits across daylight-saving changes', () => {
  let server: TestServer;
  let listId: string;

  beforeAll(async () => {
    server = await startTestServer({ now: '2026-01-01T00:00:00Z' });
    listId = (await server.api('POST', '/subscription-lists', { name: 'Everyone' })).body.id;
    const contact = (await server.api('POST', '/contacts', { email: 'tz@example.com', consent: 'marketing' })).body;
    await server.api('POST', `/subscription-lists/${listId}/members`, { add: [contact.id] });
  });
  afterAll(() => server.close());

  const leadsOf = async (journeyId: string) => (await server.api('GET', `/leads?journeyId=${journeyId}`)).body.items as { createdAt: string }[];
  const setClock = (at: DateTime) => server.api('POST', '/admin/clock', { set: at.toUTC().toISO() });

  for (const { zone, date, change } of DAYS) {
    it(`fires at 09:00 local in ${zone} on its ${change} day (${date})`, async () => {
      const nineLocal = DateTime.fromISO(`${date}T09:00`, { zone });
      const dayBefore = nineLocal.minus({ days: 1 });
      await setClock(dayBefore);
      const journey = (
        await server.api('POST', '/journeys', {
          name: `Nine o'clock in ${zone}`,
          startAt: dayBefore.toISO(),
          endAt: nineLocal.plus({ days: 10 }).toISO(),
          timeZone: zone,
          tiles: [
            { id: 'in', type: 'segmentGroup', segments: [{ source: 'subscriptionList', listId, mode: 'include' }], next: 'wait' },
            { id: 'wait', type: 'scheduler', wait: { until: `${date}T09:00` }, next: 'lead' },
            { id: 'lead', type: 'createLead', topic: 'nine', next: null },
          ],
        })
      ).body;
      expect((await server.api('POST', `/journeys/${journey.id}/go-live`)).body).toEqual({ status: 'live' });
      await server.drain();
      await setClock(nineLocal.minus({ minutes: 1 }));
      await server.drain();
      expect(await leadsOf(journey.id)).toEqual([]);
      await setClock(nineLocal);
      await server.drain();
      const leads = await leadsOf(journey.id);
      expect(leads).toHaveLength(1);
      expect(DateTime.fromISO(leads[0]!.createdAt, { zone }).toFormat('yyyy-MM-dd HH:mm')).toBe(`${date} 09:00`);
      await setClock(nineLocal.plus({ days: 2 }));
      await server.drain();
      expect(await leadsOf(journey.id)).toHaveLength(1);
    });
  }
});
