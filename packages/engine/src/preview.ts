import { addDuration, ConsentLevel, simulatePath, type EventFact, type JourneyDefinition } from '@waymark/core';
import type { Queryable } from './db/database.ts';
import { eventTypesOf } from './stepper.ts';
import { loadContactFacts } from './queries/loadContactFacts.ts';
import { loadPreviewStanding } from './queries/loadPreviewStanding.ts';
import { loadSegments } from './queries/loadSegments.ts';

/** An event the person is expected to cause, `after` the preview's start. */
export interface ExpectedEvent {
  after: string;
  type: string;
  properties?: Record<string, unknown>;
  /** The journey's email tile an `email_opened`/`email_clicked` belongs to. */
  tileId?: string;
}

/** The journey as previewed: its id, its draft or live definition, and where its schedule is. */
export interface PreviewedJourney {
  id: string;
  status: 'draft' | 'live' | 'stopped' | 'ended' | 'failed';
  definition: JourneyDefinition;
  businessUnitId: string | null;
  currentIteration: number;
}

export interface PathPreview {
  /** completed, waiting (at the horizon), excluded (with reason), exited (with reason). */
  status: 'completed' | 'waiting' | 'excluded' | 'exited';
  reason?: string;
  /** The tile it waits on when the preview stops looking. */
  tileId?: string;
  /** When the preview started and stopped looking. */
  from: Date;
  until: Date;
  path: { tileId: string; at: Date; outcome: string }[];
  messages: { tileId: string; emailId: string; at: Date; blocked?: string }[];
  /** The contact's business unit, for the caller's visibility check. */
  contactBusinessUnitId: string | null;
}

/**
 * What would happen to one contact in a journey from `now`, given the events it is expected to
 * cause: its facts and standing are read once, then the core's `simulatePath` moves it with the
 * engine's own `step`. Reads only; null when there is no such contact.
 */
export async function previewPath(db: Queryable, journey: PreviewedJourney, contactId: string, events: readonly ExpectedEvent[], horizon: string | undefined, now: Date): Promise<PathPreview | null> {
  const def = journey.definition;
  const tiles = new Map(def.tiles.map((tile) => [tile.id, tile]));
  const iteration = Math.max(1, journey.currentIteration);
  const endAt = new Date(def.endAt);
  // Nothing moves before the journey starts: a draft starting next week is previewed from then.
  const startAt = new Date(def.startAt);
  const from = startAt > now ? startAt : now;
  const horizonEnd = horizon ? addDuration(from, horizon, def.timeZone) : endAt;
  const until = horizonEnd < endAt ? horizonEnd : endAt;
  // The horizon itself is still looked at; the journey's end is not: nothing moves at endAt.
  const lastMoment = horizonEnd < endAt ? horizonEnd : new Date(endAt.getTime() - 1);

  const standing = await loadPreviewStanding(db, journey, iteration, contactId, await loadSegments(db), now);
  if (!standing) return null;
  const answer = { from, until, path: [], messages: [], contactBusinessUnitId: standing.businessUnitId };
  const stopped = (status: PathPreview['status'], reason: string): PathPreview => ({ ...answer, status, reason });

  let start: { tileId: string; enteredAt: Date };
  if (standing.current) {
    const { status, tileId, reason, tileEnteredAt } = standing.current;
    // Each contact enters once an iteration: one already through cannot take the journey again.
    if (status !== 'active' || tileId === null) return stopped(status === 'excluded' ? 'excluded' : status === 'active' ? 'completed' : status, reason ?? 'alreadyEntered');
    start = { tileId, enteredAt: tileEnteredAt };
  } else {
    const entry = def.tiles[0];
    if (!entry) return stopped('excluded', 'noEntryTile');
    // Admission's own order: an erased address and a non-member never enter; then consent, then scope.
    if (standing.suppressed) return stopped('excluded', 'suppressed');
    if (!standing.inAudience) return stopped('excluded', 'notInAudience');
    if (ConsentLevel.options.indexOf(standing.consent) < ConsentLevel.options.indexOf(def.minimumConsent ?? 'none')) return stopped('excluded', 'consent');
    if (def.scope === 'businessUnit' && standing.businessUnitId !== journey.businessUnitId) return stopped('excluded', 'scope');
    start = { tileId: entry.id, enteredAt: from };
  }
  if (from >= endAt) return stopped('waiting', 'journeyEnded');

  const facts = (await loadContactFacts(db, [contactId], eventTypesOf({ tiles }))).get(contactId);
  if (!facts) return null;
  const expected = events.map((event): EventFact => ({
    type: event.type,
    occurredAt: addDuration(from, event.after, def.timeZone),
    properties: event.tileId ? { ...event.properties, journeyId: journey.id, tileId: event.tileId, iteration } : { ...event.properties },
  }));
  const simulated = simulatePath({
    journeyId: journey.id,
    iteration,
    timeZone: def.timeZone,
    tiles,
    contactId,
    tileId: start.tileId,
    enteredAt: start.enteredAt,
    from,
    until: lastMoment,
    facts,
    events: expected,
    splitterAssigned: standing.splitterCounts,
    accountTriggersFired: standing.accountTriggersFired,
    messagesBlocked: standing.messagesBlocked,
    alreadySent: new Set(standing.sentTiles),
  });
  const messages = simulated.effects.flatMap(({ tileId, at, effect, blocked }) =>
    effect.kind === 'email' ? [{ tileId, emailId: effect.emailId, at, ...(blocked ? { blocked } : {}) }] : [],
  );
  const stoppedBy = simulated.status === 'waiting' && until.getTime() === endAt.getTime() ? 'journeyEnded' : simulated.reason;
  return {
    ...answer,
    status: simulated.status,
    ...(stoppedBy ? { reason: stoppedBy } : {}),
    ...(simulated.tileId ? { tileId: simulated.tileId } : {}),
    path: simulated.path,
    messages,
  };
}
