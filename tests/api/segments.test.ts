import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);
const ids = (items: { id: string }[]) => items.map((item) => item.id).sort();

describe('segments and subscription lists API', () => {
  let server: TestServer;
  const contact: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer();
    const account = await server.api('POST', '/accounts', { name: 'Big Co', attributes: { employees: 5000 } });
    const rows = [
      { email: 'ams1@example.com', firstName: 'Anna', attributes: { city: 'Amsterdam', visits: 12 }, accountId: account.body.id },
      { email: 'ams2@example.com', firstName: 'Bram', attributes: { city: 'Amsterdam', visits: 2 } },
      { email: 'rdm@example.com', firstName: 'Cees', attributes: { city: 'Rotterdam', visits: 20 } },
      { email: 'none@example.com', firstName: 'Dirk' },
    ];
    const batch = await server.api('POST', '/contacts/batch', { contacts: rows });
    expect(batch.status).toBe(200);
    rows.forEach((row, i) => (contact[row.firstName] = batch.body.ids[i]));
  });
  afterAll(() => server.close());

  it('lists the members of a dynamic segment on a custom attribute, as the query means', async () => {
    const created = await server.api('POST', '/segments', {
      name: 'Frequent Amsterdammers',
      kind: 'dynamic',
      query: { and: [{ attribute: 'city', op: 'eq', value: 'Amsterdam' }, { attribute: 'visits', op: 'gte', value: 10 }] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), name: 'Frequent Amsterdammers', kind: 'dynamic', query: { and: expect.any(Array) } });
    const members = await server.api('GET', `/segments/${created.body.id}/members`);
    expect(members.status).toBe(200);
    expect(members.body.items.map((c: { email: string }) => c.email)).toEqual(['ams1@example.com']);
    expect(members.body.nextCursor).toBeNull();

    const everyone = await server.api('POST', '/segments', { name: 'Amsterdam', kind: 'dynamic', query: { attribute: 'city', op: 'eq', value: 'Amsterdam' } });
    const page1 = await server.api('GET', `/segments/${everyone.body.id}/members?limit=1`);
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await server.api('GET', `/segments/${everyone.body.id}/members?limit=1&cursor=${encodeURIComponent(page1.body.nextCursor)}`);
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    expect(ids([...page1.body.items, ...page2.body.items])).toEqual([contact.Anna, contact.Bram].sort());

    // Account conditions and segment reuse.
    const bigAccounts = await server.api('POST', '/segments', {
      name: 'At big accounts, not in Frequent',
      kind: 'dynamic',
      query: { or: [{ account: { attribute: 'employees', op: 'gt', value: 1000 } }, { attribute: 'city', op: 'eq', value: 'Rotterdam' }] },
    });
    expect(ids((await server.api('GET', `/segments/${bigAccounts.body.id}/members`)).body.items)).toEqual([contact.Anna, contact.Cees].sort());
    const reuse = await server.api('POST', '/segments', {
      name: 'Big but not frequent',
      kind: 'dynamic',
      query: { and: [{ inSegment: bigAccounts.body.id }, { not: { inSegment: created.body.id } }] },
    });
    expect(ids((await server.api('GET', `/segments/${reuse.body.id}/members`)).body.items)).toEqual([contact.Cees]);
  });

  it('refuses a query naming an undeclared attribute, an unknown segment or list, naming where', async () => {
    const undeclared = await server.api('POST', '/segments', {
      name: 'Bad',
      kind: 'dynamic',
      query: { and: [{ attribute: 'firstName', op: 'exists' }, { attribute: 'shoeSize', op: 'gt', value: 40 }, { account: { attribute: 'revenue', op: 'gt', value: 1 } }] },
    });
    expect(undeclared.status).toBe(400);
    expect(paths(undeclared.body)).toEqual(['query.and.1.attribute', 'query.and.2.account.attribute']);

    const unknownRefs = await server.api('POST', '/segments', { name: 'Bad', kind: 'dynamic', query: { or: [{ inSegment: 'nope' }, { subscribedTo: 'nolist' }] } });
    expect(unknownRefs.status).toBe(400);
    expect(paths(unknownRefs.body).sort()).toEqual(['query.or.0.inSegment', 'query.or.1.subscribedTo']);

    const badOp = await server.api('POST', '/segments', { name: 'Bad', kind: 'dynamic', query: { and: [{ attribute: 'city', op: 'eq', value: 'x' }, { attribute: 'city', op: 'resembles', value: 'x' }] } });
    expect(badOp.status).toBe(400);
    expect(paths(badOp.body)).toEqual(['query.and.1.op']);

    const unlike = await server.api('POST', '/segments', {
      name: 'Bad',
      kind: 'dynamic',
      query: { or: [{ attribute: 'visits', op: 'gt', value: '10' }, { attribute: 'createdAt', op: 'lt', value: 5 }] },
    });
    expect(unlike.status).toBe(400);
    expect(paths(unlike.body)).toEqual(['query.or.0.value', 'query.or.1.value']);
    const hugeCount = await server.api('POST', '/segments', { name: 'Bad', kind: 'dynamic', query: { or: [{ event: 'x', count: { gte: 1e12 } }] } });
    expect(paths(hugeCount.body)).toEqual(['query.or.0.count.gte']);

    expect(paths((await server.api('POST', '/segments', { name: 'Bad', kind: 'dynamic' })).body)).toEqual(['query']);
    // A static segment has no query: the field itself is named (strict input).
    expect((await server.api('POST', '/segments', { name: 'Bad', kind: 'static', query: { attribute: 'city', op: 'exists' } })).body.errors).toEqual([{ path: 'query', message: 'unknown field' }]);
    expect((await server.api('GET', '/segments')).body.items.map((s: { name: string }) => s.name)).not.toContain('Bad');
  });

  it('previews a query: count and a sample of up to 10 contacts', async () => {
    const preview = await server.api('POST', '/segments/preview', { query: { attribute: 'city', op: 'exists' } });
    expect(preview.status).toBe(200);
    expect(preview.body.count).toBe(3);
    expect(preview.body.sample).toHaveLength(3);
    expect(preview.body.sample[0]).toMatchObject({ id: expect.any(String), email: expect.any(String), attributes: expect.any(Object) });
    expect((await server.api('POST', '/segments/preview', { query: { attribute: 'nope', op: 'exists' } })).status).toBe(400);
  });

  it('changes static members set-based, refusing unknown contacts and dynamic segments', async () => {
    const staticSegment = await server.api('POST', '/segments', { name: 'Hand-picked', kind: 'static' });
    expect(staticSegment.status).toBe(201);
    expect(staticSegment.body.query).toBeNull();
    const id = staticSegment.body.id;
    const added = await server.api('POST', `/segments/${id}/members`, { add: [contact.Anna, contact.Bram, contact.Cees] });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ added: 3, removed: 0 });
    const removed = await server.api('POST', `/segments/${id}/members`, { remove: [contact.Bram] });
    expect(removed.body).toEqual({ added: 0, removed: 1 });
    expect(ids((await server.api('GET', `/segments/${id}/members`)).body.items)).toEqual([contact.Anna, contact.Cees].sort());

    const unknown = await server.api('POST', `/segments/${id}/members`, { add: [contact.Dirk, 'ghost'] });
    expect(unknown.status).toBe(400);
    expect(paths(unknown.body)).toEqual(['add.1']);
    expect(ids((await server.api('GET', `/segments/${id}/members`)).body.items)).toEqual([contact.Anna, contact.Cees].sort());

    const dynamic = await server.api('POST', '/segments', { name: 'Dyn', kind: 'dynamic', query: { attribute: 'city', op: 'exists' } });
    expect((await server.api('POST', `/segments/${dynamic.body.id}/members`, { add: [contact.Anna] })).status).toBe(409);
    expect((await server.api('POST', '/segments/nope/members', { add: [contact.Anna] })).status).toBe(404);
    expect((await server.api('GET', '/segments/nope/members')).status).toBe(404);
  });

  it('patches and deletes segments, refusing a segment that would contain itself', async () => {
    const a = await server.api('POST', '/segments', { name: 'A', kind: 'dynamic', query: { attribute: 'city', op: 'exists' } });
    const b = await server.api('POST', '/segments', { name: 'B', kind: 'dynamic', query: { inSegment: a.body.id } });
    const cycle = await server.api('PATCH', `/segments/${a.body.id}`, { query: { inSegment: b.body.id } });
    expect(cycle.status).toBe(400);
    expect(paths(cycle.body)).toEqual(['query.inSegment']);
    const renamed = await server.api('PATCH', `/segments/${a.body.id}`, { name: 'A renamed', query: { attribute: 'city', op: 'eq', value: 'Rotterdam' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'A renamed', query: { attribute: 'city', op: 'eq', value: 'Rotterdam' } });
    expect(ids((await server.api('GET', `/segments/${b.body.id}/members`)).body.items)).toEqual([contact.Cees]);
    // A is still used by B.
    expect((await server.api('DELETE', `/segments/${a.body.id}`)).status).toBe(409);
    expect((await server.api('DELETE', `/segments/${b.body.id}`)).status).toBe(204);
    expect((await server.api('DELETE', `/segments/${a.body.id}`)).status).toBe(204);
    expect((await server.api('GET', `/segments/${a.body.id}`)).status).toBe(404);
  });

  it('feeds a live journey: contacts that join a dynamic segment enter it, and their activities are listed', async () => {
    const segment = await server.api('POST', '/segments', { name: 'Utrecht', kind: 'dynamic', query: { attribute: 'city', op: 'eq', value: 'Utrecht' } });
    const journey = await server.api('POST', '/journeys', {
      name: 'Utrecht welcome',
      startAt: '2026-01-05T08:00:00Z',
      endAt: '2026-02-05T08:00:00Z',
      timeZone: 'Europe/Amsterdam',
      tiles: [
        { id: 'entry', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: segment.body.id, mode: 'include' }], next: 'call' },
        { id: 'call', type: 'activity', activityType: 'phoneCall', subject: 'Welcome call', assignTo: 'journeyOwner', next: null },
      ],
    });
    expect(journey.status).toBe(201);
    expect((await server.api('POST', `/journeys/${journey.body.id}/go-live`)).status).toBe(200);
    await server.drain();
    const joined = await server.api('POST', '/contacts', { email: 'utrecht@example.com', attributes: { city: 'Utrecht' } });
    const moved = await server.api('POST', '/contacts/batch', { contacts: [{ email: 'rdm@example.com', attributes: { city: 'Utrecht' } }] });
    await server.drain();
    const activities = await server.api('GET', `/activities?journeyId=${journey.body.id}`);
    expect(activities.body.items.map((a: { contactId: string }) => a.contactId).sort()).toEqual([joined.body.id, moved.body.ids[0]].sort());
    expect(activities.body.items[0]).toMatchObject({ journeyId: journey.body.id, tileId: 'call', activityType: 'phoneCall', subject: 'Welcome call' });
    // Put Cees back where the other tests expect him.
    await server.api('PATCH', `/contacts/${contact.Cees}`, { attributes: { city: 'Rotterdam' } });
  });

  it('manages subscription lists: members added and removed by staff, listed with pagination', async () => {
    const list = await server.api('POST', '/subscription-lists', { name: 'Newsletter' });
    expect(list.status).toBe(201);
    expect(list.body).toEqual({ id: expect.any(String), name: 'Newsletter', createdAt: expect.any(String) });
    expect((await server.api('GET', `/subscription-lists/${list.body.id}`)).body).toEqual(list.body);
    const change = await server.api('POST', `/subscription-lists/${list.body.id}/members`, { add: [contact.Anna, contact.Bram, contact.Dirk], remove: [] });
    expect(change.body).toEqual({ added: 3, removed: 0 });
    const page = await server.api('GET', `/subscription-lists/${list.body.id}/members?limit=2`);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.nextCursor).toEqual(expect.any(String));

    const unknown = await server.api('POST', `/subscription-lists/${list.body.id}/members`, { add: [contact.Cees], remove: ['ghost'] });
    expect(unknown.status).toBe(400);
    expect(paths(unknown.body)).toEqual(['remove.0']);
    await server.api('POST', `/subscription-lists/${list.body.id}/members`, { remove: [contact.Dirk] });
    expect(ids((await server.api('GET', `/subscription-lists/${list.body.id}/members`)).body.items)).toEqual([contact.Anna, contact.Bram].sort());

    // A dynamic segment can use the list.
    const subscribed = await server.api('POST', '/segments', { name: 'Subscribed', kind: 'dynamic', query: { subscribedTo: list.body.id } });
    expect(subscribed.status).toBe(201);
    expect(ids((await server.api('GET', `/segments/${subscribed.body.id}/members`)).body.items)).toEqual([contact.Anna, contact.Bram].sort());
    expect((await server.api('POST', '/subscription-lists', { name: '' })).status).toBe(400);
  });
});
