import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

describe('contacts, accounts and attributes API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('creates a contact with the whole shape, reads, patches and erases it', async () => {
    const created = await server.api('POST', '/contacts', {
      email: 'Grace.Hopper@Example.com',
      firstName: 'Grace',
      lastName: 'Hopper',
      consent: 'marketing',
      timeZone: 'Europe/Amsterdam',
      attributes: { city: 'Amsterdam', visits: 3, vip: true },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      email: 'Grace.Hopper@Example.com',
      firstName: 'Grace',
      lastName: 'Hopper',
      accountId: null,
      businessUnitId: expect.any(String),
      ownerUserId: null,
      consent: 'marketing',
      timeZone: 'Europe/Amsterdam',
      attributes: { city: 'Amsterdam', visits: 3, vip: true },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const id = created.body.id;
    expect((await server.api('GET', `/contacts/${id}`)).body).toEqual(created.body);

    const patched = await server.api('PATCH', `/contacts/${id}`, { firstName: 'Amazing Grace', attributes: { visits: 4 } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ firstName: 'Amazing Grace', lastName: 'Hopper', attributes: { city: 'Amsterdam', visits: 4, vip: true } });
    // A null removes an attribute; a null field clears it.
    const cleared = await server.api('PATCH', `/contacts/${id}`, { lastName: null, attributes: { vip: null } });
    expect(cleared.body.lastName).toBeNull();
    expect(cleared.body.attributes).toEqual({ city: 'Amsterdam', visits: 4 });

    expect((await server.api('DELETE', `/contacts/${id}`)).status).toBe(204);
    expect((await server.api('GET', `/contacts/${id}`)).status).toBe(404);
    expect((await server.api('DELETE', `/contacts/${id}`)).status).toBe(404);
  });

  it('answers 409 naming email for a duplicate address, whatever its case', async () => {
    expect((await server.api('POST', '/contacts', { email: 'dup@example.com' })).status).toBe(201);
    const again = await server.api('POST', '/contacts', { email: 'DUP@example.COM' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.body.errors).toEqual([expect.objectContaining({ path: 'email' })]);
    const other = await server.api('POST', '/contacts', { email: 'other-dup@example.com' });
    const clash = await server.api('PATCH', `/contacts/${other.body.id}`, { email: 'Dup@Example.com' });
    expect(clash.status).toBe(409);
    expect(paths(clash.body)).toEqual(['email']);
  });

  it('answers 400 naming each bad field: email, consent, time zone, attributes, unknown fields and references', async () => {
    const bad = await server.api('POST', '/contacts', {
      email: 'not-an-email',
      consent: 'everything',
      timeZone: 'Mars/Olympus_Mons',
      attributes: { 'bad key': 1, nested: { a: 1 } },
      shoeSize: 42,
    });
    expect(bad.status).toBe(400);
    const bad_paths = paths(bad.body);
    for (const path of ['email', 'consent', 'timeZone']) expect(bad_paths).toContain(path);
    expect(bad_paths.some((p) => p.startsWith('attributes'))).toBe(true);
    expect(JSON.stringify(bad.body.errors)).toContain('shoeSize');

    const tooMany = await server.api('POST', '/contacts', { email: 'many@example.com', attributes: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`a${i}`, i])) });
    expect(tooMany.status).toBe(400);
    expect(paths(tooMany.body)).toEqual(['attributes']);

    const refs = await server.api('POST', '/contacts', { email: 'refs@example.com', accountId: 'no-account', ownerUserId: "x' or 1=1 --" });
    expect(refs.status).toBe(400);
    expect(paths(refs.body).sort()).toEqual(['accountId', 'ownerUserId']);
    expect((await server.api('GET', '/contacts/%27%3B%20drop%20table%20contacts%3B')).status).toBe(404);

    // What PostgreSQL cannot store is the caller's 400, never a 500.
    const nul = await server.api('POST', '/contacts', { email: 'nul@example.com', firstName: 'a\u0000b' });
    expect(nul.status).toBe(400);
    expect(paths(nul.body)).toEqual(['firstName']);
    expect((await server.api('GET', '/contacts/%00')).status).toBe(400);
    expect((await server.api('GET', '/contacts?q=%00')).status).toBe(400);
    const deep = await server.api('POST', '/contacts', `{"email": "deep@example.com", "attributes": {"x": ${'['.repeat(10_000)}${']'.repeat(10_000)}}}`);
    expect(deep.status).toBe(400);
  });

  it('declares an attribute from its first value and refuses a value of another type', async () => {
    const first = await server.api('POST', '/contacts', { email: 'typed@example.com', attributes: { score: 10, signup: '2025-03-01' } });
    expect(first.status).toBe(201);
    const attributes = await server.api('GET', '/attributes?entity=contact');
    expect(attributes.body.items).toEqual(expect.arrayContaining([{ entity: 'contact', name: 'score', type: 'number' }, { entity: 'contact', name: 'signup', type: 'date' }]));

    const wrong = await server.api('POST', '/contacts', { email: 'typed2@example.com', attributes: { score: 'high', signup: 'yesterday' } });
    expect(wrong.status).toBe(400);
    expect(paths(wrong.body).sort()).toEqual(['attributes.score', 'attributes.signup']);
    // Nothing of the refused contact was kept.
    expect((await server.api('GET', '/contacts?q=typed2')).body.items).toEqual([]);

    const declared = await server.api('POST', '/attributes', { entity: 'contact', name: 'tier', type: 'string' });
    expect(declared.status).toBe(201);
    expect((await server.api('POST', '/attributes', { entity: 'contact', name: 'tier', type: 'string' })).status).toBe(200);
    const redeclared = await server.api('POST', '/attributes', { entity: 'contact', name: 'tier', type: 'number' });
    expect(redeclared.status).toBe(409);
    expect(paths(redeclared.body)).toEqual(['type']);
    expect((await server.api('POST', '/attributes', { entity: 'lead', name: 'x', type: 'string' })).status).toBe(400);
    const tierWrong = await server.api('PATCH', `/contacts/${first.body.id}`, { attributes: { tier: 3 } });
    expect(tierWrong.status).toBe(400);
    expect(paths(tierWrong.body)).toEqual(['attributes.tier']);
  });

  it('searches by email or name prefix and filters by account, paging with nextCursor', async () => {
    const account = await server.api('POST', '/accounts', { name: 'Search Corp', attributes: { industry: 'software' } });
    expect(account.status).toBe(201);
    expect(account.body).toMatchObject({ id: expect.any(String), name: 'Search Corp', businessUnitId: expect.any(String), ownerUserId: null, attributes: { industry: 'software' } });
    const made: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const contact = await server.api('POST', '/contacts', { email: `pager${i}@search.example`, firstName: i === 0 ? 'Zelda' : 'Pat', accountId: account.body.id });
      made.push(contact.body.id);
    }
    expect((await server.api('GET', '/contacts?q=zel')).body.items.map((c: { id: string }) => c.id)).toEqual([made[0]]);
    expect((await server.api('GET', '/contacts?q=PAGER3')).body.items.map((c: { id: string }) => c.id)).toEqual([made[3]]);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await server.api('GET', `/contacts?accountId=${account.body.id}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((c: { id: string }) => c.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...made].sort());

    // Erasing the account keeps its contacts, without the account.
    expect((await server.api('DELETE', `/accounts/${account.body.id}`)).status).toBe(204);
    expect((await server.api('GET', `/contacts/${made[0]}`)).body.accountId).toBeNull();
    expect((await server.api('GET', `/accounts/${account.body.id}`)).status).toBe(404);
  });

  it('patches accounts, merging attributes and checking their types', async () => {
    const account = await server.api('POST', '/accounts', { name: 'Patch Ltd', attributes: { employees: 50 } });
    const patched = await server.api('PATCH', `/accounts/${account.body.id}`, { name: 'Patch Limited', attributes: { region: 'EMEA' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Patch Limited', attributes: { employees: 50, region: 'EMEA' } });
    const wrong = await server.api('PATCH', `/accounts/${account.body.id}`, { attributes: { employees: 'many' } });
    expect(wrong.status).toBe(400);
    expect(paths(wrong.body)).toEqual(['attributes.employees']);
    expect((await server.api('PATCH', '/accounts/nope', { name: 'x' })).status).toBe(404);
    expect((await server.api('POST', '/accounts', { name: 'Owned', ownerUserId: 'ghost' })).status).toBe(400);
  });

  describe('POST /contacts/batch', () => {
    it('upserts by email ignoring case, keeping fields a row does not give, and answers ids in order', async () => {
      const existing = await server.api('POST', '/contacts', { email: 'Batch.Keep@example.com', firstName: 'Keep', lastName: 'Me', consent: 'marketing', attributes: { plan: 'pro' } });
      const result = await server.api('POST', '/contacts/batch', {
        contacts: [
          { email: 'batch.keep@EXAMPLE.com', lastName: 'Changed', attributes: { seats: 5 } },
          { email: 'batch.new1@example.com', firstName: 'New', attributes: { plan: 'free' } },
          { email: 'Batch.New1@example.com', lastName: 'Twice' },
          { email: 'batch.new2@example.com' },
        ],
      });
      expect(result.status).toBe(200);
      const ids: string[] = result.body.ids;
      expect(ids).toHaveLength(4);
      expect(ids[0]).toBe(existing.body.id);
      expect(ids[1]).toBe(ids[2]);
      const kept = await server.api('GET', `/contacts/${ids[0]}`);
      expect(kept.body).toMatchObject({ email: 'Batch.Keep@example.com', firstName: 'Keep', lastName: 'Changed', consent: 'marketing', attributes: { plan: 'pro', seats: 5 } });
      const merged = await server.api('GET', `/contacts/${ids[1]}`);
      expect(merged.body).toMatchObject({ email: 'batch.new1@example.com', firstName: 'New', lastName: 'Twice', consent: 'none', attributes: { plan: 'free' } });
    });

    it('is all-or-nothing: one bad row names contacts.<i>.<field> and writes nothing', async () => {
      const before = (await server.api('GET', '/contacts?q=allornothing&limit=1000')).body.items.length;
      const rows = Array.from({ length: 50 }, (_, i) => ({ email: `allornothing${i}@example.com`, attributes: { batchScore: i } }));
      rows[17] = { email: 'not an email', attributes: { batchScore: 1 } };
      const refused = await server.api('POST', '/contacts/batch', { contacts: rows });
      expect(refused.status).toBe(400);
      expect(paths(refused.body)).toEqual(['contacts.17.email']);
      expect((await server.api('GET', '/contacts?q=allornothing&limit=1000')).body.items.length).toBe(before);

      // A type contradiction inside the batch: the first row declares, a later row contradicts.
      const typed = rows.map((row, i) => ({ ...row, email: `allornothing${i}@example.com`, attributes: { batchScore: i === 30 ? 'thirty' : i } }));
      const contradiction = await server.api('POST', '/contacts/batch', { contacts: typed });
      expect(contradiction.status).toBe(400);
      expect(paths(contradiction.body)).toEqual(['contacts.30.attributes.batchScore']);
      expect((await server.api('GET', '/contacts?q=allornothing&limit=1000')).body.items.length).toBe(before);
      // ... and the attribute it would have declared was not kept either.
      expect((await server.api('GET', '/attributes')).body.items.map((a: { name: string }) => a.name)).not.toContain('batchScore');

      const unknownAccount = await server.api('POST', '/contacts/batch', { contacts: [{ email: 'allornothing-x@example.com' }, { email: 'allornothing-y@example.com', accountId: 'nope' }] });
      expect(unknownAccount.status).toBe(400);
      expect(paths(unknownAccount.body)).toEqual(['contacts.1.accountId']);
      expect((await server.api('GET', '/contacts?q=allornothing&limit=1000')).body.items.length).toBe(before);
    });

    it('takes 10 000 contacts in one call and refuses more', async () => {
      const contacts = Array.from({ length: 10_000 }, (_, i) => ({ email: `bulk${i}@bulk.example`, firstName: `Bulk ${i}`, attributes: { bulkIndex: i } }));
      const started = Date.now();
      const result = await server.api('POST', '/contacts/batch', { contacts });
      expect(result.status).toBe(200);
      expect(new Set(result.body.ids).size).toBe(10_000);
      expect(Date.now() - started).toBeLessThan(30_000);
      const again = await server.api('POST', '/contacts/batch', { contacts: contacts.slice(0, 3).map((c) => ({ ...c, lastName: 'Again' })) });
      expect(again.body.ids).toEqual(result.body.ids.slice(0, 3));
      const tooMany = await server.api('POST', '/contacts/batch', { contacts: [...contacts, { email: 'one-more@bulk.example' }] });
      expect(tooMany.status).toBe(400);
      expect(paths(tooMany.body)).toEqual(['contacts']);
    });
  });
});
