import { checkDraftChanges, checkJourney, diffTiles, JourneyDefinition, type CheckError, type TileMoves } from '@waymark/core';
import type { Queryable } from './db/database.ts';
import { lockJourneyForPublish } from './journeys.ts';
import { carryContactsOver } from './queries/carryContactsOver.ts';
import { insertMilestone } from './queries/insertMilestone.ts';
import { contactsWaitingAt, insertJourneyVersion, type StoredChanges } from './store/journeyVersions.ts';
import { loadReferences } from './store/references.ts';

/** What a draft changes from the live version; `waiting` counts the contacts at a removed tile now. */
export type DraftChanges = StoredChanges;

export interface DraftReview {
  errors: CheckError[];
  changes: DraftChanges;
}

/**
 * Check-for-errors on the next version of a live journey: the draft's own errors, plus what stops
 * the contacts under way from being carried over (see `checkDraftChanges`), with the changes.
 * Records of business units other than `unit` (null: every unit) count as unknown, as they do for
 * check-for-errors.
 */
export async function reviewDraft(db: Queryable, journeyId: string, live: JourneyDefinition, draft: JourneyDefinition, moves: TileMoves | undefined, unit: string | null): Promise<DraftReview> {
  const changes = diffTiles(live.tiles, draft.tiles);
  const waiting = await contactsWaitingAt(db, journeyId, changes.removed);
  const errors = [...checkJourney(draft, await loadReferences(db, draft, unit)), ...checkDraftChanges(live, draft, waiting, moves)];
  const removed = changes.removed.map((tileId) => ({ tileId, waiting: waiting.get(tileId) ?? 0 }));
  return { errors, changes: { added: changes.added, removed, changed: changes.changed } };
}

export type PublishOutcome =
  | { kind: 'published'; version: number; changes: DraftChanges }
  | { kind: 'noDraft' }
  | { kind: 'notRunning'; status: string }
  | { kind: 'invalid'; errors: CheckError[]; changes?: DraftChanges };

/**
 * Publishes a journey's draft as its next version, in the caller's transaction. It first takes the
 * journey's version lock, so it waits for step and admission batches under way (they hold it
 * shared) and batches that start later read the new version; a second publish waits, then finds
 * no draft. The contacts under way are carried over in the same transaction, set-based.
 */
export async function publishJourneyDraft(tx: Queryable, journeyId: string, moves: TileMoves, user: { userId: string | null; unit: string | null }, now: Date): Promise<PublishOutcome> {
  const { userId } = user;
  await lockJourneyForPublish(tx, journeyId);
  // A statement after the lock: it sees a publish that committed while this one waited.
  const [row] = await tx.query<{ status: string; version: number | null; definition: JourneyDefinition; draft: unknown; current_iteration: number }>(
    'select status, version, definition, draft, current_iteration from journeys where id = $1 for update',
    [journeyId],
  );
  if (!row || row.draft === null) return { kind: 'noDraft' };
  if (row.status !== 'live' && row.status !== 'stopped') return { kind: 'notRunning', status: row.status };
  const parsed = JourneyDefinition.safeParse(row.draft);
  if (!parsed.success) {
    return { kind: 'invalid', errors: parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), code: 'invalid', message: `${issue.path.join('.')}: ${issue.message}` })) };
  }
  const draft = parsed.data;
  const review = await reviewDraft(tx, journeyId, row.definition, draft, moves, user.unit);
  if (review.errors.length > 0) return { kind: 'invalid', ...review };
  const version = (row.version ?? 0) + 1;
  // Only removed tiles move; a removed tile nobody waits at needs no entry.
  const carried = Object.fromEntries(review.changes.removed.filter((tile) => Object.hasOwn(moves, tile.tileId)).map((tile) => [tile.tileId, moves[tile.tileId]!]));
  const { moved, exited } = await carryContactsOver(tx, { journeyId, moves: carried, changed: review.changes.changed, fromVersion: row.version }, now);
  await tx.query(
    `update journeys set name = $2, definition = $3, owner_user_id = coalesce($4, owner_user_id), version = $5, draft = null, draft_based_on = null, updated_at = $6 where id = $1`,
    [journeyId, draft.name, JSON.stringify(draft), draft.ownerUserId ?? null, version, now],
  );
  const changes: DraftChanges = { ...review.changes, removed: review.changes.removed.map((tile) => ({ ...tile, movedTo: moves[tile.tileId] ?? null })) };
  await insertJourneyVersion(tx, journeyId, version, draft, changes, userId, now);
  // A new entry admits whoever it now holds; nobody already in is taken out (admission never removes).
  if (row.definition.tiles[0] && (changes.changed.includes(row.definition.tiles[0].id) || draft.tiles[0]?.id !== row.definition.tiles[0].id)) {
    await tx.query('update journey_iterations set admitted_at = null where journey_id = $1 and number = $2', [journeyId, row.current_iteration]);
  }
  await insertMilestone(tx, journeyId, 'versionPublished', now, { version, userId, moved, exited }, userId);
  return { kind: 'published', version, changes };
}
