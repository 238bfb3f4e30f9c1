import { DateTime } from 'luxon';
import { z } from 'zod';
import { Duration } from './duration.ts';
import type { Tile, TriggerRule, TriggerTile } from './schema.ts';
import { triggerTimeoutAt } from './step.ts';
import { schedulerReleaseAt } from './time.ts';

/**
 * Forecast: how many contacts each tile of a journey can expect over a horizon. The audience is
 * counted in SQL by the engine; from there expected counts flow through the tile graph, in time,
 * with the same timing functions the step uses (scheduler releases, trigger timeouts):
 * - a trigger sends the share its rules hold for (by the assumed rates) down the true path when the
 *   contact arrives, and the rest down the false path when the timeout passes;
 * - a condition sends the share of the audience that matches its query today (counted in SQL);
 * - a splitter sends each branch its share (count mode: its count, in arrival order).
 * Rules are taken as independent; an email's opens and clicks are shares of the messages sent.
 */

const Rate = z.number().min(0).max(1);

/** Assumed behaviour: shares (0..1) of recipients who open, click, convert; of contacts who cause each event type. */
export const ForecastRates = z
  .object({ opened: Rate.optional(), clicked: Rate.optional(), goal: Rate.optional(), events: z.record(z.string().min(1).max(100), Rate).optional() })
  .strict();
export type ForecastRates = z.infer<typeof ForecastRates>;

/** The body of `POST /journeys/{id}/forecast`. */
export const ForecastRequest = z.object({ horizon: Duration, rates: ForecastRates.optional(), byDay: z.boolean().optional() }).strict();
export type ForecastRequest = z.infer<typeof ForecastRequest>;

/** What the engine counted in SQL about the audience that would enter now. */
export interface AudienceCounts {
  /** Contacts that would be admitted. */
  contacts: number;
  /** Of those, the share matching each condition tile's query now, by tile id. */
  conditionShares: ReadonlyMap<string, number>;
  /** Of those, the share no email would reach at send time (suppression, hard bounce). */
  blockedShare: number;
}

export interface ForecastInput {
  journeyId: string;
  timeZone: string;
  tiles: readonly Tile[];
  /** When the audience enters (now, or the start of a journey that has not started). */
  from: Date;
  /** When the forecast stops counting (the horizon, or the journey's end if sooner). */
  until: Date;
  audience: AudienceCounts;
  rates: ForecastRates;
  byDay: boolean;
}

export interface TileForecast {
  entered: number;
  sent?: number;
}

export interface JourneyForecast {
  contacts: number;
  tiles: Record<string, TileForecast>;
  /** Per local day of the journey's time zone, the same counts for what happened that day. */
  days?: { date: string; tiles: Record<string, TileForecast> }[];
}

/** Expected contacts arriving together at one tile, with the email tiles they already passed. */
interface Flow {
  tileId: string;
  at: Date;
  contacts: number;
  sent: ReadonlySet<string>;
}

// A definition that loops (only a draft can) or branches without end is cut off here.
const MAX_FLOWS = 100_000;
// Smaller expected counts are not worth following further.
const NEGLIGIBLE = 1e-9;

export function forecastJourney(input: ForecastInput): JourneyForecast {
  const { tiles: tileList, audience, rates, timeZone } = input;
  const tiles = new Map(tileList.map((tile) => [tile.id, tile]));
  const totals: Record<string, TileForecast> = Object.fromEntries(tileList.map((tile) => [tile.id, tile.type === 'email' ? { entered: 0, sent: 0 } : { entered: 0 }]));
  const days = new Map<string, Record<string, TileForecast>>();
  const countAt = (tile: Tile, at: Date, contacts: number, sent: number | undefined) => {
    const total = totals[tile.id]!;
    total.entered += contacts;
    if (sent !== undefined) total.sent = (total.sent ?? 0) + sent;
    if (!input.byDay) return;
    const date = DateTime.fromJSDate(at, { zone: timeZone }).toISODate()!;
    const day = days.get(date) ?? {};
    days.set(date, day);
    const entry = (day[tile.id] ??= sent === undefined ? { entered: 0 } : { entered: 0, sent: 0 });
    entry.entered += contacts;
    if (sent !== undefined) entry.sent = (entry.sent ?? 0) + sent;
  };

  const countModeTaken = new Map<string, number[]>();
  const queue: Flow[] = [];
  const push = (tileId: string | null, at: Date, contacts: number, sent: ReadonlySet<string>) => {
    if (tileId === null || contacts <= NEGLIGIBLE || at > input.until) return;
    queue.push({ tileId, at, contacts, sent });
  };
  const entry = tileList[0];
  if (entry) push(entry.id, input.from, audience.contacts, new Set());

  for (let handled = 0; queue.length > 0 && handled < MAX_FLOWS; handled += 1) {
    // Earliest first, so count-mode splitters fill their branches in arrival order.
    let earliest = 0;
    for (let index = 1; index < queue.length; index += 1) if (queue[index]!.at < queue[earliest]!.at) earliest = index;
    const flow = queue.splice(earliest, 1)[0]!;
    const tile = tiles.get(flow.tileId);
    if (!tile) continue;
    const { at, contacts, sent } = flow;
    switch (tile.type) {
      case 'segmentGroup':
      case 'formSubmitted':
      case 'activity':
      case 'createLead':
      case 'launchWorkflow':
        countAt(tile, at, contacts, undefined);
        push(tile.next, at, contacts, sent);
        break;
      case 'email': {
        const delivered = tile.emailId ? contacts * (1 - audience.blockedShare) : 0;
        countAt(tile, at, contacts, delivered);
        push(tile.next, at, contacts, delivered > 0 ? new Set([...sent, tile.id]) : sent);
        break;
      }
      case 'scheduler':
        countAt(tile, at, contacts, undefined);
        push(tile.next, schedulerReleaseAt(tile, at, timeZone), contacts, sent);
        break;
      case 'trigger': {
        countAt(tile, at, contacts, undefined);
        const share = triggerShare(tile, sent, rates, audience.blockedShare);
        push(tile.onTrue, at, contacts * share, sent);
        push(tile.onFalse, triggerTimeoutAt(tile, at, timeZone), contacts * (1 - share), sent);
        break;
      }
      case 'condition': {
        countAt(tile, at, contacts, undefined);
        const share = audience.conditionShares.get(tile.id) ?? 0.5;
        push(tile.onTrue, at, contacts * share, sent);
        push(tile.onFalse, at, contacts * (1 - share), sent);
        break;
      }
      case 'splitter': {
        countAt(tile, at, contacts, undefined);
        const last = tile.branches.length - 1;
        if (tile.mode === 'percentage') {
          const shares = tile.branches.map((branch, index) => (index === last ? 0 : branch.share / 100));
          shares[last] = Math.max(0, 1 - shares.reduce((sum, share) => sum + share, 0));
          tile.branches.forEach((branch, index) => push(branch.next, at, contacts * shares[index]!, sent));
          break;
        }
        const taken = countModeTaken.get(tile.id) ?? tile.branches.map(() => 0);
        countModeTaken.set(tile.id, taken);
        let left = contacts;
        tile.branches.forEach((branch, index) => {
          const room = index === last ? left : Math.max(0, branch.share - taken[index]!);
          const here = Math.min(left, room);
          taken[index]! += here;
          left -= here;
          push(branch.next, at, here, sent);
        });
        break;
      }
    }
  }

  const forecast: JourneyForecast = { contacts: audience.contacts, tiles: roundAll(totals) };
  if (input.byDay) forecast.days = [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, dayTiles]) => ({ date, tiles: roundAll(dayTiles) }));
  return forecast;
}

/** The share of arrivals whose trigger rules hold, by the rates; an email rule needs its email to have come. */
export function triggerShare(tile: TriggerTile, sent: ReadonlySet<string>, rates: ForecastRates, blockedShare: number): number {
  if (tile.rules.length === 0) return 0;
  const shares = tile.rules.map((rule) => ruleShare(rule, sent, rates, blockedShare));
  return tile.match === 'all' ? shares.reduce((product, share) => product * share, 1) : 1 - shares.reduce((product, share) => product * (1 - share), 1);
}

function ruleShare(rule: TriggerRule, sent: ReadonlySet<string>, rates: ForecastRates, blockedShare: number): number {
  if ('tile' in rule) {
    // Opens and clicks are shares of the messages that reached the contacts, which suppression lessens.
    if (!sent.has(rule.tile)) return 0;
    const reached = 1 - blockedShare;
    if (rule.on === 'delivered') return reached;
    if (rule.on === 'bounced') return 0;
    return (rule.on === 'opened' ? (rates.opened ?? 0) : (rates.clicked ?? 0)) * reached;
  }
  if ('formId' in rule) return rates.events?.form_submitted ?? 0;
  if ('pageId' in rule) return rates.events?.page_visited ?? 0;
  return rates.events?.[rule.event] ?? 0;
}

function roundAll(counts: Record<string, TileForecast>): Record<string, TileForecast> {
  const round = (value: number) => Math.round(value * 100) / 100;
  return Object.fromEntries(Object.entries(counts).map(([id, count]) => [id, count.sent === undefined ? { entered: round(count.entered) } : { entered: round(count.entered), sent: round(count.sent) }]));
}
