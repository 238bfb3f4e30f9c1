import { needsFacts, ruleEventType, step, type ContactFacts, type Effect, type SegmentQuery, type StepContext, type Tile } from '@waymark/core';
import type { Database, Queryable } from './db/database.ts';
import { lockJourneyVersions, type RunnableJourney } from './journeys.ts';
import { accountHitKey, insertAccountTriggerHits, loadAccountTriggerHits, wakeAccountContacts, type AccountTriggerHit } from './queries/accountTriggerHits.ts';
import { claimDueSteps, type DueStep } from './queries/claimDueSteps.ts';
import { insertActivities, type ActivityEntry } from './queries/insertActivities.ts';
import { insertHistory, type HistoryEntry } from './queries/insertHistory.ts';
import { insertLeads, type LeadEntry } from './queries/insertLeads.ts';
import { insertOutbox, type OutboxEntry } from './queries/insertOutbox.ts';
import { loadContactFacts } from './queries/loadContactFacts.ts';
import { loadSplitterCounts } from './queries/loadSplitterCounts.ts';
import { saveStepResults, type StepWrite } from './queries/saveStepResults.ts';

// A contact moves through at most this many instant tiles in one pass; the schema forbids cycles,
// so this only bounds work per batch on very long pipelines.
const MAX_HOPS_PER_PASS = 200;

/** The effects of one batch, grouped by where they are written. */
interface BatchEffects {
  history: HistoryEntry[];
  accountHits: AccountTriggerHit[];
  outbox: OutboxEntry[];
  activities: ActivityEntry[];
  leads: LeadEntry[];
}

/**
 * Claims one batch of due contacts, moves each through as many tiles as it can go now (in memory,
 * with the pure step functions), and writes positions, history and effects back in one
 * transaction. Returns how many tile steps were taken, and how many due contacts it claimed: a batch
 * whose contacts all keep waiting (a trigger looked again) takes no step, yet more may be due.
 */
export async function runStepBatch(db: Database, journeys: ReadonlyMap<string, RunnableJourney>, now: Date, limit: number): Promise<{ steps: number; claimed: number }> {
  if (journeys.size === 0) return { steps: 0, claimed: 0 };
  const { steps, claimed, accountHits } = await db.transaction(async (tx) => {
    // Each journey stays at the version read here until this batch commits: a publish waits for it.
    const current = await lockJourneyVersions(tx, journeys);
    if (current.size === 0) return { steps: 0, claimed: 0, accountHits: [] };
    const due = await claimDueSteps(tx, now, [...current.keys()], limit);
    if (due.length === 0) return { steps: 0, claimed: 0, accountHits: [] };
    const splitterCounts = await loadSplitterCountsFor(tx, due, current);
    const effects: BatchEffects = { history: [], accountHits: [], outbox: [], activities: [], leads: [] };
    const writes: StepWrite[] = [];
    // First pass without contact data; only the contacts that reach a condition or trigger
    // have their facts loaded, in one query, and continue from there.
    const blocked: Position[] = [];
    for (const row of due) {
      const outcome = advance({ row, tileId: row.tile_id, enteredAt: row.tile_entered_at }, current.get(row.journey_id)!, now, undefined, splitterCounts, effects);
      if ('row' in outcome) blocked.push(outcome);
      else writes.push(outcome);
    }
    if (blocked.length > 0) {
      const rows = blocked.map((position) => position.row);
      const facts = await loadFactsFor(tx, rows, current);
      const accountHits = await loadAccountTriggerHits(tx, rows);
      for (const position of blocked) {
        const contact = { facts: facts.get(position.row.contact_id) ?? MISSING_CONTACT, accountHits };
        const outcome = advance(position, current.get(position.row.journey_id)!, now, contact, splitterCounts, effects);
        writes.push('row' in outcome ? exitedWrite(position, now, 'contactMissing') : outcome);
      }
    }
    await saveStepResults(tx, writes);
    await insertHistory(tx, effects.history);
    await insertOutbox(tx, effects.outbox, now);
    await insertActivities(tx, effects.activities, now);
    await insertLeads(tx, effects.leads, now);
    await insertAccountTriggerHits(tx, effects.accountHits, now);
    return { steps: effects.history.length, claimed: due.length, accountHits: effects.accountHits };
  });
  // After commit, holding no locks: waking rows another worker holds just waits for it, never
  // deadlocks. Should this process die first, those rows still see the hit when they fall due.
  await wakeAccountContacts(db, accountHits, now);
  return { steps, claimed };
}

/** A tile that could not be stepped, named so the operator's log says which journey and tile. */
export class StepError extends Error {
  constructor(
    readonly journeyId: string,
    readonly tileId: string,
    cause: unknown,
  ) {
    super(`journey ${journeyId}, tile ${tileId}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StepError';
  }
}

/** Where a contact stands while a batch moves it: its row, tile and arrival time there. */
interface Position {
  row: DueStep;
  tileId: string | null;
  enteredAt: Date;
}

/** Stands in for a contact erased while on a journey: it has no facts, so it stops. */
const MISSING_CONTACT = null;

/** What a second pass knows about a contact: its facts and its account's fired triggers. */
interface LoadedContact {
  facts: ContactFacts | typeof MISSING_CONTACT;
  accountHits: Map<string, Set<string>>;
}

function exitedWrite(position: Position, now: Date, reason: string): StepWrite {
  const { row } = position;
  return { journeyId: row.journey_id, iteration: row.iteration, contactId: row.contact_id, tileId: position.tileId, status: 'exited', reason, dueAt: null, tileEnteredAt: position.enteredAt, waitsForEvents: false, finishedAt: now };
}

/**
 * Moves one contact through as many tiles as it can go now. Without `facts` (undefined) it stops
 * at the first tile that needs them and returns its position, to be resumed once they are loaded.
 */
function advance(
  start: Position,
  journey: RunnableJourney,
  now: Date,
  contact: LoadedContact | undefined,
  splitterCounts: Map<string, number[]>,
  effects: BatchEffects,
): StepWrite | Position {
  const facts = contact === undefined ? undefined : contact.facts;
  const { row } = start;
  const ctx: StepContext = { journeyId: journey.id, iteration: row.iteration, timeZone: journey.definition.timeZone, now };
  const base = { journeyId: row.journey_id, iteration: row.iteration, contactId: row.contact_id };
  let tileId = start.tileId;
  let enteredAt = start.enteredAt;
  for (let hop = 0; hop < MAX_HOPS_PER_PASS && tileId !== null; hop += 1) {
    const tile = journey.tiles.get(tileId);
    if (!tile) return exitedWrite({ row, tileId, enteredAt }, now, 'tileMissing');
    if (needsFacts(tile) && facts === undefined) return { row, tileId, enteredAt };
    if (needsFacts(tile) && facts === MISSING_CONTACT) return exitedWrite({ row, tileId, enteredAt }, now, 'contactMissing');
    const countKey = `${journey.id}:${row.iteration}:${tile.id}`;
    const hitKey = row.account_id === null ? null : accountHitKey(journey.id, row.iteration, row.account_id);
    const accountTriggersFired = hitKey === null ? undefined : contact?.accountHits.get(hitKey);
    let result: ReturnType<typeof step>;
    try {
      result = step(tile, { contactId: row.contact_id, enteredAt, facts: facts ?? undefined, splitterAssigned: splitterCounts.get(countKey), accountTriggersFired }, ctx);
    } catch (error) {
      throw new StepError(journey.id, tile.id, error);
    }
    if (result.kind === 'wait') {
      return { ...base, tileId, status: 'active', reason: null, dueAt: result.until, tileEnteredAt: enteredAt, waitsForEvents: tile.type === 'trigger', finishedAt: null };
    }
    if (result.branch !== undefined && tile.type === 'splitter' && tile.mode === 'count') {
      const counts = splitterCounts.get(countKey) ?? [];
      counts[result.branch] = (counts[result.branch] ?? 0) + 1;
      splitterCounts.set(countKey, counts);
    }
    if (tile.type === 'trigger' && tile.basis === 'account' && result.outcome === 'true' && hitKey !== null && !accountTriggersFired?.has(tile.id)) {
      // The first of its account through: the rest of the account follows, in this batch too.
      effects.accountHits.push({ journeyId: journey.id, iteration: row.iteration, tileId: tile.id, accountId: row.account_id! });
      contact?.accountHits.set(hitKey, (contact.accountHits.get(hitKey) ?? new Set()).add(tile.id));
    }
    effects.history.push({ ...base, tileId: tile.id, at: now, outcome: result.outcome, branch: result.branch ?? null, journeyVersion: journey.version });
    for (const effect of result.effects) collectEffect(effect, tile, row, journey, effects);
    tileId = result.next;
    enteredAt = now;
  }
  if (tileId === null) return { ...base, tileId: null, status: 'completed', reason: null, dueAt: null, tileEnteredAt: now, waitsForEvents: false, finishedAt: now };
  // Still moving after the hop limit: come back in the next batch, right away.
  return { ...base, tileId, status: 'active', reason: null, dueAt: now, tileEnteredAt: enteredAt, waitsForEvents: false, finishedAt: null };
}

/**
 * The idempotency key names the effect's whole identity (journey, iteration, tile, contact or
 * account), so however often a step is retried, the effect exists once.
 */
function collectEffect(effect: Effect, tile: Tile, row: DueStep, journey: RunnableJourney, effects: BatchEffects): void {
  const perAccount = effect.kind !== 'email' && effect.perAccount && row.account_id !== null;
  const subject = perAccount ? `a:${row.account_id}` : `c:${row.contact_id}`;
  const key = `${journey.id}:${row.iteration}:${tile.id}:${subject}`;
  // The key never names the version: a contact moved by a new version to a tile it already passed
  // meets its own effect there and gets nothing twice.
  const common = { key, journeyId: journey.id, journeyVersion: journey.version, iteration: row.iteration, tileId: tile.id, contactId: perAccount ? null : row.contact_id, accountId: row.account_id };
  switch (effect.kind) {
    case 'email':
      effects.outbox.push({ ...common, contactId: row.contact_id, kind: 'email', targetId: effect.emailId });
      return;
    case 'workflow':
      effects.outbox.push({ ...common, kind: 'workflow', targetId: effect.workflowId });
      return;
    case 'activity':
      effects.activities.push({ ...common, activityType: effect.activityType, subject: effect.subject, dueAt: effect.dueAt, assignTo: effect.assignTo, journeyOwnerId: journey.ownerUserId });
      return;
    case 'lead':
      effects.leads.push({ ...common, topic: effect.topic });
      return;
  }
}

/** Event types a journey's triggers and conditions can ask about. */
export function eventTypesOf(journey: Pick<RunnableJourney, 'tiles'>): string[] {
  const types = new Set<string>();
  const fromQuery = (query: SegmentQuery): void => {
    if ('and' in query) query.and.forEach(fromQuery);
    else if ('or' in query) query.or.forEach(fromQuery);
    else if ('not' in query) fromQuery(query.not);
    else if ('event' in query) types.add(query.event);
  };
  for (const tile of journey.tiles.values()) {
    if (tile.type === 'condition') fromQuery(tile.query);
    if (tile.type !== 'trigger') continue;
    for (const rule of tile.rules) types.add(ruleEventType(rule));
  }
  return [...types];
}

async function loadFactsFor(tx: Queryable, rows: DueStep[], journeys: ReadonlyMap<string, RunnableJourney>): Promise<Map<string, ContactFacts>> {
  const contactIds = new Set(rows.map((row) => row.contact_id));
  const eventTypes = new Set([...new Set(rows.map((row) => row.journey_id))].flatMap((id) => eventTypesOf(journeys.get(id)!)));
  if (contactIds.size === 0) return new Map();
  return loadContactFacts(tx, [...contactIds], [...eventTypes]);
}

/** Count-mode splitters assign in arrival order, so their tallies are read under a lock. */
async function loadSplitterCountsFor(tx: Queryable, due: DueStep[], journeys: ReadonlyMap<string, RunnableJourney>): Promise<Map<string, number[]>> {
  const dueJourneys = new Set(due.map((row) => row.journey_id));
  const journeyIds = [...dueJourneys].filter((id) => [...journeys.get(id)!.tiles.values()].some((tile) => tile.type === 'splitter' && tile.mode === 'count'));
  if (journeyIds.length === 0) return new Map();
  return loadSplitterCounts(tx, journeyIds);
}
