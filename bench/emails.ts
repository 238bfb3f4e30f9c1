// Emails rendered and handed to a local SMTP server per second, through the outbox.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { JourneyDefinition } from '@waymark/core';
import { createSmtpSender, EmailRenderer, ManualClock, Worker } from '@waymark/engine';
import { benchDatabase, insertContacts, report } from './support.ts';

const count = Number(process.argv[2] ?? 5000);
const start = new Date('2026-03-02T14:00:00Z');
const { db, drop } = await benchDatabase('postgres');
await insertContacts(db, count);
await db.query(`insert into segments (id, name, kind, query) values ('all', 'Everyone', 'dynamic', '{"attribute": "score", "op": "gte", "value": 0}')`);
await db.query(`insert into content_settings (name, postal_address, is_default) values ('Default', '1 Main Street, Springfield', true)`);
await db.query(
  `insert into emails (id, name, subject, html, status) values ('e1', 'Newsletter', 'Hello {{ contact.firstName }}', $1, 'live')`,
  [
    `<html><body><h1>Hi {{ contact.firstName }}</h1><p>Our news from {{ contact.attributes.city }}.</p>
     <p><a href="https://example.com/a?x=1&amp;y=2">Read more</a> or <a href="https://example.com/b">see the offer</a>.</p>
     <p><a href="{{ content.subscriptionCenterUrl }}">Manage subscriptions</a> · {{ content.postalAddress }}</p></body></html>`,
  ],
);
const journey: JourneyDefinition = {
  name: 'Bench emails',
  target: 'contacts',
  scope: 'organization',
  startAt: start.toISOString(),
  endAt: new Date(start.getTime() + 30 * 86_400_000).toISOString(),
  timeZone: 'UTC',
  tiles: [
    { id: 'seg', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: 'all', mode: 'include' }], next: 'mail' },
    { id: 'mail', type: 'email', emailId: 'e1', next: null },
  ],
};
await db.query(`insert into journeys (name, status, definition) values ('Bench emails', 'live', $1)`, [JSON.stringify(journey)]);
const clock = await ManualClock.open(db, start);
const renderer = new EmailRenderer();
const email = { publicUrl: 'http://127.0.0.1:8080', secret: 'bench', defaultFrom: 'bench@example.com', renderer };
await new Worker({ db, clock, email: { ...email, smtp: null } }).drain();

const sink = spawn(process.execPath, ['--import', 'tsx', new URL('./smtpSink.ts', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
const [chunk] = (await once(sink.stdout, 'data')) as [Buffer];
const smtp = createSmtpSender(`smtp://127.0.0.1:${chunk.toString().trim()}`);
const started = performance.now();
const result = await new Worker({ db, clock, email: { ...email, smtp } }).drain();
const seconds = (performance.now() - started) / 1000;
smtp.close();
sink.kill('SIGTERM');
await once(sink, 'exit');
const [sent] = await db.query<{ n: number }>(`select count(*)::int as n from outbox where status = 'sent'`);
await drop();
report({ bench: 'emails', emails: count, sent: sent!.n, settled: result.sent, seconds, emailsPerSecond: Math.round(sent!.n / seconds) });
