/**
 * A recurring journey: a weekly digest that runs two iterations, stops, refuses to restart, and
 * comes back to life when its iteration count is raised (the product page's rules).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('a recurring weekly digest', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let journeyId: string;
  const digestsFor = (email: string) => smtp.messages.filter((m) => m.to.includes(email)).length;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-04-06T08:00:00Z' });
    const post = async (path: string, body: unknown) => {
      const response = await server.api('POST', path, body);
      expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
      return response.body;
    };
    await post('/content-settings', { name: 'Default', postalAddress: '5 Quay', isDefault: true });
    const list = await post('/subscription-lists', { name: 'Digest' });
    const readers = await Promise.all(['ada', 'bea'].map((name) => post('/contacts', { email: `${name}@example.com`, consent: 'marketing' })));
    await post(`/subscription-lists/${list.id}/members`, { add: readers.map((r: { id: string }) => r.id) });
    const email = await post('/emails', { name: 'Digest', subject: 'This week', html: '<p>News. {{ content.postalAddress }} <a href="{{ content.subscriptionCenterUrl }}">prefs</a></p>' });
    await post(`/emails/${email.id}/publish`, undefined);
    const digest = {
      name: 'Digest',
      startAt: '2026-04-06T09:00:00+02:00',
      endAt: '2026-04-20T09:00:00+02:00',
      timeZone: 'Europe/Berlin',
      recurrence: { intervalDays: 7, count: 3 },
      tiles: [
        { id: 'readers', type: 'segmentGroup', segments: [{ source: 'subscriptionList', listId: list.id, mode: 'include' }], next: 'digest' },
        { id: 'digest', type: 'email', emailId: email.id, next: null },
      ],
    };
    const tooLong = await server.api('POST', '/journeys', digest);
    expect((await server.api('POST', `/journeys/${tooLong.body.id}/check`)).body.errors.map((e: { code: string }) => e.code)).toEqual(['recurrenceTooLong']);
    const journey = await post('/journeys', { ...digest, recurrence: { intervalDays: 7, count: 2 }, endAt: '2026-06-01T09:00:00+02:00' });
    journeyId = journey.id;
    expect((await server.api('POST', `/journeys/${journeyId}/go-live`)).body).toEqual({ status: 'live' });
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('re-admits every reader at each iteration, then stops after the last', async () => {
    await server.drain();
    expect(digestsFor('ada@example.com')).toBe(1);
    await server.advance('P7D');
    expect(digestsFor('ada@example.com')).toBe(2);
    expect(digestsFor('bea@example.com')).toBe(2);
    await server.advance('P7D');
    expect((await server.api('GET', `/journeys/${journeyId}`)).body.status).toBe('stopped');
    const iterations = (await server.api('GET', `/journeys/${journeyId}/iterations`)).body.items;
    expect(iterations.map((i: { number: number; status: string }) => [i.number, i.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
    ]);
    expect(digestsFor('ada@example.com')).toBe(2);
  });

  it('goes straight back to stopped when restarted, and lives again when the count is raised', async () => {
    expect((await server.api('POST', `/journeys/${journeyId}/go-live`)).body).toEqual({ status: 'stopped' });
    const raised = await server.api('PATCH', `/journeys/${journeyId}`, { recurrence: { count: 3 } });
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({ status: 'live', recurrence: { intervalDays: 7, count: 3 } });
    expect((await server.api('PATCH', `/journeys/${journeyId}`, { recurrence: { count: 2 } })).status).toBe(409);
    expect((await server.api('PATCH', `/journeys/${journeyId}`, { name: 'Renamed' })).status).toBe(400);
    await server.drain();
    expect(digestsFor('ada@example.com')).toBe(3);
    await server.advance('P7D');
    expect((await server.api('GET', `/journeys/${journeyId}`)).body.status).toBe('stopped');
    expect(digestsFor('bea@example.com')).toBe(3);
    expect(smtp.duplicates).toBe(0);
    const kinds = (await server.api('GET', `/journeys/${journeyId}/milestones`)).body.items.map((m: { kind: string }) => m.kind);
    expect(kinds.filter((kind: string) => kind === 'iterationStarted')).toHaveLength(3);
    expect(kinds).toEqual(expect.arrayContaining(['extended', 'stopped', 'wentLive']));
  });
});
