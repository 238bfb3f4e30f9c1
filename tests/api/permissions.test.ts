/**
 * The permission matrix: every role (admin, marketer, viewer) at every level (organization,
 * business unit), on records inside and outside the caller's business unit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

type Role = 'admin' | 'marketer' | 'viewer';
type Level = 'organization' | 'businessUnit';
const ROLES: Role[] = ['admin', 'marketer', 'viewer'];
const LEVELS: Level[] = ['organization', 'businessUnit'];
const KINDS = ['contacts', 'accounts', 'segments', 'journeys'] as const;
type Kind = (typeof KINDS)[number];
const PATCHES: Record<Kind, unknown> = { contacts: { firstName: 'Changed' }, accounts: { name: 'Changed' }, segments: { name: 'Changed' }, journeys: { name: 'Changed' } };

describe('permissions by role, level and business unit', () => {
  let server: TestServer;
  const keys = new Map<string, string>();
  const records: Record<'east' | 'west', Record<Kind, string>> = { east: {} as Record<Kind, string>, west: {} as Record<Kind, string> };
  const units: Record<string, string> = {};

  const as = (key: string) => ({ key });
  const must = async (response: Promise<{ status: number; body: any }>, status = 201) => {
    const result = await response;
    expect(result.status, JSON.stringify(result.body)).toBe(status);
    return result.body;
  };

  beforeAll(async () => {
    server = await startTestServer();
    const api = server.api;
    units.east = (await must(api('POST', '/business-units', { name: 'East' }))).id;
    units.west = (await must(api('POST', '/business-units', { name: 'West' }))).id;
    const makeUser = async (name: string, unit: string, role: Role, level: Level) => {
      const user = await must(api('POST', '/users', { name, email: `${name}@example.com`, businessUnitId: unit, role, level }));
      return (await must(api('POST', '/api-keys', { userId: user.id }))).key as string;
    };
    for (const role of ROLES) for (const level of LEVELS) keys.set(`${role}/${level}`, await makeUser(`${role}-${level}`, units.east!, role, level));
    const owners = { east: await makeUser('east-owner', units.east!, 'marketer', 'businessUnit'), west: await makeUser('west-owner', units.west!, 'marketer', 'businessUnit') };
    for (const side of ['east', 'west'] as const) {
      const key = owners[side];
      const unit = units[side];
      records[side].contacts = (await must(api('POST', '/contacts', { email: `${side}@example.com`, businessUnitId: unit }, as(key)))).id;
      records[side].accounts = (await must(api('POST', '/accounts', { name: `${side} inc`, businessUnitId: unit }, as(key)))).id;
      records[side].segments = (await must(api('POST', '/segments', { name: `${side} static`, kind: 'static' }, as(key)))).id;
      records[side].journeys = (
        await must(
          api('POST', '/journeys', { name: `${side} journey`, scope: 'businessUnit', startAt: '2026-02-01T00:00:00Z', endAt: '2026-03-01T00:00:00Z', timeZone: 'UTC', tiles: [] }, as(key)),
        )
      ).id;
    }
  });
  afterAll(() => server.close());

  for (const role of ROLES) {
    for (const level of LEVELS) {
      describe(`${role} at ${level} level (in East)`, () => {
        const key = () => keys.get(`${role}/${level}`)!;
        const seesEverything = level === 'organization';
        const writes = role !== 'viewer';

        for (const kind of KINDS) {
          it(`reads and changes ${kind} inside its unit${seesEverything ? ' and outside' : ', and outside finds nothing'}`, async () => {
            const inside = records.east[kind];
            const outside = records.west[kind];
            expect((await server.api('GET', `/${kind}/${inside}`, undefined, as(key()))).status).toBe(200);
            expect((await server.api('GET', `/${kind}/${outside}`, undefined, as(key()))).status).toBe(seesEverything ? 200 : 404);
            const listed = (await server.api('GET', `/${kind}?limit=1000`, undefined, as(key()))).body.items.map((item: { id: string }) => item.id);
            expect(listed).toContain(inside);
            expect(listed.includes(outside)).toBe(seesEverything);
            expect((await server.api('PATCH', `/${kind}/${inside}`, PATCHES[kind], as(key()))).status).toBe(writes ? 200 : 403);
            expect((await server.api('PATCH', `/${kind}/${outside}`, PATCHES[kind], as(key()))).status).toBe(!writes ? 403 : seesEverything ? 200 : 404);
          });
        }

        it('may choose organization scope only at organization level, and create nothing as a viewer', async () => {
          const journey = { name: 'Scoped', startAt: '2026-02-01T00:00:00Z', endAt: '2026-03-01T00:00:00Z', timeZone: 'UTC', tiles: [] };
          const org = await server.api('POST', '/journeys', { ...journey, scope: 'organization' }, as(key()));
          expect(org.status).toBe(!writes ? 403 : seesEverything ? 201 : 403);
          const unit = await server.api('POST', '/journeys', { ...journey, scope: 'businessUnit' }, as(key()));
          expect(unit.status).toBe(writes ? 201 : 403);
          const contactElsewhere = await server.api('POST', '/contacts', { email: `${role}-${level}-west@example.com`, businessUnitId: units.west }, as(key()));
          expect(contactElsewhere.status).toBe(!writes ? 403 : seesEverything ? 201 : 403);
        });

        it('manages users and business units only as an admin', async () => {
          const created = await server.api('POST', '/business-units', { name: `Made by ${role} ${level}`, parentId: units.east }, as(key()));
          expect(created.status).toBe(role === 'admin' ? 201 : 403);
          const user = await server.api('POST', '/users', { name: 'New', email: `new-${role}-${level}@example.com`, businessUnitId: units.east, role: 'viewer', level: 'businessUnit' }, as(key()));
          expect(user.status).toBe(role === 'admin' ? 201 : 403);
        });
      });
    }
  }
});
