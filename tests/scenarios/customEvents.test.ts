/**
 * Custom events drive a journey: a trigger waits three days for a `purchase` of the pro plan. The
 * shop sends events one at a time (idempotent by messageId) and in bulk as NDJSON. Ann buys pro
 * and takes the true path at once (a task for her owner); Bob buys only basic (the where filter
 * says no) and Cid buys nothing: both take the timeout path after exactly three days. A purchase
 * made before the contact reached the trigger does not count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('a trigger waiting for a custom event', () => {
  let server: TestServer;
  const ids: Record<string, string> = {};
  const outcome = async (name: string) => {
    const path = (await server.api('GET', `/journeys/${ids.journey}/contacts/${ids[name]}`)).body;
    return path.history.map((entry: { tileId: string; outcome: string }) => `${entry.tileId}:${entry.outcome}`);
  };
  const ndjson = (lines: unknown[]) => server.api('POST', '/events', lines.map((line) => JSON.stringify(line)).join('\n') + '\n', { headers: { 'content-type': 'application/x-ndjson' } });

  beforeAll(async () => {
    server = await startTestServer({ now: '2026-05-04T08:00:00Z' });
    const owner = (await server.api('GET', '/users')).body.items[0].id;
    for (const name of ['Ann', 'Bob', 'Cid', 'Dee']) {
      ids[name] = (await server.api('POST', '/contacts', { email: `${name.toLowerCase()}@example.com`, firstName: name, ownerUserId: owner })).body.id;
    }
    ids.owner = owner;
    // Dee bought pro last week: before the journey, so it must not count.
    expect((await server.api('POST', '/events', { contactId: ids.Dee, type: 'purchase', properties: { plan: 'pro' }, occurredAt: '2026-04-27T10:00:00Z' })).status).toBe(202);
    ids.segment = (await server.api('POST', '/segments', { name: 'Trial users', kind: 'static' })).body.id;
    await server.api('POST', `/segments/${ids.segment}/members`, { add: [ids.Ann, ids.Bob, ids.Cid, ids.Dee] });
    const journey = await server.api('POST', '/journeys', {
      name: 'Trial conversion',
      startAt: '2026-05-04T00:00:00Z',
      endAt: '2026-07-01T00:00:00Z',
      timeZone: 'UTC',
      tiles: [
        { id: 'trial', type: 'segmentGroup', segments: [{ source: 'segment', segmentId: ids.segment, mode: 'include' }], next: 'bought' },
        { id: 'bought', type: 'trigger', name: 'Bought pro?', rules: [{ event: 'purchase', where: { plan: 'pro' } }], match: 'any', timeout: 'P3D', onTrue: 'onboard', onFalse: 'lead' },
        { id: 'onboard', type: 'activity', activityType: 'task', subject: 'Onboard the new pro customer', dueIn: 'P1D', assignTo: 'contactOwner', next: null },
        { id: 'lead', type: 'createLead', topic: 'Trial without purchase', next: null },
      ],
    });
    expect(journey.status).toBe(201);
    ids.journey = journey.body.id;
    expect((await server.api('POST', `/journeys/${ids.journey}/go-live`)).body).toEqual({ status: 'live' });
    await server.drain();
  });

  afterAll(() => server.close());

  it('holds everyone in the trigger, even a contact whose purchase came before', async () => {
    const insights = (await server.api('GET', `/journeys/${ids.journey}/insights`)).body;
    expect(insights.tiles.bought).toMatchObject({ waiting: 4, onTrue: 0, onFalse: 0 });
  });

  it('takes the true path at once for a matching event, stored once however often it is sent', async () => {
    await server.advance('PT2H');
    for (let n = 0; n < 3; n += 1) {
      expect((await server.api('POST', '/events', { email: 'ANN@example.com', type: 'purchase', properties: { plan: 'pro', amount: 490 }, messageId: 'order-1001' })).status).toBe(202);
    }
    await server.drain();
    expect(await outcome('Ann')).toEqual(['trial:entered', 'bought:true', 'onboard:created']);
    const tasks = (await server.api('GET', `/activities?journeyId=${ids.journey}`)).body.items;
    expect(tasks).toEqual([expect.objectContaining({ contactId: ids.Ann, activityType: 'task', assignedUserId: ids.owner, dueAt: '2026-05-05T10:00:00.000Z' })]);
    const [stored] = await server.database.db.query<{ n: number }>(`select count(*)::int as n from events where contact_id = $1 and type = 'purchase'`, [ids.Ann]);
    expect(stored!.n).toBe(1);
  });

  it('ignores events the where filter rejects, sent in bulk as NDJSON', async () => {
    const response = await ndjson([
      { contactId: ids.Bob, type: 'purchase', properties: { plan: 'basic' }, messageId: 'order-1002' },
      { contactId: ids.Bob, type: 'purchase', properties: { plan: 'Pro' }, messageId: 'order-1003' },
      { email: 'cid@example.com', type: 'newsletter_read' },
    ]);
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ accepted: 3 });
    await server.drain();
    const insights = (await server.api('GET', `/journeys/${ids.journey}/insights`)).body;
    expect(insights.tiles.bought).toMatchObject({ waiting: 3, onTrue: 1, onFalse: 0 });
  });

  it('refuses a bulk load with a bad line whole, naming the line', async () => {
    const response = await server.api('POST', '/events', `{"contactId":"${ids.Bob}","type":"purchase","properties":{"plan":"pro"}}\n{"contactId":"${ids.Bob}","type":\n`, {
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: 'events.1', message: 'line 2 is not valid JSON' }]);
    const unknown = await ndjson([{ contactId: ids.Bob, type: 'purchase', properties: { plan: 'pro' } }, { email: 'nobody@example.com', type: 'purchase' }]);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ path: 'events.1.email', message: 'no contact with this id or email' }]);
    await server.drain();
    expect((await server.api('GET', `/journeys/${ids.journey}/insights`)).body.tiles.bought).toMatchObject({ waiting: 3 });
  });

  it('sends the others down the timeout path exactly three days after they arrived', async () => {
    await server.advance('PT21H59M');
    expect((await server.api('GET', `/journeys/${ids.journey}/insights`)).body.tiles.bought).toMatchObject({ waiting: 3, onFalse: 0 });
    await server.advance('P2DT1M'); // 2026-05-07T08:00Z: three days after entry
    const insights = (await server.api('GET', `/journeys/${ids.journey}/insights`)).body;
    expect(insights.tiles.bought).toMatchObject({ waiting: 0, onTrue: 1, onFalse: 3 });
    expect(await outcome('Bob')).toEqual(['trial:entered', 'bought:false', 'lead:created']);
    expect(await outcome('Dee')).toEqual(['trial:entered', 'bought:false', 'lead:created']);
    const leads = (await server.api('GET', `/leads?journeyId=${ids.journey}`)).body.items.map((lead: { contactId: string }) => lead.contactId).sort();
    expect(leads).toEqual([ids.Bob, ids.Cid, ids.Dee].sort());
  });

  it('makes custom events usable in segments', async () => {
    const segment = await server.api('POST', '/segments', { name: 'Pro buyers', kind: 'dynamic', query: { event: 'purchase', where: { plan: 'pro' } } });
    expect(segment.status).toBe(201);
    await server.drain();
    const members = (await server.api('GET', `/segments/${segment.body.id}/members`)).body.items.map((c: { id: string }) => c.id).sort();
    expect(members).toEqual([ids.Ann, ids.Dee].sort());
  });
});
