/**
 * Built-in event types (an email delivered, opened, clicked or bounced, a form submitted, a page
 * visited, a subscription change, a lead gone sales-ready) are recorded by Waymark from what
 * really happened. POST /events refuses them, alone, in a batch or in NDJSON, with a 400 naming the
 * type, and stores nothing of the request, so a key holder cannot fire click triggers or inflate
 * insights for an email nobody opened.
 */
import { BUILT_IN_EVENT_TYPES } from '@waymark/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('built-in event types through POST /events', () => {
  let server: TestServer;
  let contactId: string;
  const storedEvents = async () => (await server.database.db.query<{ type: string }>('select type from events where contact_id = $1 order by id', [contactId])).map((row) => row.type);

  beforeAll(async () => {
    server = await startTestServer();
    contactId = (await server.api('POST', '/contacts', { email: 'ann@example.com' })).body.id;
  });
  afterAll(() => server.close());

  it('refuses each built-in type with a 400 naming it', async () => {
    expect(BUILT_IN_EVENT_TYPES).toEqual(expect.arrayContaining(['email_clicked', 'email_opened', 'email_delivered', 'email_bounced', 'form_submitted', 'unsubscribed', 'page_visited']));
    for (const type of [...BUILT_IN_EVENT_TYPES, ' email_clicked ']) {
      const response = await server.api('POST', '/events', { contactId, type, properties: { journeyId: 'j', tileId: 'mail', url: 'https://example.com' } });
      expect(response.status, type).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.errors, type).toEqual([{ path: 'type', message: expect.stringContaining(type.trim()) }]);
    }
    expect(await storedEvents()).toEqual([]);
  });

  it('refuses a batch or NDJSON stream holding one, storing none of its events', async () => {
    const batch = await server.api('POST', '/events', { events: [{ contactId, type: 'purchase' }, { email: 'ann@example.com', type: 'email_opened' }] });
    expect(batch.status).toBe(400);
    expect(batch.body.errors).toEqual([{ path: 'events.1.type', message: expect.stringContaining('email_opened') }]);
    const ndjson = await server.api('POST', '/events', `{"contactId":"${contactId}","type":"purchase"}\n{"contactId":"${contactId}","type":"unsubscribed"}\n`, {
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(ndjson.status).toBe(400);
    expect(ndjson.body.errors).toEqual([{ path: 'events.1.type', message: expect.stringContaining('unsubscribed') }]);
    expect(await storedEvents()).toEqual([]);
  });

  it('still takes custom types, including ones that merely look alike', async () => {
    const response = await server.api('POST', '/events', { events: [{ contactId, type: 'purchase' }, { contactId, type: 'email_clicked_in_app' }, { contactId, type: 'Email_Opened' }] });
    expect(response.status).toBe(202);
    expect(await storedEvents()).toEqual(['purchase', 'email_clicked_in_app', 'Email_Opened']);
  });
});
