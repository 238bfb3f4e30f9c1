import type { JourneyDefinition } from '@waymark/core';
import type { Queryable } from '../db/database.ts';

/** The next version of a live journey, as it is being edited. */
export interface JourneyDraft {
  definition: JourneyDefinition;
  basedOnVersion: number | null;
}

/** What a version changed from the one before: added and changed tile ids, removed tiles with the contacts that waited there and where they went. */
export interface StoredChanges {
  added: string[];
  removed: { tileId: string; waiting: number; movedTo?: string | null }[];
  changed: string[];
}

export interface JourneyVersion {
  version: number;
  publishedAt: Date;
  publishedBy: string | null;
  changes: StoredChanges | null;
}

export async function getJourneyDraft(db: Queryable, journeyId: string): Promise<JourneyDraft | null> {
  const [row] = await db.query<JourneyDraft>(
    `select draft as definition, draft_based_on as "basedOnVersion" from journeys where id = $1 and draft is not null`,
    [journeyId],
  );
  return row ?? null;
}

export async function saveJourneyDraft(db: Queryable, journeyId: string, definition: JourneyDefinition, basedOnVersion: number | null, now: Date): Promise<void> {
  await db.query('update journeys set draft = $2, draft_based_on = $3, updated_at = $4 where id = $1', [journeyId, JSON.stringify(definition), basedOnVersion, now]);
}

/** Discards the draft; false when there was none. */
export async function discardJourneyDraft(db: Queryable, journeyId: string): Promise<boolean> {
  const rows = await db.query('update journeys set draft = null, draft_based_on = null where id = $1 and draft is not null returning 1', [journeyId]);
  return rows.length > 0;
}

/** Active contacts at each of `tileIds` now, over all iterations. */
export async function contactsWaitingAt(db: Queryable, journeyId: string, tileIds: readonly string[]): Promise<Map<string, number>> {
  if (tileIds.length === 0) return new Map();
  const rows = await db.query<{ tile_id: string; n: number }>(
    `select tile_id, count(*)::int as n from journey_contacts where journey_id = $1 and status = 'active' and tile_id = any($2::text[]) group by tile_id`,
    [journeyId, tileIds],
  );
  return new Map(rows.map((row) => [row.tile_id, row.n]));
}

/** Stores a published version whole; the primary key refuses a second version of the same number. */
export async function insertJourneyVersion(
  db: Queryable,
  journeyId: string,
  version: number,
  definition: JourneyDefinition,
  changes: StoredChanges | null,
  publishedBy: string | null,
  now: Date,
): Promise<void> {
  await db.query(`insert into journey_versions (journey_id, version, definition, changes, published_at, published_by) values ($1, $2, $3, $4, $5, $6)`, [
    journeyId,
    version,
    JSON.stringify(definition),
    changes ? JSON.stringify(changes) : null,
    now,
    publishedBy,
  ]);
}

/**
 * Makes the journey's current definition version 1 the first time it goes live; a journey that
 * has been live before keeps its version.
 */
export async function recordFirstVersion(db: Queryable, journeyId: string, publishedBy: string | null, now: Date): Promise<void> {
  const [row] = await db.query<{ definition: JourneyDefinition }>('update journeys set version = 1 where id = $1 and version is null returning definition', [journeyId]);
  if (row) await insertJourneyVersion(db, journeyId, 1, row.definition, null, publishedBy, now);
}

/** The versions, oldest first, each with the name of who published it. */
export function listJourneyVersions(db: Queryable, journeyId: string): Promise<(JourneyVersion & { publishedByName: string | null })[]> {
  return db.query(
    `select v.version, v.published_at as "publishedAt", v.published_by as "publishedBy", u.name as "publishedByName", v.changes
       from journey_versions v left join users u on u.id = v.published_by
      where v.journey_id = $1 order by v.version`,
    [journeyId],
  );
}

export async function getJourneyVersion(db: Queryable, journeyId: string, version: number): Promise<(JourneyVersion & { definition: JourneyDefinition }) | null> {
  const [row] = await db.query<JourneyVersion & { definition: JourneyDefinition }>(
    `select version, published_at as "publishedAt", published_by as "publishedBy", changes, definition from journey_versions where journey_id = $1 and version = $2`,
    [journeyId, version],
  );
  return row ?? null;
}
