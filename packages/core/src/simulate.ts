import { Duration as LuxonDuration } from 'luxon';
import { z } from 'zod';
import { Duration } from './duration.ts';
import type { ContactFacts, EventFact } from './facts.ts';
import { TileId, type Tile } from './schema.ts';
import { step, type Effect, type StepContext } from './step.ts';

/**
 * Path preview: one contact moved through a journey on virtual time, by the very `step` the engine
 * runs. The engine wakes a contact when its due time comes or, on a trigger, when an event for it
 * arrives; this loop jumps from one such moment to the next instead of waiting for them.
 */

export interface PathSimulation {
  journeyId: string;
  iteration: number;
  timeZone: string;
  tiles: ReadonlyMap<string, Tile>;
  contactId: string;
  /** Where the contact stands when the simulation starts, and since when. */
  tileId: string;
  enteredAt: Date;
  /** The virtual "now" the simulation starts at, and the moment it stops looking. */
  from: Date;
  until: Date;
  /** The contact as stored now; its `events` are the ones already recorded. */
  facts: ContactFacts;
  /** Events the caller expects in the future, in any order. */
  events: readonly EventFact[];
  /** Count-mode splitters: contacts each branch already holds, by tile id. */
  splitterAssigned?: ReadonlyMap<string, readonly number[]>;
  /** Account-based triggers another contact of the account already satisfied. */
  accountTriggersFired?: ReadonlySet<string>;
  /** Why no message from this journey would reach the contact (checked at send time), or null. */
  messagesBlocked?: string | null;
  /** Email tiles whose message already went to the contact before `from`. */
  alreadySent?: ReadonlySet<string>;
}

export interface SimulatedStep {
  tileId: string;
  at: Date;
  outcome: string;
}

export interface SimulatedEffect {
  tileId: string;
  at: Date;
  effect: Effect;
  /** Set when the effect would be stopped at send time (an email to a suppressed contact). */
  blocked?: string;
}

export interface SimulatedPath {
  /** completed: the path ended; waiting: still on `tileId` at `until`; exited: stopped on a missing tile or a loop. */
  status: 'completed' | 'waiting' | 'exited';
  tileId: string | null;
  reason?: string;
  path: SimulatedStep[];
  effects: SimulatedEffect[];
}

/** Tiles moved through before the loop gives up on a definition that goes round in circles. */
const MAX_STEPS = 10_000;

/**
 * An open or click names the journey's email tile it belongs to; nobody opens a message before it
 * arrives, so such an event counts only once that tile's message went out.
 */
function emailTileOf(event: EventFact, sim: PathSimulation): string | null {
  const tileId = event.properties.tileId;
  if (event.properties.journeyId !== sim.journeyId || typeof tileId !== 'string') return null;
  return sim.tiles.get(tileId)?.type === 'email' ? tileId : null;
}

export function simulatePath(sim: PathSimulation): SimulatedPath {
  const scripted = [...sim.events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const sentAt = new Map<string, number>([...(sim.alreadySent ?? [])].map((tileId) => [tileId, -Infinity]));
  const delivered: EventFact[] = [];
  const splitterAssigned = new Map([...(sim.splitterAssigned ?? [])].map(([tileId, counts]) => [tileId, [...counts]]));
  const path: SimulatedStep[] = [];
  const effects: SimulatedEffect[] = [];

  const eventsAt = (now: Date): EventFact[] => {
    const happened = scripted.filter((event) => {
      if (event.occurredAt > now) return false;
      const tileId = emailTileOf(event, sim);
      return tileId === null || (sentAt.get(tileId) ?? Infinity) <= event.occurredAt.getTime();
    });
    return [...sim.facts.events, ...delivered, ...happened];
  };

  let now = sim.from;
  let tileId: string | null = sim.tileId;
  let enteredAt = sim.enteredAt;
  while (tileId !== null) {
    const tile = sim.tiles.get(tileId);
    if (!tile) return { status: 'exited', tileId, reason: 'tileMissing', path, effects };
    if (path.length >= MAX_STEPS) return { status: 'exited', tileId, reason: 'tooManySteps', path, effects };
    const ctx: StepContext = { journeyId: sim.journeyId, iteration: sim.iteration, timeZone: sim.timeZone, now };
    const facts = { ...sim.facts, events: eventsAt(now) };
    const result = step(tile, { contactId: sim.contactId, enteredAt, facts, splitterAssigned: splitterAssigned.get(tile.id), accountTriggersFired: sim.accountTriggersFired }, ctx);
    if (result.kind === 'wait') {
      // Only a trigger wakes early, on the next event for the contact; anything else waits its time.
      const nextEvent = tile.type === 'trigger' ? scripted.find((event) => event.occurredAt > now) : undefined;
      const wakeAt = nextEvent && nextEvent.occurredAt < result.until ? nextEvent.occurredAt : result.until;
      if (wakeAt > sim.until) return { status: 'waiting', tileId, path, effects };
      now = wakeAt;
      continue;
    }
    if (result.branch !== undefined && tile.type === 'splitter' && tile.mode === 'count') {
      const counts = splitterAssigned.get(tile.id) ?? [];
      counts[result.branch] = (counts[result.branch] ?? 0) + 1;
      splitterAssigned.set(tile.id, counts);
    }
    path.push({ tileId: tile.id, at: now, outcome: result.outcome });
    for (const effect of result.effects) {
      const blocked = effect.kind === 'email' ? (sim.messagesBlocked ?? undefined) : undefined;
      effects.push(blocked ? { tileId: tile.id, at: now, effect, blocked } : { tileId: tile.id, at: now, effect });
      if (effect.kind !== 'email' || blocked) continue;
      // The engine records the delivery when the mail server accepts the message, at once here.
      sentAt.set(tile.id, now.getTime());
      delivered.push({ type: 'email_delivered', occurredAt: now, properties: { journeyId: sim.journeyId, tileId: tile.id, iteration: sim.iteration } });
    }
    tileId = result.next;
    enteredAt = now;
  }
  return { status: 'completed', tileId: null, path, effects };
}

/** A duration of zero or more (`PT0S` is "right away"), as event delays are. */
const Delay = z.string().max(64).refine((text) => {
  const parsed = LuxonDuration.fromISO(text);
  return parsed.isValid && parsed.toMillis() >= 0;
}, 'expected an ISO-8601 duration such as PT2H (PT0S for right away)');

/** The body of `POST /journeys/{id}/preview-path`. */
export const PathPreviewRequest = z
  .object({
    contactId: z.string().min(1).max(200),
    events: z
      .array(
        z
          .object({
            after: Delay,
            type: z.string().min(1).max(100),
            properties: z.record(z.string(), z.unknown()).optional(),
            tileId: TileId.optional(),
          })
          .strict(),
      )
      .max(200)
      .default([]),
    horizon: Duration.optional(),
  })
  .strict();
export type PathPreviewRequest = z.infer<typeof PathPreviewRequest>;
