import { checkJourney } from '@waymark/core';
import { DEMO_CONTACT_COUNT, seedDemo, WHITE_PAPER_URL, type DemoWorkspace } from '@waymark/cli';
import {
  createTestDatabase,
  EmailRenderer,
  getJourney,
  loadReferences,
  ManualClock,
  missingRequiredPlaceholders,
  recordEvents,
  validateTemplate,
  Worker,
  type TestDatabase,
} from '@waymark/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const NOW = new Date('2026-01-05T14:00:00Z');
const DAY_MS = 86_400_000;

describe('the demo workspace', () => {
  let database: TestDatabase;
  let demo: DemoWorkspace;
  let seedMs: number;

  const count = async (sql: string, params: unknown[] = []) => (await database.db.query<{ n: number }>(`select count(*)::int as n from ${sql}`, params))[0]!.n;

  beforeAll(async () => {
    database = await createTestDatabase();
    const started = performance.now();
    demo = await seedDemo(database.db, NOW);
    seedMs = performance.now() - started;
  });

  afterAll(async () => {
    await database.drop();
  });

  it('is inserted quickly, in set-based statements', () => {
    // About 150 ms on PGlite and 50 ms on PostgreSQL here; a row-by-row insert would take seconds.
    expect(seedMs).toBeLessThan(1_000);
  });

  it('holds the records a person expects to find', async () => {
    expect(demo.contactCount).toBe(DEMO_CONTACT_COUNT);
    expect(await count(`business_units where name = 'Headquarters' and parent_id is null`)).toBe(1);
    expect(await count(`users where id = $1 and name = 'Demo Admin' and role = 'admin' and level = 'organization' and business_unit_id = $2`, [demo.adminUserId, demo.businessUnitId])).toBe(1);
    expect(await count(`content_settings where is_default and postal_address <> '' and social_links <> '{}'::jsonb`)).toBe(1);
    expect(await count('accounts')).toBe(10);
    expect(await count('contacts')).toBe(300);

    const linked = await count('contacts where account_id is not null');
    expect(linked).toBeGreaterThan(60);
    expect(linked).toBeLessThan(240);
    expect(await count(`(select distinct account_id from contacts where account_id is not null) a`)).toBe(10);
    expect(await count(`contacts where consent in ('marketing', 'profiling')`)).toBeGreaterThan(200);
    expect(await count(`contacts where attributes ->> 'city' = 'New York'`)).toBeGreaterThan(50);
    expect(await count(`contacts where jsonb_typeof(attributes -> 'newsletter') = 'boolean' and jsonb_typeof(attributes -> 'score') = 'number'`)).toBe(300);
    expect(await count(`(select distinct lower(email) from contacts) e`)).toBe(300);

    const subscribers = await count('list_members where list_id = $1', [demo.newsletterListId]);
    expect(subscribers).toBeGreaterThan(100);
    expect(subscribers).toBeLessThan(200);
    // The list and the newsletter attribute tell the same story.
    expect(await count(`contacts c where (c.attributes ->> 'newsletter')::boolean = exists (select 1 from list_members lm where lm.contact_id = c.id)`)).toBe(300);

    const attributes = await database.db.query<{ entity: string; name: string; type: string }>('select entity, name, type from attributes order by entity, name');
    expect(attributes).toEqual(
      expect.arrayContaining([
        { entity: 'contact', name: 'city', type: 'string' },
        { entity: 'contact', name: 'newsletter', type: 'boolean' },
        { entity: 'contact', name: 'score', type: 'number' },
      ]),
    );

    const [segment] = await database.db.query<{ name: string; query: unknown }>('select name, query from segments where id = $1', [demo.segmentIds.newYorkNewsletter]);
    expect(segment).toEqual({
      name: 'New York newsletter subscribers',
      query: { and: [{ attribute: 'city', op: 'eq', value: 'New York' }, { subscribedTo: demo.newsletterListId }] },
    });
    expect(await count(`segments where name = 'Boston contacts'`)).toBe(1);
  });

  it('has two published emails that pass the publish rules', async () => {
    const emails = await database.db.query<{ id: string; name: string; subject: string; html: string; text: string; status: string }>(
      'select id, name, subject, html, text, status from emails order by name',
    );
    expect(emails.map((email) => [email.name, email.status])).toEqual([
      ['White paper', 'live'],
      ['White paper reminder', 'live'],
    ]);
    for (const email of emails) {
      expect(missingRequiredPlaceholders(email.html)).toEqual([]);
      for (const part of [email.subject, email.html, email.text]) expect(validateTemplate(part)).toBeNull();
      expect(email.html).toContain('{{ contact.firstName');
    }
    expect(emails[0]!.html).toContain(`href="${WHITE_PAPER_URL}"`);
  });

  it('has a live newsletter journey that checks without errors', async () => {
    const journey = await getJourney(database.db, demo.journeyId);
    expect(journey).toMatchObject({ status: 'live', ownerUserId: demo.adminUserId, businessUnitId: demo.businessUnitId });
    const def = journey!.definition;
    expect(def).toMatchObject({ timeZone: 'America/New_York', startAt: NOW.toISOString(), endAt: new Date(NOW.getTime() + 90 * DAY_MS).toISOString() });
    expect(def.tiles.map((tile) => tile.type)).toEqual(['segmentGroup', 'email', 'trigger', 'createLead', 'activity', 'email']);
    expect(checkJourney(def, await loadReferences(database.db, def))).toEqual([]);
    const milestones = await database.db.query<{ kind: string }>('select kind from journey_milestones where journey_id = $1 order by id', [demo.journeyId]);
    expect(milestones.map((m) => m.kind)).toEqual(['created', 'wentLive']);
  });

  it('admits exactly the New York newsletter subscribers and runs them down both paths', async () => {
    const db = database.db;
    const clock = await ManualClock.open(db, NOW);
    const worker = new Worker({
      db,
      clock,
      email: { publicUrl: 'http://127.0.0.1:9', secret: 'demo-test-secret', defaultFrom: 'news@example.com', renderer: new EmailRenderer(), smtp: null },
    });
    await worker.drain();

    const expected = (
      await db.query<{ id: string }>(
        `select c.id from contacts c join list_members lm on lm.contact_id = c.id and lm.list_id = $1 where c.attributes ->> 'city' = 'New York' order by c.id`,
        [demo.newsletterListId],
      )
    ).map((row) => row.id);
    expect(expected.length).toBeGreaterThan(10);
    const rows = await db.query<{ contact_id: string; status: string; tile_id: string }>(
      'select contact_id, status, tile_id from journey_contacts where journey_id = $1 order by contact_id',
      [demo.journeyId],
    );
    expect(rows.map((row) => row.contact_id)).toEqual(expected);
    // All of them gave marketing consent, so none is excluded; each got the white paper and waits.
    expect(new Set(rows.map((row) => `${row.status}@${row.tile_id}`))).toEqual(new Set(['active@downloaded']));
    expect(await count(`outbox where journey_id = $1 and tile_id = 'white-paper'`, [demo.journeyId])).toBe(expected.length);

    // One downloads the white paper; another only opens the subscription center, which is no interest.
    const [downloader, browser] = expected as [string, string];
    const clickedAt = new Date(NOW.getTime() + DAY_MS);
    await clock.set(clickedAt);
    const properties = { journeyId: demo.journeyId, tileId: 'white-paper', iteration: 1 };
    await recordEvents(
      db,
      [
        { contactId: downloader, type: 'email_clicked', occurredAt: clickedAt, properties: { ...properties, url: WHITE_PAPER_URL } },
        { contactId: browser, type: 'email_clicked', occurredAt: clickedAt, properties: { ...properties, url: 'http://127.0.0.1:9/u/token' } },
      ],
      clickedAt,
    );
    await worker.drain();
    const leads = await db.query<{ contact_id: string; topic: string }>('select contact_id, topic from leads where journey_id = $1', [demo.journeyId]);
    expect(leads).toEqual([{ contact_id: downloader, topic: 'White paper' }]);
    const activities = await db.query<{ contact_id: string; activity_type: string; subject: string; assigned_user_id: string; due_at: Date }>(
      'select contact_id, activity_type, subject, assigned_user_id, due_at from activities where journey_id = $1',
      [demo.journeyId],
    );
    expect(activities).toEqual([
      { contact_id: downloader, activity_type: 'phoneCall', subject: 'Call about the white paper', assigned_user_id: demo.adminUserId, due_at: new Date(clickedAt.getTime() + 2 * DAY_MS) },
    ]);

    // A week after the first email everyone else gets the reminder.
    await clock.set(new Date(NOW.getTime() + 7 * DAY_MS + 60_000));
    await worker.drain();
    expect(await count(`outbox where journey_id = $1 and tile_id = 'reminder'`, [demo.journeyId])).toBe(expected.length - 1);
    expect(await count(`journey_contacts where journey_id = $1 and status = 'completed'`, [demo.journeyId])).toBe(expected.length);
  });
});
