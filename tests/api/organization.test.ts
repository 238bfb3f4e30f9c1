import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('business units, users and API keys', () => {
  let server: TestServer;
  let rootUnitId: string;

  /** A new user with `role` and a key of its own. */
  const userWithKey = async (role: 'admin' | 'marketer' | 'viewer', businessUnitId = rootUnitId, level: 'organization' | 'businessUnit' = 'organization') => {
    const user = await server.api('POST', '/users', { name: `${role} user`, email: `${role}.${Math.random().toString(36).slice(2)}@example.com`, businessUnitId, role, level });
    expect(user.status).toBe(201);
    const key = await server.api('POST', '/api-keys', { userId: user.body.id });
    expect(key.status).toBe(201);
    return { user: user.body, key: key.body.key as string, keyId: key.body.id as string };
  };

  beforeAll(async () => {
    server = await startTestServer();
    const units = await server.api('GET', '/business-units');
    rootUnitId = units.body.items[0].id;
  });
  afterAll(() => server.close());

  it('creates business units under a parent, and refuses an unknown parent naming parentId', async () => {
    const child = await server.api('POST', '/business-units', { name: 'Europe', parentId: rootUnitId });
    expect(child.status).toBe(201);
    expect(child.body).toEqual({ id: expect.any(String), name: 'Europe', parentId: rootUnitId, createdAt: expect.any(String) });
    expect((await server.api('GET', `/business-units/${child.body.id}`)).body).toEqual(child.body);

    const orphan = await server.api('POST', '/business-units', { name: 'Nowhere', parentId: 'no-such-unit' });
    expect(orphan.status).toBe(400);
    expect(orphan.headers.get('content-type')).toContain('application/problem+json');
    expect(orphan.body.errors).toEqual([expect.objectContaining({ path: 'parentId' })]);
    expect((await server.api('GET', '/business-units/no-such-unit')).status).toBe(404);
  });

  it('creates users, answering 409 for a taken email and 400 for an unknown business unit or field', async () => {
    const created = await server.api('POST', '/users', { name: 'Ada', email: 'ada@example.com', businessUnitId: rootUnitId, role: 'marketer', level: 'businessUnit' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), name: 'Ada', email: 'ada@example.com', businessUnitId: rootUnitId, role: 'marketer', level: 'businessUnit' });
    expect((await server.api('GET', `/users/${created.body.id}`)).body).toEqual(created.body);

    const duplicate = await server.api('POST', '/users', { name: 'Ada 2', email: 'ADA@example.com', businessUnitId: rootUnitId, role: 'viewer', level: 'businessUnit' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors).toEqual([expect.objectContaining({ path: 'email' })]);

    const unknownUnit = await server.api('POST', '/users', { name: 'Bob', email: 'bob@example.com', businessUnitId: 'nope', role: 'viewer', level: 'businessUnit' });
    expect(unknownUnit.status).toBe(400);
    expect(unknownUnit.body.errors).toEqual([expect.objectContaining({ path: 'businessUnitId' })]);

    const extra = await server.api('POST', '/users', { name: 'Eve', email: 'eve@example.com', businessUnitId: rootUnitId, role: 'root', level: 'businessUnit', isGod: true });
    expect(extra.status).toBe(400);
    expect(extra.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(expect.arrayContaining(['role']));
    expect(JSON.stringify(extra.body.errors)).toContain('isGod');
  });

  it('shows a created API key once; it authenticates until it is revoked', async () => {
    const { user, key, keyId } = await userWithKey('marketer');
    expect(key).toMatch(/^wm_/);
    const me = await server.api('GET', '/users', undefined, { key });
    expect(me.status).toBe(200);

    const listed = await server.api('GET', `/api-keys?userId=${user.id}`);
    expect(listed.body.items).toEqual([{ id: keyId, userId: user.id, createdAt: expect.any(String), lastUsedAt: expect.any(String), revokedAt: null }]);
    expect(JSON.stringify(listed.body)).not.toContain(key);

    expect((await server.api('DELETE', `/api-keys/${keyId}`)).status).toBe(204);
    expect((await server.api('GET', '/users', undefined, { key })).status).toBe(401);
    const after = await server.api('GET', `/api-keys?userId=${user.id}`);
    expect(after.body.items[0].revokedAt).toEqual(expect.any(String));
    expect((await server.api('DELETE', '/api-keys/no-such-key')).status).toBe(404);
  });

  it('lets a marketer create keys only for itself, and see only its own', async () => {
    const marketer = await userWithKey('marketer');
    const other = await userWithKey('marketer');
    const forOther = await server.api('POST', '/api-keys', { userId: other.user.id }, { key: marketer.key });
    expect(forOther.status).toBe(403);
    const own = await server.api('POST', '/api-keys', { userId: marketer.user.id }, { key: marketer.key });
    expect(own.status).toBe(201);
    const listed = await server.api('GET', '/api-keys', undefined, { key: marketer.key });
    expect(new Set(listed.body.items.map((k: { userId: string }) => k.userId))).toEqual(new Set([marketer.user.id]));
    // Someone else's key is not there for a marketer to revoke.
    expect((await server.api('DELETE', `/api-keys/${other.keyId}`, undefined, { key: marketer.key })).status).toBe(404);
  });

  it('gives viewers read access only, and leaves user and unit administration to admins', async () => {
    const viewer = await userWithKey('viewer');
    const marketer = await userWithKey('marketer');
    expect((await server.api('GET', '/business-units', undefined, { key: viewer.key })).status).toBe(200);
    for (const [path, payload] of [
      ['/contacts', { email: 'viewer-made@example.com' }],
      ['/accounts', { name: 'Viewer Inc' }],
      ['/segments', { name: 'Nope', kind: 'static' }],
      ['/api-keys', { userId: viewer.user.id }],
    ] as const) {
      const denied = await server.api('POST', path, payload, { key: viewer.key });
      expect(denied.status, path).toBe(403);
      expect(denied.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await server.api('POST', '/business-units', { name: 'Rogue' }, { key: marketer.key })).status).toBe(403);
    expect((await server.api('POST', '/users', { name: 'X', email: 'x@example.com', businessUnitId: rootUnitId, role: 'admin', level: 'organization' }, { key: marketer.key })).status).toBe(403);
  });

  it('keeps business-unit-level users to their own unit when they create records', async () => {
    const other = await server.api('POST', '/business-units', { name: 'Americas', parentId: rootUnitId });
    const local = await userWithKey('marketer', other.body.id, 'businessUnit');
    const own = await server.api('POST', '/contacts', { email: 'local@example.com' }, { key: local.key });
    expect(own.status).toBe(201);
    expect(own.body.businessUnitId).toBe(other.body.id);
    const elsewhere = await server.api('POST', '/contacts', { email: 'far@example.com', businessUnitId: rootUnitId }, { key: local.key });
    expect(elsewhere.status).toBe(403);
    const orgContact = await server.api('POST', '/contacts', { email: 'org@example.com' });
    // A record of another unit does not exist for a business-unit-level user (contract §2: 404).
    expect((await server.api('PATCH', `/contacts/${orgContact.body.id}`, { firstName: 'X' }, { key: local.key })).status).toBe(404);

    // A business-unit-level admin cannot mint keys (or users) with wider rights than its own.
    const localAdmin = await userWithKey('admin', other.body.id, 'businessUnit');
    const orgAdmin = await userWithKey('admin');
    expect((await server.api('POST', '/api-keys', { userId: orgAdmin.user.id }, { key: localAdmin.key })).status).toBe(403);
    expect((await server.api('POST', '/api-keys', { userId: local.user.id }, { key: localAdmin.key })).status).toBe(201);
    expect((await server.api('DELETE', `/api-keys/${orgAdmin.keyId}`, undefined, { key: localAdmin.key })).status).toBe(404);
    const visible = await server.api('GET', '/api-keys', undefined, { key: localAdmin.key });
    expect(new Set(visible.body.items.map((k: { userId: string }) => k.userId))).toEqual(new Set([local.user.id, localAdmin.user.id]));
    const wider = await server.api('POST', '/users', { name: 'W', email: 'wider@example.com', businessUnitId: other.body.id, role: 'admin', level: 'organization' }, { key: localAdmin.key });
    expect(wider.status).toBe(403);
  });

  it('pages business units with nextCursor', async () => {
    for (let i = 0; i < 5; i += 1) await server.api('POST', '/business-units', { name: `Unit ${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await server.api('GET', `/business-units?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((u: { id: string }) => u.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = await server.api('GET', '/business-units?limit=1000');
    expect(seen).toEqual(all.body.items.map((u: { id: string }) => u.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect((await server.api('GET', '/business-units?limit=1001')).status).toBe(400);
    expect((await server.api('GET', '/business-units?cursor=garbage')).status).toBe(400);
  });
});
