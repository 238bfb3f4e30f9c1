import type { JourneyDefinition } from '@waymark/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../../../tests/support/smtpServer.ts';
import { ManualClock } from './clock.ts';
import { EmailRenderer } from './email/render.ts';
import { createSmtpSender, type SmtpSender } from './email/smtpSender.ts';
import { recordEvents } from './events.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';
import { Worker } from './worker.ts';

const START = new Date('2026-03-02T14:00:00Z');

describe('worker: admission, stepping and sending against a real database', () => {
  let database: TestDatabase;
  let smtp: TestSmtpServer;
  let sender: SmtpSender;
  let clock: ManualClock;
  let worker: Worker;

  async function insertJourney(def: JourneyDefinition): Promise<string> {
    const [row] = await database.db.query<{ id: string }>(`insert into journeys (name, status, definition) values ($1, 'live', $2) returning id`, [def.name, JSON.stringify(def)]);
    return row!.id;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await startTestSmtpServer();
    sender = createSmtpSender(smtp.url);
    clock = await ManualClock.open(database.db, START);
    worker = new Worker({ db: database.db, clock, batchSize: 7, email: { publicUrl: 'http://127.0.0.1:9', secret: 's3cret', defaultFrom: 'news@example.com', renderer: new EmailRenderer(), smtp: sender } });
    const db = database.db;
    await db.query(`insert into content_settings (id, name, postal_address, is_default) values ('cs', 'Default', '1 Main St', true)`);
    await db.query(
      `insert into emails (id, name, subject, html, status) values ('e1', 'Hello', 'Hi {{ contact.firstName }}', '<p>Hi <a href="https://example.com/x">x</a> {{ content.postalAddress }}</p>', 'live')`,
    );
    await db.query(
      `insert into contacts (id, email, first_name, consent, attributes)
       select 'c' || n, 'c' || n || '@example.com', 'Name' || n, case when n % 10 = 0 then 'none' else 'marketing' end,
              jsonb_build_object('city', case when n % 2 = 0 then 'New York' else 'Boston' end, 'score', n)
         from generate_series(1, 40) n`,
    );
    await db.query(`insert into segments (id, name, kind, query) values ('ny', 'NY', 'dynamic', '{"attribute": "city", "op": "eq", "value": "New York"}')`);
  });

  afterAll(async () => {
    sender.close();
    await smtp.close();
    await database.drop();
  });

  it('admits the segment once, excludes low consent, splits exactly, and sends one email each', async () => {
    const journeyId = await insertJourney({
      name: 'NY welcome',
      target: 'contacts',
      scope: 'organization',
      minimumConsent: 'marketing',
      startAt: START.toISOString(),
      endAt: new Date(START.getTime() + 30 * 86_400_000).toISOString(),
      timeZone: 'America/New_York',
      tiles: [
        { id: 'seg', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: 'ny', mode: 'include' }], next: 'split' },
        { id: 'split', type: 'splitter', mode: 'count', branches: [{ share: 5, next: 'mail' }, { share: 0, next: 'lead' }] },
        { id: 'mail', type: 'email', emailId: 'e1', next: 'wait' },
        { id: 'wait', type: 'scheduler', wait: { for: 'P1D' }, next: null },
        { id: 'lead', type: 'createLead', perAccount: false, topic: 'Rest', next: null },
      ],
    });
    await worker.drain();
    const rows = await database.db.query<{ status: string; reason: string | null; n: number }>(
      `select status, reason, count(*)::int as n from journey_contacts where journey_id = $1 group by 1, 2 order by 1`,
      [journeyId],
    );
    // 20 New Yorkers; the 4 with n % 10 = 0 have no consent.
    expect(rows).toEqual([
      { status: 'active', reason: null, n: 5 },
      { status: 'completed', reason: null, n: 11 },
      { status: 'excluded', reason: 'consent', n: 4 },
    ]);
    expect(smtp.messages.filter((m) => m.subject.startsWith('Hi Name'))).toHaveLength(5);
    expect(smtp.duplicates).toBe(0);
    const leads = await database.db.query<{ n: number }>('select count(*)::int as n from leads where journey_id = $1', [journeyId]);
    expect(leads[0]!.n).toBe(11);

    // Draining again changes nothing: entry is once only.
    const again = await worker.drain();
    expect(again.admitted).toBe(0);
    expect(again.steps).toBe(0);

    await clock.set(new Date(START.getTime() + 86_400_000 + 1000));
    const nextDay = await worker.drain();
    expect(nextDay.steps).toBe(5);
  });

  it('wakes a contact waiting in a trigger when the event arrives, and takes the false path on timeout', async () => {
    const now = clock.now();
    const journeyId = await insertJourney({
      name: 'Event trigger',
      target: 'contacts',
      scope: 'organization',
      startAt: now.toISOString(),
      endAt: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
      timeZone: 'UTC',
      tiles: [
        { id: 'seg', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: 'ny', mode: 'include' }], next: 'trig' },
        { id: 'trig', type: 'trigger', match: 'any', basis: 'contact', timeout: 'P2D', rules: [{ event: 'purchase', where: { sku: 'A1' } }], onTrue: 'yes', onFalse: null },
        { id: 'yes', type: 'activity', activityType: 'task', subject: 'Thank them', assignTo: 'journeyOwner', perAccount: false, next: null },
      ],
    });
    await worker.drain();
    await recordEvents(database.db, [{ contactId: 'c2', type: 'purchase', occurredAt: clock.now(), properties: { sku: 'B9' } }], clock.now());
    await recordEvents(database.db, [{ contactId: 'c4', type: 'purchase', occurredAt: clock.now(), properties: { sku: 'A1' } }], clock.now());
    await worker.drain();
    const activities = await database.db.query<{ contact_id: string }>('select contact_id from activities where journey_id = $1', [journeyId]);
    expect(activities.map((a) => a.contact_id)).toEqual(['c4']);
    await clock.set(new Date(now.getTime() + 2 * 86_400_000));
    await worker.drain();
    const waiting = await database.db.query<{ n: number }>(`select count(*)::int as n from journey_contacts where journey_id = $1 and status = 'active'`, [journeyId]);
    expect(waiting[0]!.n).toBe(0);
    const falsePath = await database.db.query<{ n: number }>(`select count(*)::int as n from journey_history where journey_id = $1 and tile_id = 'trig' and outcome = 'false'`, [journeyId]);
    expect(falsePath[0]!.n).toBe(19);
  });

  it('processes nothing before startAt, and stops everything at endAt wherever contacts are', async () => {
    const now = clock.now();
    const startAt = new Date(now.getTime() + 86_400_000);
    const journeyId = await insertJourney({
      name: 'Scheduled',
      target: 'contacts',
      scope: 'organization',
      startAt: startAt.toISOString(),
      endAt: new Date(startAt.getTime() + 3 * 86_400_000).toISOString(),
      timeZone: 'UTC',
      tiles: [
        { id: 'seg', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: 'ny', mode: 'include' }], next: 'wait' },
        { id: 'wait', type: 'scheduler', wait: { for: 'P5D' }, next: 'lead' },
        { id: 'lead', type: 'createLead', perAccount: false, next: null },
      ],
    });
    const count = async () => (await database.db.query<{ n: number }>('select count(*)::int as n from journey_contacts where journey_id = $1', [journeyId]))[0]!.n;
    await worker.drain();
    expect(await count()).toBe(0);
    await clock.set(startAt);
    await worker.drain();
    expect(await count()).toBe(20);
    await clock.set(new Date(startAt.getTime() + 6 * 86_400_000));
    await worker.drain();
    const [journey] = await database.db.query<{ status: string }>('select status from journeys where id = $1', [journeyId]);
    expect(journey!.status).toBe('ended');
    const leads = await database.db.query('select 1 from leads where journey_id = $1', [journeyId]);
    expect(leads).toHaveLength(0);
    const milestones = await database.db.query<{ kind: string }>('select kind from journey_milestones where journey_id = $1 order by id', [journeyId]);
    expect(milestones.map((m) => m.kind)).toEqual(['started', 'iterationStarted', 'ended']);
  });
});
