import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('messages without SMTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(); // no smtpUrl: nothing can be delivered
  });
  afterAll(() => server.close());

  it('keeps every queued email in the outbox, listed and rendered, until SMTP is configured', async () => {
    const post = async (path: string, body: unknown) => (await server.api('POST', path, body)).body;
    await post('/content-settings', { name: 'Default', postalAddress: '9 Elm Road', isDefault: true });
    const list = await post('/subscription-lists', { name: 'News' });
    const contacts = await Promise.all(['kim', 'lee', 'max'].map((name) => post('/contacts', { email: `${name}@example.com`, firstName: name.toUpperCase(), consent: 'marketing' })));
    await server.api('POST', `/subscription-lists/${list.id}/members`, { add: contacts.map((c) => c.id) });
    const email = await post('/emails', { name: 'Hello', subject: 'Hello {{ contact.firstName }}', html: '<p>Hi <a href="https://example.com">there</a> {{ content.postalAddress }} <a href="{{ content.subscriptionCenterUrl }}">prefs</a></p>' });
    await server.api('POST', `/emails/${email.id}/publish`);
    const journey = await post('/journeys', {
      name: 'Hello',
      startAt: '2026-01-01T00:00:00Z',
      endAt: '2026-12-31T00:00:00Z',
      timeZone: 'UTC',
      tiles: [
        { id: 'in', type: 'segmentGroup', segments: [{ source: 'subscriptionList', listId: list.id, mode: 'include' }], next: 'mail' },
        { id: 'mail', type: 'email', emailId: email.id, next: null },
      ],
    });
    expect((await server.api('POST', `/journeys/${journey.id}/go-live`)).body).toEqual({ status: 'live' });
    await server.drain();

    const first = await server.api('GET', '/messages?status=pending&limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await server.api('GET', `/messages?status=pending&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.items, ...second.body.items];
    expect(all.map((m) => m.to).sort()).toEqual(['kim@example.com', 'lee@example.com', 'max@example.com']);

    const one = await server.api('GET', `/messages/${all[0].id}`);
    expect(one.body.rendered.subject).toMatch(/^Hello (KIM|LEE|MAX)$/);
    expect(one.body.rendered.html).toContain('9 Elm Road');
    expect((await server.api('GET', '/messages/999999')).status).toBe(404);
    expect((await server.api('GET', '/messages/abc')).status).toBe(400);
  });
});
