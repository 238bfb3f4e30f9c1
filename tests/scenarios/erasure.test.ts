/**
 * GDPR erasure, end to end: Eve gets the welcome email of a live journey, asks for her data (the
 * export holds her record, lists, journey path, messages and events), then to be forgotten. After
 * the erasure no table holds her address or her id; only a hash of the address stays. When a
 * later CSV import (`waymark import contacts`, the real command) brings her address back, the
 * contact is created like any other but never admitted nor mailed, while Finn, new in the same
 * file, gets the welcome email.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWaymark } from '../cli/waymarkProcess.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/testServer.ts';

describe('erasure, then a re-import that is never mailed', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const ids: Record<string, string> = {};

  const create = async (route: string, body: unknown) => {
    const response = await server.api('POST', route, body);
    expect(response.status, `${route}: ${JSON.stringify(response.body)}`).toBe(201);
    return response.body;
  };
  const subjectsFor = (email: string) => smtp.messages.filter((message) => message.to.toLowerCase().includes(email)).map((message) => message.subject);
  /** Every table row, in any table, whose text mentions `needle` (case-insensitively). */
  const mentions = async (needle: string) => {
    const tables = await server.database.db.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`,
    );
    const found: string[] = [];
    for (const { table_name } of tables) {
      const [row] = await server.database.db.query<{ n: number }>(`select count(*)::int as n from "${table_name}" t where strpos(lower(t::text), lower($1)) > 0`, [needle]);
      if (row!.n > 0) found.push(`${table_name}: ${row!.n}`);
    }
    return found;
  };

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-02-02T10:00:00Z' });
    await create('/content-settings', { name: 'Default', postalAddress: '1 Main Street, Springfield', isDefault: true });
    ids.list = (await create('/subscription-lists', { name: 'Newsletter' })).id;
    ids.Eve = (await create('/contacts', { email: 'eve@example.com', firstName: 'Eve', consent: 'marketing', attributes: { city: 'Utrecht', shoeSize: 38 } })).id;
    ids.Dan = (await create('/contacts', { email: 'dan@example.com', firstName: 'Dan', consent: 'marketing' })).id;
    await server.api('POST', `/subscription-lists/${ids.list}/members`, { add: [ids.Eve, ids.Dan] });
    const footer = '<p><a href="{{ content.subscriptionCenterUrl }}">Subscriptions</a> · {{ content.postalAddress }}</p>';
    ids.welcome = (await create('/emails', { name: 'Welcome', subject: 'Welcome, {{ contact.firstName }}', html: `<p>Hi {{ contact.firstName }}</p>${footer}` })).id;
    await server.api('POST', `/emails/${ids.welcome}/publish`);
    ids.journey = (
      await create('/journeys', {
        name: 'Welcome',
        startAt: '2026-02-02T10:00:00Z',
        endAt: '2026-05-01T00:00:00Z',
        timeZone: 'UTC',
        tiles: [
          { id: 'audience', type: 'segmentGroup', combine: 'union', segments: [{ source: 'subscriptionList', listId: ids.list, mode: 'include' }], next: 'welcome' },
          { id: 'welcome', type: 'email', emailId: ids.welcome, next: null },
        ],
      })
    ).id;
    await server.api('POST', `/journeys/${ids.journey}/go-live`);
    await server.drain();
    await server.api('POST', '/events', { contactId: ids.Eve, type: 'webinar_attended', properties: { topic: 'Privacy' } });
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('exports everything held about Eve', async () => {
    expect(subjectsFor('eve@example.com')).toEqual(['Welcome, Eve']);
    const response = await server.api('GET', `/contacts/${ids.Eve}/export`);
    expect(response.status).toBe(200);
    const data = response.body;
    expect(data.contact).toMatchObject({ id: ids.Eve, email: 'eve@example.com', attributes: { city: 'Utrecht', shoeSize: 38 } });
    expect(data.subscriptions).toEqual([expect.objectContaining({ listId: ids.list, name: 'Newsletter' })]);
    expect(data.journeys).toEqual([
      expect.objectContaining({ journeyId: ids.journey, name: 'Welcome', status: 'completed', history: [expect.objectContaining({ tileId: 'audience' }), expect.objectContaining({ tileId: 'welcome', outcome: 'sent' })] }),
    ]);
    expect(data.messages).toEqual([expect.objectContaining({ journeyId: ids.journey, subject: 'Welcome, {{ contact.firstName }}', status: 'sent' })]);
    expect(data.events.map((e: { type: string }) => e.type).sort()).toEqual(['email_delivered', 'webinar_attended']);
    expect(Object.keys(data.records)).toEqual(expect.arrayContaining(['events', 'journey_contacts', 'journey_history', 'outbox', 'list_members']));
    expect(data.records).not.toHaveProperty('segment_dirty_contacts');
    expect((await server.api('GET', '/contacts/nobody/export')).status).toBe(404);
  });

  it('erases her everywhere, keeping only a hash of her address', async () => {
    expect((await server.api('DELETE', `/contacts/${ids.Eve}`)).status).toBe(204);
    expect((await server.api('GET', `/contacts/${ids.Eve}`)).status).toBe(404);
    expect((await server.api('GET', `/contacts/${ids.Eve}/export`)).status).toBe(404);
    expect((await server.api('GET', `/journeys/${ids.journey}/contacts/${ids.Eve}`)).status).toBe(404);
    expect((await server.api('GET', `/messages?contactId=${ids.Eve}`)).body.items).toEqual([]);
    expect(await mentions('eve@example.com')).toEqual([]);
    expect(await mentions(ids.Eve!)).toEqual([]);
    const hash = createHash('sha256').update('eve@example.com').digest('hex');
    expect(await mentions(hash)).toEqual(['suppressed_emails: 1']);
    // Dan is untouched.
    expect((await server.api('GET', `/journeys/${ids.journey}/contacts/${ids.Dan}`)).body.status).toBe('completed');
  });

  it('imports her address again, but never admits nor mails it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'waymark-import-'));
    const file = path.join(dir, 'contacts.csv');
    writeFileSync(file, 'Email,First name,City\nEVE@Example.com,Eve,Utrecht\nfinn@example.com,Finn,Delft\n');
    const cli = runWaymark(['import', 'contacts', file, '--url', server.url, '--api-key', ADMIN_KEY, '--list', ids.list!]);
    const { code } = await cli.exited;
    expect(cli.output()).toContain('imported 2 of 2 rows');
    expect(code).toBe(0);

    await server.drain();
    const found = (await server.api('GET', '/contacts?q=eve@')).body.items;
    expect(found).toEqual([expect.objectContaining({ email: 'EVE@Example.com', firstName: 'Eve' })]);
    expect((await server.api('GET', `/contacts/${found[0].id}/export`)).body.suppressed).toBe(true);
    expect((await server.api('GET', `/contacts/${ids.Dan}/export`)).body.suppressed).toBe(false);
    const members = (await server.api('GET', `/subscription-lists/${ids.list}/members`)).body.items.map((c: { email: string }) => c.email.toLowerCase()).sort();
    expect(members).toEqual(['dan@example.com', 'eve@example.com', 'finn@example.com']);
    expect(subjectsFor('finn@example.com')).toEqual(['Welcome, Finn']);
    expect(subjectsFor('eve@example.com')).toEqual(['Welcome, Eve']);
    expect((await server.api('GET', `/journeys/${ids.journey}/contacts/${found[0].id}`)).status).toBe(404);

    // Nor by hand: a journey that goes live now admits Dan and Finn, not her.
    const again = await create('/journeys', {
      name: 'Spring news',
      startAt: '2026-02-02T10:00:00Z',
      endAt: '2026-05-01T00:00:00Z',
      timeZone: 'UTC',
      tiles: [
        { id: 'audience', type: 'segmentGroup', combine: 'union', segments: [{ source: 'subscriptionList', listId: ids.list, mode: 'include' }], next: 'welcome' },
        { id: 'welcome', type: 'email', emailId: ids.welcome, next: null },
      ],
    });
    await server.api('POST', `/journeys/${again.id}/go-live`);
    await server.drain();
    expect((await server.api('GET', `/journeys/${again.id}/insights`)).body.contacts.entered).toBe(2);
    expect(subjectsFor('eve@example.com')).toEqual(['Welcome, Eve']);
    expect(smtp.duplicates).toBe(0);
  });
});
