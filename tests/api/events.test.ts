import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

describe('events, activities and leads API', () => {
  let server: TestServer;
  let anna: string;
  let bram: string;
  const storedEvents = (contactId: string) =>
    server.database.db.query<{ type: string; occurred_at: Date; properties: Record<string, unknown> }>('select type, occurred_at, properties from events where contact_id = $1 order by id', [contactId]);

  beforeAll(async () => {
    server = await startTestServer();
    anna = (await server.api('POST', '/contacts', { email: 'Anna@example.com' })).body.id;
    bram = (await server.api('POST', '/contacts', { email: 'bram@example.com' })).body.id;
  });
  afterAll(() => server.close());

  it('accepts one event by contact id or by email (any case), at the clock time unless given', async () => {
    const byId = await server.api('POST', '/events', { contactId: anna, type: 'webinar_attended', properties: { webinar: 'w1' } });
    expect(byId.status).toBe(202);
    expect(byId.body).toEqual({ accepted: 1 });
    const byEmail = await server.api('POST', '/events', { email: 'ANNA@example.com', type: 'page_viewed', occurredAt: '2026-01-01T10:00:00+01:00' });
    expect(byEmail.status).toBe(202);
    const events = await storedEvents(anna);
    expect(events.map((e) => e.type)).toEqual(['webinar_attended', 'page_viewed']);
    expect(events[0]!.occurred_at.toISOString()).toBe(server.clock.now().toISOString());
    expect(events[0]!.properties).toEqual({ webinar: 'w1' });
    expect(events[1]!.occurred_at.toISOString()).toBe('2026-01-01T09:00:00.000Z');
  });

  it('stores a resent event with the same messageId once', async () => {
    for (let i = 0; i < 2; i += 1) expect((await server.api('POST', '/events', { contactId: bram, type: 'purchase', messageId: 'order-42' })).status).toBe(202);
    expect((await storedEvents(bram)).filter((e) => e.type === 'purchase')).toHaveLength(1);
  });

  it('answers 400 naming contactId or email for an unknown contact, and for bad fields', async () => {
    const unknownId = await server.api('POST', '/events', { contactId: 'ghost', type: 'x' });
    expect(unknownId.status).toBe(400);
    expect(paths(unknownId.body)).toEqual(['contactId']);
    const unknownEmail = await server.api('POST', '/events', { email: 'nobody@example.com', type: 'x' });
    expect(paths(unknownEmail.body)).toEqual(['email']);
    const both = await server.api('POST', '/events', { contactId: anna, email: 'anna@example.com', type: 'x' });
    expect(both.status).toBe(400);
    const bad = await server.api('POST', '/events', { contactId: anna, type: '', occurredAt: 'yesterday', extra: 1 });
    expect(bad.status).toBe(400);
    expect(paths(bad.body)).toEqual(expect.arrayContaining(['type', 'occurredAt']));
  });

  it('takes a batch all-or-nothing, naming events.<i>.contactId', async () => {
    const before = (await storedEvents(bram)).length;
    const refused = await server.api('POST', '/events', {
      events: [
        { contactId: bram, type: 'batch_event' },
        { contactId: 'ghost', type: 'batch_event' },
        { email: 'bram@example.com', type: 'batch_event' },
      ],
    });
    expect(refused.status).toBe(400);
    expect(paths(refused.body)).toEqual(['events.1.contactId']);
    expect((await storedEvents(bram)).length).toBe(before);
    const invalid = await server.api('POST', '/events', { events: [{ contactId: bram, type: 'ok' }, { contactId: bram }] });
    expect(paths(invalid.body)).toEqual(['events.1.type']);

    const accepted = await server.api('POST', '/events', { events: [{ contactId: bram, type: 'batch_event' }, { email: 'bram@example.com', type: 'batch_event' }, { contactId: anna, type: 'batch_event' }] });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ accepted: 3 });
    expect((await storedEvents(bram)).length).toBe(before + 2);
    const tooMany = await server.api('POST', '/events', { events: Array.from({ length: 1001 }, () => ({ contactId: bram, type: 'x' })) });
    expect(tooMany.status).toBe(400);
    expect(paths(tooMany.body)).toEqual(['events']);
  });

  it('lists activities and leads, filtered by journey, contact and account', async () => {
    const db = server.database.db;
    const now = server.clock.now();
    await db.query(
      `insert into activities (idempotency_key, journey_id, iteration, tile_id, contact_id, account_id, activity_type, subject, assigned_user_id, due_at, created_at)
       values ('a1', 'j1', 1, 'call', $1, null, 'phoneCall', 'Call Anna', null, $3, $3), ('a2', 'j2', 1, 'task', $2, 'acc1', 'task', 'Follow up', null, null, $3)`,
      [anna, bram, now],
    );
    await db.query(`insert into leads (idempotency_key, journey_id, iteration, tile_id, contact_id, account_id, topic, score, created_at) values ('l1', 'j1', 1, 'lead', $1, null, 'Webinar', 10, $2)`, [anna, now]);

    const all = await server.api('GET', '/activities');
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(2);
    const forJourney = await server.api('GET', '/activities?journeyId=j1');
    expect(forJourney.body.items).toEqual([
      expect.objectContaining({ id: expect.any(String), journeyId: 'j1', tileId: 'call', contactId: anna, accountId: null, activityType: 'phoneCall', subject: 'Call Anna', assignedUserId: null, dueAt: now.toISOString() }),
    ]);
    expect((await server.api('GET', '/activities?accountId=acc1')).body.items.map((a: { subject: string }) => a.subject)).toEqual(['Follow up']);
    expect((await server.api('GET', `/activities?contactId=${bram}&journeyId=j1`)).body.items).toEqual([]);
    expect((await server.api('GET', `/activities/${forJourney.body.items[0].id}`)).body.subject).toBe('Call Anna');

    const leads = await server.api('GET', `/leads?contactId=${anna}`);
    expect(leads.body.items).toEqual([expect.objectContaining({ journeyId: 'j1', tileId: 'lead', contactId: anna, accountId: null, topic: 'Webinar', score: 10, status: 'new' })]);
    expect(leads.body.nextCursor).toBeNull();
    expect((await server.api('GET', '/leads/ghost')).status).toBe(404);
    expect((await server.api('POST', '/leads', {})).status).toBe(404);
  });
});
