/**
 * The preview tells the truth: for random small journeys (emails, waits, click and event triggers,
 * conditions, splitters, leads) and random scripts of what each contact does (clicks, purchases),
 * the path `preview-path` predicts before go-live is the path the real engine then takes on the
 * manual clock, tile for tile, outcome for outcome, to the minute; and where the preview says a
 * contact still waits at the horizon, the engine has it waiting on that tile.
 *
 * The engine is driven as the world would: the clock moves every half hour, a click is recorded
 * only once its email really went out (to a real SMTP server), a purchase comes in over the API.
 * Scripted events fall on half hours and every wait lasts whole hours, so no event coincides with
 * a timeout and the order of the two never decides a path.
 */
import type { Tile } from '@waymark/core';
import { recordEvents } from '@waymark/engine';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const HOUR = 3_600_000;
const HORIZON_HOURS = 12;
const CONTACTS_PER_RUN = 3;

/** A journey built from a list of choices, so fast-check can shrink a failing one to its core. */
function buildTiles(choices: number[], emailIds: string[], segmentId: string): Tile[] {
  let cursor = 0;
  const choose = (n: number) => choices[cursor++ % choices.length]! % n;
  const tiles: Tile[] = [];
  let counter = 0;
  const grow = (depth: number, upstreamEmails: string[]): string | null => {
    if (depth >= 4) return null;
    const kind = choose(8);
    if (kind === 0) return null;
    const id = `t${++counter}`;
    const name = `${id}`;
    switch (kind) {
      case 1:
      case 2: {
        const tile: Tile = { id, name, type: 'email', emailId: emailIds[choose(emailIds.length)]!, next: null };
        tiles.push(tile);
        tile.next = grow(depth + 1, [...upstreamEmails, id]);
        return id;
      }
      case 3: {
        const tile: Tile = { id, name, type: 'scheduler', wait: { for: `PT${1 + choose(3)}H` }, next: null };
        tiles.push(tile);
        tile.next = grow(depth + 1, upstreamEmails);
        return id;
      }
      case 4: {
        const onEmail = upstreamEmails.length > 0 && choose(2) === 0;
        const rule = onEmail ? { tile: upstreamEmails[choose(upstreamEmails.length)]!, on: 'clicked' as const } : { event: 'purchase' };
        const tile: Tile = { id, name, type: 'trigger', rules: [rule], match: 'any', basis: 'contact', timeout: `PT${1 + choose(4)}H`, onTrue: null, onFalse: null };
        tiles.push(tile);
        tile.onTrue = grow(depth + 1, upstreamEmails);
        tile.onFalse = grow(depth + 1, upstreamEmails);
        return id;
      }
      case 5: {
        const query = choose(2) === 0 ? { attribute: 'tier', op: 'eq' as const, value: 'gold' } : { event: 'purchase' };
        const tile: Tile = { id, name, type: 'condition', query, onTrue: null, onFalse: null };
        tiles.push(tile);
        tile.onTrue = grow(depth + 1, upstreamEmails);
        tile.onFalse = grow(depth + 1, upstreamEmails);
        return id;
      }
      case 6: {
        const tile: Tile = { id, name, type: 'splitter', mode: 'percentage', branches: [{ share: 50, next: null }, { share: 50, next: null }] };
        tiles.push(tile);
        tile.branches[0]!.next = grow(depth + 1, upstreamEmails);
        tile.branches[1]!.next = grow(depth + 1, upstreamEmails);
        return id;
      }
      default: {
        const tile: Tile = { id, name, type: 'createLead', perAccount: false, next: null };
        tiles.push(tile);
        tile.next = grow(depth + 1, upstreamEmails);
        return id;
      }
    }
  };
  const entry: Tile = { id: 'entry', name: 'Entry', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId, mode: 'include' }], next: null };
  tiles.push(entry);
  entry.next = grow(0, []);
  return tiles;
}

describe('path preview against the engine', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const emailIds: string[] = [];
  let run = 0;

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await server.api(method, path, body);
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const setClock = (at: Date) => api('POST', '/admin/clock', { set: at.toISOString() });

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-01-05T09:00:00Z' });
    await api('POST', '/content-settings', { name: 'Default', postalAddress: '1 Main Street', isDefault: true });
    for (const name of ['A', 'B']) {
      const email = await api('POST', '/emails', { name, subject: name, html: '<p><a href="https://example.com/x">x</a></p><p>{{ content.postalAddress }} <a href="{{ content.subscriptionCenterUrl }}">prefs</a></p>' });
      await api('POST', `/emails/${email.id}/publish`);
      emailIds.push(email.id);
    }
  }, 240_000);

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('predicts exactly the path the engine takes', { timeout: 1_200_000 }, async () => {
    // What one contact does: a click or a purchase at some half hour (`hour` and a half after go-live).
    const script = fc.array(fc.record({ hour: fc.nat({ max: HORIZON_HOURS - 1 }), kind: fc.constantFrom<'click' | 'purchase'>('click', 'purchase'), pick: fc.nat({ max: 5 }) }), { maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: 1000 }), { minLength: 30, maxLength: 30 }),
        fc.array(fc.boolean(), { minLength: CONTACTS_PER_RUN, maxLength: CONTACTS_PER_RUN }),
        fc.array(script, { minLength: CONTACTS_PER_RUN, maxLength: CONTACTS_PER_RUN }),
        async (choices, gold, scripts) => {
          run += 1;
          // Each run on fresh contacts and a fresh journey, a day after the last one started.
          const start = new Date(Date.parse('2026-01-05T09:00:00Z') + run * 24 * HOUR);
          await setClock(start);
          const contactIds: string[] = [];
          for (let index = 0; index < CONTACTS_PER_RUN; index += 1) {
            const contact = await api('POST', '/contacts', { email: `run${run}-${index}@example.com`, consent: 'marketing', attributes: { tier: gold[index] ? 'gold' : 'silver' } });
            contactIds.push(contact.id);
          }
          const segment = await api('POST', '/segments', { name: `Run ${run}`, kind: 'static' });
          await api('POST', `/segments/${segment.id}/members`, { add: contactIds });
          const tiles = buildTiles(choices, emailIds, segment.id);
          const emailTiles = tiles.filter((tile) => tile.type === 'email').map((tile) => tile.id);
          const journey = await api('POST', '/journeys', {
            name: `Run ${run}`,
            startAt: new Date(start.getTime() - HOUR).toISOString(),
            endAt: new Date(start.getTime() + 30 * 24 * HOUR).toISOString(),
            timeZone: 'UTC',
            tiles,
          });
          // A click needs an email tile to be on; without one, the scripted click is a purchase.
          const events = scripts.map((list) =>
            list.map((event) => ({ ...event, kind: event.kind === 'click' && emailTiles.length === 0 ? ('purchase' as const) : event.kind, tileId: emailTiles[event.pick % Math.max(1, emailTiles.length)] })),
          );

          const predicted = [];
          for (const [index, contactId] of contactIds.entries()) {
            predicted.push(
              await api('POST', `/journeys/${journey.id}/preview-path`, {
                contactId,
                horizon: `PT${HORIZON_HOURS}H`,
                events: events[index]!.map((event) =>
                  event.kind === 'click'
                    ? { after: `PT${event.hour}H30M`, type: 'email_clicked', tileId: event.tileId, properties: { url: 'https://example.com/x' } }
                    : { after: `PT${event.hour}H30M`, type: 'purchase' },
                ),
              }),
            );
          }

          await api('POST', `/journeys/${journey.id}/go-live`);
          await server.drain();
          for (let half = 1; half <= HORIZON_HOURS * 2; half += 1) {
            const now = new Date(start.getTime() + (half * HOUR) / 2);
            await setClock(now);
            if (half % 2 === 1) {
              const hour = (half - 1) / 2;
              for (const [index, contactId] of contactIds.entries()) {
                for (const event of events[index]!.filter((candidate) => candidate.hour === hour)) {
                  if (event.kind === 'purchase') {
                    await api('POST', '/events', { contactId, type: 'purchase', occurredAt: now.toISOString() });
                    continue;
                  }
                  // Nobody clicks an email that never reached them.
                  const [sent] = await server.database.db.query(`select 1 from outbox where journey_id = $1 and tile_id = $2 and contact_id = $3 and status = 'sent'`, [journey.id, event.tileId, contactId]);
                  if (!sent) continue;
                  await recordEvents(server.database.db, [{ contactId, type: 'email_clicked', occurredAt: now, properties: { journeyId: journey.id, tileId: event.tileId, iteration: 1, url: 'https://example.com/x' } }], now);
                }
              }
            }
            await server.drain();
          }

          for (const [index, contactId] of contactIds.entries()) {
            const actual = await api('GET', `/journeys/${journey.id}/contacts/${contactId}`);
            const preview = predicted[index];
            const label = `run ${run}, contact ${index}: ${JSON.stringify({ tiles, script: events[index] })}`;
            expect(actual.history.map((step: { tileId: string; outcome: string; at: string }) => `${step.tileId}:${step.outcome}@${new Date(step.at).toISOString()}`), label).toEqual(
              preview.path.map((step: { tileId: string; outcome: string; at: string }) => `${step.tileId}:${step.outcome}@${step.at}`),
            );
            if (preview.status === 'waiting') expect({ status: actual.status, tileId: actual.tileId }, label).toEqual({ status: 'active', tileId: preview.tileId });
            else expect(actual.status, label).toBe(preview.status);
          }
        },
      ),
      { numRuns: Number(process.env.PREVIEW_PROPERTY_RUNS ?? 12), endOnFailure: process.env.PREVIEW_PROPERTY_SHRINK !== '1' },
    );
  });
});
