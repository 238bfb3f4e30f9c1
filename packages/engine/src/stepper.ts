import { needsFacts, step, type ContactFacts, type Effect, type SegmentQuery, type StepContext, type Tile } from '@waymark/core';
import type { Database, Queryable } from './db/database.ts';
import type { RunnableJourney } from './journeys.ts';
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
  outbox: OutboxEntry[];
  activities: ActivityEntry[];
  leads: LeadEntry[];
}

/**
 * Claims one batch of due contacts, moves each through as many tiles as it can go now (in memory,
 * with the pure step functions), and writes positions, history and effects back in one
 * transaction. Returns how many tile steps were taken.
 */
export async function runStepBatch(db: Database, journeys: ReadonlyMap<string, RunnableJourney>, now: Date, limit: number): Promise<number> {
  if (journeys.size === 0) return 0;
  return db.transaction(async (tx) => {
    const due = await claimDueSteps(tx, now, [...journeys.keys()], limit);
    if (due.length === 0) return 0;
    const facts = await loadFactsFor(tx, due, journeys);
    const splitterCounts = await loadSplitterCountsFor(tx, due, journeys);
    const effects: BatchEffects = { history: [], outbox: [], activities: [], leads: [] };
    const writes: StepWrite[] = [];
    for (const row of due) {
      writes.push(advance(row, journeys.get(row.journey_id)!, now, facts.get(row.contact_id), splitterCounts, effects));
    }
    await saveStepResults(tx, writes);
    await insertHistory(tx, effects.history);
    await insertOutbox(tx, effects.outbox, now);
    await insertActivities(tx, effects.activities, now);
    await insertLeads(tx, effects.leads, now);
    return effects.history.length;
  });
}

function advance(
  row: DueStep,
  journey: RunnableJourney,
  now: Date,
  facts: ContactFacts | undefined,
  splitterCounts: Map<string, number[]>,
  effects: BatchEffects,
): StepWrite {
  const ctx: StepContext = { journeyId: journey.id, iteration: row.iteration, timeZone: journey.definition.timeZone, now };
  const base = { journeyId: row.journey_id, iteration: row.iteration, contactId: row.contact_id };
  let tileId: string | null = row.tile_id;
  let enteredAt = row.tile_entered_at;
  for (let hop = 0; hop < MAX_HOPS_PER_PASS && tileId !== null; hop += 1) {
    const tile = journey.tiles.get(tileId);
    if (!tile) return { ...base, tileId, status: 'exited', reason: 'tileMissing', dueAt: null, tileEnteredAt: enteredAt, waitsForEvents: false, finishedAt: now };
    const countKey = `${journey.id}:${row.iteration}:${tile.id}`;
    const result = step(tile, { contactId: row.contact_id, enteredAt, facts, splitterAssigned: splitterCounts.get(countKey) }, ctx);
    if (result.kind === 'wait') {
      return { ...base, tileId, status: 'active', reason: null, dueAt: result.until, tileEnteredAt: enteredAt, waitsForEvents: tile.type === 'trigger', finishedAt: null };
    }
    if (result.branch !== undefined && tile.type === 'splitter' && tile.mode === 'count') {
      const counts = splitterCounts.get(countKey) ?? [];
      counts[result.branch] = (counts[result.branch] ?? 0) + 1;
      splitterCounts.set(countKey, counts);
    }
    effects.history.push({ ...base, tileId: tile.id, at: now, outcome: result.outcome, branch: result.branch ?? null });
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
  const common = { key, journeyId: journey.id, iteration: row.iteration, tileId: tile.id, contactId: perAccount ? null : row.contact_id, accountId: row.account_id };
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
export function eventTypesOf(journey: RunnableJourney): string[] {
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
    for (const rule of tile.rules) {
      if ('tile' in rule) types.add(`email_${rule.on}`);
      else if ('formId' in rule) types.add('form_submitted');
      else types.add(rule.event);
    }
  }
  return [...types];
}

async function loadFactsFor(tx: Queryable, due: DueStep[], journeys: ReadonlyMap<string, RunnableJourney>): Promise<Map<string, ContactFacts>> {
  const contactIds = new Set<string>();
  const eventTypes = new Set<string>();
  for (const row of due) {
    const journey = journeys.get(row.journey_id)!;
    if (![...journey.tiles.values()].some(needsFacts)) continue;
    contactIds.add(row.contact_id);
    for (const type of eventTypesOf(journey)) eventTypes.add(type);
  }
  if (contactIds.size === 0) return new Map();
  return loadContactFacts(tx, [...contactIds], [...eventTypes]);
}

/** Count-mode splitters assign in arrival order, so their tallies are read under a lock. */
async function loadSplitterCountsFor(tx: Queryable, due: DueStep[], journeys: ReadonlyMap<string, RunnableJourney>): Promise<Map<string, number[]>> {
  const journeyIds = [...new Set(due.map((row) => row.journey_id))].filter((id) =>
    [...journeys.get(id)!.tiles.values()].some((tile) => tile.type === 'splitter' && tile.mode === 'count'),
  );
  if (journeyIds.length === 0) return new Map();
  return loadSplitterCounts(tx, journeyIds);
}
