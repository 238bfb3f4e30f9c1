import type { JourneyDefinition } from '@waymark/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { EmailRenderer } from './email/render.ts';
import { applySubscriptionChange, listsTargetedByMessage, loadSubscriptionCenter } from './subscriptions.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';
import { Worker } from './worker.ts';

const START = new Date('2026-03-02T14:00:00Z');

describe('a contact\'s own subscription changes', () => {
  let database: TestDatabase;
  let clock: ManualClock;
  let worker: Worker;
  const db = () => database.db;
  const row = async (journeyId: string, contactId: string) =>
    (await db().query<{ status: string; reason: string | null }>('select status, reason from journey_contacts where journey_id = $1 and contact_id = $2', [journeyId, contactId]))[0];

  beforeAll(async () => {
    database = await createTestDatabase();
    clock = await ManualClock.open(database.db, START);
    // No SMTP: queued emails stay in the outbox, so a cancelled one can be seen.
    worker = new Worker({ db: database.db, clock, email: { publicUrl: 'http://127.0.0.1:9', secret: 's', defaultFrom: 'x@example.com', renderer: new EmailRenderer(), smtp: null } });
    await db().query(`insert into contacts (id, email, consent) values ('ann', 'ann@example.com', 'marketing'), ('bob', 'bob@example.com', 'marketing')`);
    await db().query(`insert into subscription_lists (id, name) values ('news', 'News'), ('deals', 'Deals'), ('events', 'Events')`);
    await db().query(`insert into list_members (list_id, contact_id) values ('news', 'ann'), ('deals', 'ann'), ('news', 'bob')`);
    await db().query(`insert into emails (id, name, subject, html, status) values ('e1', 'Hello', 'Hello', '<p>Hi</p>', 'live')`);
    const journey = (name: string, minimumConsent: JourneyDefinition['minimumConsent'], listId: string | null): JourneyDefinition => ({
      name,
      target: 'contacts',
      scope: 'organization',
      minimumConsent,
      startAt: START.toISOString(),
      endAt: new Date(START.getTime() + 30 * 86_400_000).toISOString(),
      timeZone: 'UTC',
      tiles: [
        {
          id: 'entry',
          type: 'segmentGroup',
          combine: 'union',
          segments: [listId ? { source: 'subscriptionList', listId, mode: 'include' } : { source: 'segment', segmentId: 'everyone', mode: 'include' }],
          next: 'mail',
        },
        { id: 'mail', type: 'email', emailId: 'e1', next: 'wait' },
        { id: 'wait', type: 'scheduler', wait: { for: 'P7D' }, next: null },
      ],
    });
    await db().query(`insert into segments (id, name, kind, query) values ('everyone', 'Everyone', 'dynamic', '{"attribute": "email", "op": "exists"}')`);
    for (const [id, def] of [
      ['j-news', journey('News', 'subscriptions', 'news')],
      ['j-deals', journey('Deals', 'none', 'deals')],
      ['j-all-marketing', journey('All, marketing', 'marketing', null)],
      ['j-all-transactional', journey('All, transactional', 'transactional', null)],
    ] as const) {
      await db().query(`insert into journeys (id, name, status, definition) values ($1, $1, 'live', $2)`, [id, JSON.stringify(def)]);
    }
    await worker.drain();
  });
  afterAll(() => database.drop());

  it('shows every list with the contact\'s own ticked', async () => {
    const view = await loadSubscriptionCenter(db(), 'ann');
    expect(view).toMatchObject({ contact: { id: 'ann', email: 'ann@example.com' }, optedOut: false });
    expect(view!.lists).toEqual([
      { id: 'deals', name: 'Deals', subscribed: true },
      { id: 'events', name: 'Events', subscribed: false },
      { id: 'news', name: 'News', subscribed: true },
    ]);
    expect(await loadSubscriptionCenter(db(), 'nobody')).toBeNull();
  });

  it('knows which lists a message was sent for', async () => {
    const [outbox] = await db().query<{ id: number }>(`select id from outbox where journey_id = 'j-news' and contact_id = 'ann'`);
    expect(await listsTargetedByMessage(db(), outbox!.id)).toEqual(['news']);
    const [other] = await db().query<{ id: number }>(`select id from outbox where journey_id = 'j-all-marketing' and contact_id = 'ann'`);
    expect(await listsTargetedByMessage(db(), other!.id)).toEqual([]);
  });

  it('leaving a list exits the journeys that target it and cancels their queued email', async () => {
    const now = clock.now();
    const outcome = await db().transaction((tx) => applySubscriptionChange(tx, { contactId: 'ann', unsubscribe: ['news'], subscribe: ['events'], source: 'subscriptionCenter' }, now));
    expect(outcome).toEqual({ subscribed: ['events'], unsubscribed: ['news'], optedOut: false, exitedJourneys: 1 });
    expect(await row('j-news', 'ann')).toEqual({ status: 'exited', reason: 'unsubscribed' });
    expect(await row('j-deals', 'ann')).toEqual({ status: 'active', reason: null });
    const outbox = await db().query<{ journey_id: string; status: string; last_error: string | null }>(`select journey_id, status, last_error from outbox where contact_id = 'ann' order by journey_id`);
    expect(outbox.find((o) => o.journey_id === 'j-news')).toMatchObject({ status: 'failed', last_error: 'the contact unsubscribed' });
    expect(outbox.filter((o) => o.journey_id !== 'j-news').every((o) => o.status === 'pending')).toBe(true);
    const events = await db().query<{ type: string; properties: Record<string, unknown> }>(`select type, properties from events where contact_id = 'ann' order by id`);
    expect(events).toEqual([
      { type: 'unsubscribed', properties: { listId: 'news', source: 'subscriptionCenter', outboxId: null } },
      { type: 'subscribed', properties: { listId: 'events', source: 'subscriptionCenter', outboxId: null } },
    ]);
  });

  it('a global opt-out leaves every list, lowers consent and leaves journeys that need more', async () => {
    const outcome = await db().transaction((tx) => applySubscriptionChange(tx, { contactId: 'ann', optOut: true, subscribe: ['news'], source: 'oneClick', outboxId: 7 }, clock.now()));
    expect(outcome).toMatchObject({ subscribed: [], optedOut: true });
    expect(outcome!.unsubscribed.sort()).toEqual(['deals', 'events']);
    const [contact] = await db().query<{ consent: string }>(`select consent from contacts where id = 'ann'`);
    expect(contact!.consent).toBe('transactional');
    expect(await row('j-deals', 'ann')).toEqual({ status: 'exited', reason: 'unsubscribed' });
    expect(await row('j-all-marketing', 'ann')).toEqual({ status: 'exited', reason: 'unsubscribed' });
    expect(await row('j-all-transactional', 'ann')).toEqual({ status: 'active', reason: null });
    expect((await loadSubscriptionCenter(db(), 'ann'))!.optedOut).toBe(true);
    // Saying it again changes nothing and records nothing more.
    const before = await db().query(`select 1 from events where contact_id = 'ann'`);
    await db().transaction((tx) => applySubscriptionChange(tx, { contactId: 'ann', optOut: true, source: 'subscriptionCenter' }, clock.now()));
    expect(await db().query(`select 1 from events where contact_id = 'ann'`)).toHaveLength(before.length);
    // Asking for a list again is consent to receive it.
    await db().transaction((tx) => applySubscriptionChange(tx, { contactId: 'ann', subscribe: ['news'], source: 'subscriptionCenter' }, clock.now()));
    const [again] = await db().query<{ consent: string }>(`select consent from contacts where id = 'ann'`);
    expect(again!.consent).toBe('subscriptions');
  });

  it('leaves Bob alone throughout', async () => {
    for (const journey of ['j-news', 'j-all-marketing']) expect(await row(journey, 'bob')).toEqual({ status: 'active', reason: null });
  });
});
