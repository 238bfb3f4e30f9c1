import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressNotAllowed, checkedLookup, isPublicAddress, refusedWorkflowUrl, resolveAllowed, type Resolver } from './addressPolicy.ts';
import { callWorkflows } from './callWorkflows.ts';
import { createTestDatabase, type TestDatabase } from '../testing.ts';

describe('which addresses a workflow call may reach', () => {
  it('tells public unicast addresses from loopback, private, link-local and special ones', () => {
    const notPublic = [
      '127.0.0.1', '127.255.255.254', '0.0.0.0', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.0.1', '169.254.169.254', '100.64.0.1',
      '198.18.0.1', '224.0.0.1', '255.255.255.255', '::', '::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '::7f00:1',
      '64:ff9b::a00:1', '2002:7f00:1::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'ff02::1', 'not an address', '',
    ];
    const publicOnes = ['93.184.216.34', '8.8.8.8', '172.32.0.1', '192.169.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:93.184.216.34'];
    expect(notPublic.filter(isPublicAddress)).toEqual([]);
    expect(publicOnes.filter((address) => !isPublicAddress(address))).toEqual([]);
  });

  it('refuses a name when any address it resolves to is not public, since a connection may use any of them', async () => {
    const resolver: Resolver = async (name) => (name === 'mixed.test' ? [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.7', family: 4 }] : [{ address: '93.184.216.34', family: 4 }]);
    await expect(resolveAllowed('mixed.test', { allowPrivate: false, resolver })).rejects.toBeInstanceOf(AddressNotAllowed);
    await expect(resolveAllowed('public.test', { allowPrivate: false, resolver })).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
    await expect(resolveAllowed('mixed.test', { allowPrivate: true, resolver })).resolves.toHaveLength(2);
    expect(await refusedWorkflowUrl('http://mixed.test/hook', { allowPrivate: false, resolver })).toMatch(/public internet address/);
  });

  it('hands the connection the very addresses it checked, resolving once (no second answer to rebind to)', async () => {
    // A rebinding name: public the first time it is asked, loopback afterwards.
    let asked = 0;
    const resolver: Resolver = async () => (asked++ === 0 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
    const lookup = checkedLookup({ allowPrivate: false, resolver });
    const answer = await new Promise<unknown>((resolve, reject) =>
      lookup('rebind.test', { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
    );
    expect(answer).toEqual([{ address: '93.184.216.34', family: 4 }]);
    expect(asked).toBe(1);
    const second = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('rebind.test', {}, (error) => resolve(error)));
    expect(second).toBeInstanceOf(AddressNotAllowed);
  });
});

describe('redirects of workflow calls', () => {
  let database: TestDatabase;
  let receiver: Server;
  let port = 0;
  const paths: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    receiver = createServer((request, response) => {
      paths.push(`${request.headers.host?.split(':')[0]}${request.url}`);
      request.resume();
      if (request.url === '/first') response.writeHead(308, { location: `http://second.test:${port}/second` });
      else if (request.url === '/second') response.writeHead(307, { location: '/done' });
      else response.statusCode = 204;
      response.end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
    await database.db.query(`insert into contacts (id, email) values ('ann', 'ann@example.com')`);
    await database.db.query(`insert into workflows (id, name, url, secret) values ('crm', 'CRM', $1, 'secret-123')`, [`http://first.test:${port}/first`]);
    await database.db.query(`insert into journeys (id, name, status, definition) values ('j', 'J', 'live', '{}')`);
    await database.db.query(
      `insert into outbox (kind, idempotency_key, journey_id, iteration, tile_id, contact_id, target_id, status, next_attempt_at, created_at)
       values ('workflow', 'j:1:crm:c:ann', 'j', 1, 'crm', 'ann', 'crm', 'pending', $1, $1)`,
      [new Date('2026-01-05T09:00:00Z')],
    );
  });
  afterAll(async () => {
    receiver.close();
    await database.drop();
  });

  it('when following them is allowed, resolves and checks every hop through the checking lookup', async () => {
    // Both names lead to the receiver on this machine (private addresses allowed, as with
    // WAYMARK_WEBHOOK_ALLOW_PRIVATE=1); the resolver shows that each hop was looked up by the policy.
    const looked: string[] = [];
    const resolver: Resolver = async (name) => {
      looked.push(name);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const settled = await callWorkflows(database.db, new Date('2026-01-05T09:00:00Z'), { limit: 10, seconds: 60 }, { addressPolicy: { allowPrivate: true, resolver }, maxRedirects: 2 });
    expect(settled).toBe(1);
    expect(new Set(looked)).toEqual(new Set(['first.test', 'second.test']));
    expect(paths).toEqual(['first.test/first', 'second.test/second', 'second.test/done']);
    const [row] = await database.db.query<{ status: string }>(`select status from outbox where idempotency_key = 'j:1:crm:c:ann'`);
    expect(row).toEqual({ status: 'sent' });
  });
});
