// The demo workspace seeded on first start, so a person who just ran `npm start` finds a live
// journey with real-looking contacts instead of an empty screen.
import { randomUUID } from 'node:crypto';
import { JourneyDefinition, SegmentQuery, type ConsentLevel } from '@waymark/core';
import { insertJourney, insertMilestone, setJourneyStatus, type Database, type Queryable } from '@waymark/engine';

export interface DemoWorkspace {
  businessUnitId: string;
  adminUserId: string;
  contentSettingsId: string;
  accountIds: string[];
  contactCount: number;
  newsletterListId: string;
  segmentIds: { newYorkNewsletter: string; boston: string; highScore: string };
  emailIds: { whitePaper: string; reminder: string };
  journeyId: string;
}

export const DEMO_CONTACT_COUNT = 300;
export const WHITE_PAPER_URL = 'https://example.com/white-paper.pdf';
const DAY_MS = 86_400_000;
// Any constant; it only keeps two processes starting on one empty database from both seeding.
const SEED_LOCK = 7_294_616;

const FIRST_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Elijah', 'Sophia', 'James', 'Isabella', 'William',
  'Mia', 'Benjamin', 'Charlotte', 'Lucas', 'Amelia', 'Henry', 'Harper', 'Alexander', 'Evelyn', 'Daniel',
  'Abigail', 'Michael', 'Emily', 'Mateo', 'Ella', 'Sebastian', 'Camila', 'Jack', 'Luna', 'Owen',
  'Sofia', 'Samuel', 'Aria', 'David', 'Scarlett', 'Joseph', 'Priya', 'Wei', 'Fatima', 'Diego',
];
const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Nguyen', 'Patel', 'Chen', 'Kim',
];
/** City, its time zone, and how common it is among the contacts. */
const CITIES: Array<[city: string, timeZone: string, weight: number]> = [
  ['New York', 'America/New_York', 30],
  ['Boston', 'America/New_York', 15],
  ['Chicago', 'America/Chicago', 15],
  ['San Francisco', 'America/Los_Angeles', 10],
  ['Seattle', 'America/Los_Angeles', 10],
  ['Austin', 'America/Chicago', 8],
  ['Denver', 'America/Denver', 7],
  ['Miami', 'America/New_York', 5],
];
const ACCOUNTS: Array<[name: string, industry: string, employees: number]> = [
  ['Contoso Ltd', 'Manufacturing', 1200],
  ['Fabrikam Inc', 'Software', 450],
  ['Northwind Traders', 'Retail', 300],
  ['Adventure Works', 'Outdoor equipment', 800],
  ['Tailspin Toys', 'Consumer goods', 150],
  ['Wide World Importers', 'Logistics', 2300],
  ['Litware Inc', 'Software', 90],
  ['Proseware Inc', 'Professional services', 60],
  ['Woodgrove Bank', 'Financial services', 5400],
  ['Alpine Ski House', 'Hospitality', 40],
];
/** Consent of contacts who did not subscribe to the newsletter; subscribers gave marketing consent. */
const OTHER_CONSENT: Array<[ConsentLevel, number]> = [
  ['marketing', 70],
  ['subscriptions', 10],
  ['transactional', 10],
  ['consentGiven', 5],
  ['none', 5],
];

/** A small seeded generator (mulberry32): the demo is the same on every machine. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function weighted<T>(rand: () => number, choices: Array<[T, number]>): T {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = rand() * total;
  for (const [value, weight] of choices) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return choices[choices.length - 1]![0];
}

const footer = `
<hr style="border:none;border-top:1px solid #e5e7eb;margin:32px 0 16px">
<p style="font-size:12px;color:#6b7280">
  You receive this because you subscribed to the Waymark Demo newsletter.
  <a href="{{ content.subscriptionCenterUrl }}">Manage your subscriptions</a><br>
  {{ content.postalAddress }}
</p>`;

const WHITE_PAPER_EMAIL = {
  name: 'White paper',
  subject: '{{ contact.firstName | default: "Hello" }}, your copy of "Journeys that convert"',
  html: `<!doctype html>
<html><body style="font-family:Arial,Helvetica,sans-serif;color:#1f2937;line-height:1.5">
<p>Hi {{ contact.firstName | default: "there" }},</p>
<p>Our new white paper, <strong>Journeys that convert</strong>, shows how marketing teams turn a
newsletter into conversations with sales: which moments matter, how long to wait, and when a
person should pick up the phone.</p>
<p><a href="${WHITE_PAPER_URL}" style="display:inline-block;padding:10px 18px;background:#2563eb;color:#fff;text-decoration:none;border-radius:4px">Download the white paper (PDF)</a></p>
<p>Enjoy the read,<br>The Waymark Demo team</p>
${footer}
</body></html>`,
  text: `Hi {{ contact.firstName | default: "there" }},

Our new white paper, "Journeys that convert", shows how marketing teams turn a newsletter into
conversations with sales.

Download it: ${WHITE_PAPER_URL}

The Waymark Demo team

Manage your subscriptions: {{ content.subscriptionCenterUrl }}
{{ content.postalAddress }}`,
};

const REMINDER_EMAIL = {
  name: 'White paper reminder',
  subject: 'Still curious, {{ contact.firstName | default: "friend" }}? "Journeys that convert" is waiting',
  html: `<!doctype html>
<html><body style="font-family:Arial,Helvetica,sans-serif;color:#1f2937;line-height:1.5">
<p>Hi {{ contact.firstName | default: "there" }},</p>
<p>Last week we sent you our white paper <strong>Journeys that convert</strong>. If you missed it,
here it is again: twelve pages, ten minutes, and three checklists you can use tomorrow.</p>
<p><a href="${WHITE_PAPER_URL}">Download the white paper (PDF)</a></p>
<p>The Waymark Demo team</p>
${footer}
</body></html>`,
  text: `Hi {{ contact.firstName | default: "there" }},

Last week we sent you our white paper "Journeys that convert". Here it is again:
${WHITE_PAPER_URL}

The Waymark Demo team

Manage your subscriptions: {{ content.subscriptionCenterUrl }}
{{ content.postalAddress }}`,
};

interface DemoContacts {
  email: string[];
  firstName: string[];
  lastName: string[];
  accountId: Array<string | null>;
  consent: string[];
  timeZone: string[];
  attributes: string[];
  createdAt: string[];
}

function demoContacts(accountIds: string[], now: Date): DemoContacts {
  const rand = random(20_260_105);
  const out: DemoContacts = { email: [], firstName: [], lastName: [], accountId: [], consent: [], timeZone: [], attributes: [], createdAt: [] };
  const taken = new Set<string>();
  for (let i = 0; i < DEMO_CONTACT_COUNT; i += 1) {
    const first = FIRST_NAMES[Math.floor(rand() * FIRST_NAMES.length)]!;
    const last = LAST_NAMES[Math.floor(rand() * LAST_NAMES.length)]!;
    const base = `${first}.${last}`.toLowerCase();
    let email = `${base}@example.com`;
    for (let n = 2; taken.has(email); n += 1) email = `${base}${n}@example.com`;
    taken.add(email);
    const [city, timeZone] = weighted(rand, CITIES.map(([name, zone, weight]) => [[name, zone] as const, weight]));
    const newsletter = rand() < 0.5;
    const consent: ConsentLevel = newsletter ? (rand() < 0.15 ? 'profiling' : 'marketing') : weighted(rand, OTHER_CONSENT);
    const accountRoll = rand();
    out.email.push(email);
    out.firstName.push(first);
    out.lastName.push(last);
    // About four in ten work at one of the demo accounts.
    out.accountId.push(accountRoll < 0.4 ? accountIds[Math.floor((accountRoll / 0.4) * accountIds.length)]! : null);
    out.consent.push(consent);
    out.timeZone.push(timeZone);
    out.attributes.push(JSON.stringify({ city, newsletter, score: Math.floor(rand() * 101) }));
    out.createdAt.push(new Date(now.getTime() - Math.floor(rand() * 365 * DAY_MS)).toISOString());
  }
  return out;
}

/**
 * Inserts the demo workspace in one transaction with a handful of set-based statements: a
 * business unit and its admin, default content settings, accounts, 300 contacts, the Newsletter
 * list, segments, two published emails and the live "White paper" newsletter journey.
 */
export async function seedDemo(db: Database, now: Date): Promise<DemoWorkspace> {
  return db.transaction((tx) => insertDemo(tx, now));
}

/**
 * Seeds the demo only into an empty workspace (no journeys and no contacts); returns null when
 * there was something already. Safe when several processes start on one database at once.
 */
export async function seedDemoIfEmpty(db: Database, now: Date): Promise<DemoWorkspace | null> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [SEED_LOCK]);
    const [row] = await tx.query<{ used: boolean }>('select exists (select 1 from journeys) or exists (select 1 from contacts) as used');
    return row?.used ? null : insertDemo(tx, now);
  });
}

async function insertDemo(tx: Queryable, now: Date): Promise<DemoWorkspace> {
  const one = async <Row>(sql: string, params: unknown[]): Promise<Row> => (await tx.query<Row>(sql, params))[0]!;

  const { id: businessUnitId } = await one<{ id: string }>(`insert into business_units (name, created_at) values ('Headquarters', $1) returning id`, [now]);
  const { id: adminUserId } = await one<{ id: string }>(
    `insert into users (name, email, business_unit_id, role, level, created_at)
     values ('Demo Admin', 'demo.admin@waymark.local', $1, 'admin', 'organization', $2) returning id`,
    [businessUnitId, now],
  );
  const { id: contentSettingsId } = await one<{ id: string }>(
    `insert into content_settings (name, postal_address, social_links, is_default, created_at)
     select 'Waymark Demo', $1, $2::jsonb, not exists (select 1 from content_settings where is_default), $3
     returning id`,
    [
      'Waymark Demo Inc., 350 Fifth Avenue, New York, NY 10118, USA',
      JSON.stringify({ LinkedIn: 'https://www.linkedin.com/company/example', X: 'https://x.com/example', YouTube: 'https://www.youtube.com/@example' }),
      now,
    ],
  );

  await tx.query(
    `insert into attributes (entity, name, type)
     select * from unnest($1::text[], $2::text[], $3::text[]) on conflict do nothing`,
    [
      ['contact', 'contact', 'contact', 'account', 'account'],
      ['city', 'newsletter', 'score', 'industry', 'employees'],
      ['string', 'boolean', 'number', 'string', 'number'],
    ],
  );

  // Ids chosen here so contacts can name their account without a round trip per row.
  const accountIds = ACCOUNTS.map(() => randomUUID());
  await tx.query(
    `insert into accounts (id, name, business_unit_id, owner_user_id, attributes, created_at, updated_at)
     select id, name, $4, $5, jsonb_build_object('industry', industry, 'employees', employees), $6, $6
       from unnest($1::text[], $2::text[], $3::text[], $7::int[]) as t(id, name, industry, employees)`,
    [accountIds, ACCOUNTS.map(([name]) => name), ACCOUNTS.map(([, industry]) => industry), businessUnitId, adminUserId, now, ACCOUNTS.map(([, , employees]) => employees)],
  );

  const { id: newsletterListId } = await one<{ id: string }>(`insert into subscription_lists (name, created_at) values ('Newsletter', $1) returning id`, [now]);

  const contacts = demoContacts(accountIds, now);
  const { n: contactCount } = await one<{ n: number }>(
    `with inserted as (
       insert into contacts (email, first_name, last_name, account_id, business_unit_id, owner_user_id, consent, time_zone, attributes, created_at, updated_at)
       select email, first_name, last_name, account_id, $9, $10, consent, time_zone, attributes::jsonb, created_at, created_at
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
              as t(email, first_name, last_name, account_id, consent, time_zone, attributes, created_at)
       on conflict do nothing
       returning id, attributes, created_at),
     subscribed as (
       insert into list_members (list_id, contact_id, added_at)
       select $11, id, created_at from inserted where (attributes ->> 'newsletter')::boolean
       returning 1)
     select (select count(*) from inserted)::int as n`,
    [
      contacts.email,
      contacts.firstName,
      contacts.lastName,
      contacts.accountId,
      contacts.consent,
      contacts.timeZone,
      contacts.attributes,
      contacts.createdAt,
      businessUnitId,
      adminUserId,
      newsletterListId,
    ],
  );

  // Ids chosen here, as for accounts: RETURNING does not promise the order of the rows it reports.
  const segmentIds = { newYorkNewsletter: randomUUID(), boston: randomUUID(), highScore: randomUUID() };
  const segments: Array<[id: string, name: string, query: SegmentQuery]> = [
    [segmentIds.newYorkNewsletter, 'New York newsletter subscribers', { and: [{ attribute: 'city', op: 'eq', value: 'New York' }, { subscribedTo: newsletterListId }] }],
    [segmentIds.boston, 'Boston contacts', { attribute: 'city', op: 'eq', value: 'Boston' }],
    [segmentIds.highScore, 'High-score contacts', { attribute: 'score', op: 'gte', value: 80 }],
  ];
  await tx.query(
    `insert into segments (id, name, kind, query, business_unit_id, created_at, updated_at)
     select id, name, 'dynamic', query::jsonb, $4, $5, $5 from unnest($1::text[], $2::text[], $3::text[]) as t(id, name, query)`,
    [segments.map(([id]) => id), segments.map(([, name]) => name), segments.map(([, , query]) => JSON.stringify(SegmentQuery.parse(query))), businessUnitId, now],
  );

  const emailIds = { whitePaper: randomUUID(), reminder: randomUUID() };
  const emails = [
    { id: emailIds.whitePaper, ...WHITE_PAPER_EMAIL },
    { id: emailIds.reminder, ...REMINDER_EMAIL },
  ];
  await tx.query(
    `insert into emails (id, name, subject, html, text, from_name, from_address, status, created_at, updated_at)
     select id, name, subject, html, text, 'Waymark Demo', 'newsletter@example.com', 'live', $6, $6
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) as t(id, name, subject, html, text)`,
    [emails.map((e) => e.id), emails.map((e) => e.name), emails.map((e) => e.subject), emails.map((e) => e.html), emails.map((e) => e.text), now],
  );

  const definition = JourneyDefinition.parse({
    name: 'White paper newsletter',
    description: 'New York newsletter subscribers get the white paper. Whoever downloads it within a week becomes a lead and gets a call; the others get a reminder.',
    target: 'contacts',
    minimumConsent: 'marketing',
    scope: 'organization',
    startAt: now.toISOString(),
    endAt: new Date(now.getTime() + 90 * DAY_MS).toISOString(),
    timeZone: 'America/New_York',
    contentSettingsId,
    tiles: [
      {
        id: 'audience',
        type: 'segmentGroup',
        name: 'New York newsletter subscribers',
        combine: 'union',
        segments: [{ source: 'segment', segmentId: segmentIds.newYorkNewsletter, mode: 'include' }],
        next: 'white-paper',
      },
      { id: 'white-paper', type: 'email', name: 'White paper', emailId: emailIds.whitePaper, next: 'downloaded' },
      {
        id: 'downloaded',
        type: 'trigger',
        name: 'Downloaded the white paper?',
        // Only the download counts: a click on "Manage your subscriptions" is not interest.
        rules: [{ tile: 'white-paper', on: 'clicked', link: WHITE_PAPER_URL }],
        match: 'any',
        timeout: 'P7D',
        onTrue: 'lead',
        onFalse: 'reminder',
      },
      { id: 'lead', type: 'createLead', name: 'White paper lead', topic: 'White paper', next: 'call' },
      { id: 'call', type: 'activity', name: 'Call about the white paper', activityType: 'phoneCall', subject: 'Call about the white paper', assignTo: 'journeyOwner', dueIn: 'P2D', next: null },
      { id: 'reminder', type: 'email', name: 'White paper reminder', emailId: emailIds.reminder, next: null },
    ],
  });
  const journey = await insertJourney(tx, definition, { userId: adminUserId, businessUnitId }, now);
  await setJourneyStatus(tx, journey.id, 'live', now);
  await insertMilestone(tx, journey.id, 'wentLive', now, undefined, adminUserId);

  return {
    businessUnitId,
    adminUserId,
    contentSettingsId,
    accountIds,
    contactCount,
    newsletterListId,
    segmentIds,
    emailIds,
    journeyId: journey.id,
  };
}
