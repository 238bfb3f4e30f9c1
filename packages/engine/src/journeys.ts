import { JourneyDefinition, type Tile } from '@waymark/core';
import type { Queryable } from './db/database.ts';

/** A journey as the worker needs it: its definition with the tiles indexed by id. */
export interface RunnableJourney {
  id: string;
  status: 'draft' | 'live' | 'stopped' | 'ended' | 'failed';
  definition: JourneyDefinition;
  tiles: ReadonlyMap<string, Tile>;
  entry: Tile | undefined;
  ownerUserId: string | null;
  businessUnitId: string | null;
  currentIteration: number;
  /** The published version this definition is (null while never live). */
  version: number | null;
  startAt: Date;
  endAt: Date;
}

export interface JourneyRow {
  id: string;
  status: RunnableJourney['status'];
  definition: unknown;
  owner_user_id: string | null;
  business_unit_id: string | null;
  current_iteration: number;
  version: number | null;
}

export function toRunnableJourney(row: JourneyRow): RunnableJourney {
  const definition = JourneyDefinition.parse(row.definition);
  return {
    id: row.id,
    status: row.status,
    definition,
    tiles: new Map(definition.tiles.map((tile) => [tile.id, tile])),
    entry: definition.tiles[0],
    ownerUserId: row.owner_user_id,
    businessUnitId: row.business_unit_id,
    currentIteration: row.current_iteration,
    version: row.version,
    startAt: new Date(definition.startAt),
    endAt: new Date(definition.endAt),
  };
}

/** A live journey whose stored definition no longer parses (edited by hand, or by an older version). */
export interface BrokenJourney {
  id: string;
  error: string;
}

/**
 * The live journeys, ready to run, and apart from them the ones whose definition no longer parses:
 * one broken journey must not stop every other from running.
 */
export async function loadLiveJourneys(db: Queryable): Promise<{ runnable: RunnableJourney[]; broken: BrokenJourney[] }> {
  const rows = await db.query<JourneyRow>(`select ${JOURNEY_COLUMNS} from journeys where status = 'live'`);
  const runnable: RunnableJourney[] = [];
  const broken: BrokenJourney[] = [];
  for (const row of rows) {
    try {
      runnable.push(toRunnableJourney(row));
    } catch (error) {
      broken.push({ id: row.id, error: String((error as Error).message ?? error).slice(0, 2000) });
    }
  }
  return { runnable, broken };
}

const JOURNEY_COLUMNS = 'id, status, definition, owner_user_id, business_unit_id, current_iteration, version';

/** Advisory-lock class of "a journey's version", so its keys never meet other advisory locks. */
const VERSION_LOCK_CLASS = 11;

/**
 * The journeys as they stand inside this transaction, keeping them at that version until it ends.
 * Each is held by a shared transaction-level advisory lock, which a publish (the exclusive lock,
 * `lockJourneyForPublish`) waits for, and which waits for a publish under way. Advisory locks queue
 * fairly: once a publish waits, later batches wait behind it, so a busy journey never starves
 * publishing. Locks are taken in one order, so two publishes and the batches never deadlock. A
 * journey published since `journeys` was read is read again (in a statement after the lock, so it
 * sees the publish), and contacts are always moved with the version their positions were carried
 * over to. Journeys no longer live are left out.
 */
export async function lockJourneyVersions(tx: Queryable, journeys: ReadonlyMap<string, RunnableJourney>): Promise<Map<string, RunnableJourney>> {
  if (journeys.size === 0) return new Map();
  const ids = [...journeys.keys()];
  await tx.query(
    `select count(pg_advisory_xact_lock_shared(${VERSION_LOCK_CLASS}, key)) from (select hashtext(id) as key from unnest($1::text[]) as id order by 1) as keys`,
    [ids],
  );
  const current = await tx.query<{ id: string; version: number | null; status: string }>(`select id, version, status from journeys where id = any($1::text[])`, [ids]);
  const locked = new Map<string, RunnableJourney>();
  const stale: string[] = [];
  for (const row of current) {
    if (row.status !== 'live') continue;
    if (row.version === journeys.get(row.id)!.version) locked.set(row.id, journeys.get(row.id)!);
    else stale.push(row.id);
  }
  if (stale.length > 0) {
    for (const row of await tx.query<JourneyRow>(`select ${JOURNEY_COLUMNS} from journeys where id = any($1::text[])`, [stale])) {
      // A definition that no longer parses waits for the next tick, which fails that journey.
      try {
        locked.set(row.id, toRunnableJourney(row));
      } catch {
        continue;
      }
    }
  }
  return locked;
}

/** Holds the journey at its version for a publish: waits for batches under way, and makes later ones wait. */
export async function lockJourneyForPublish(tx: Queryable, journeyId: string): Promise<void> {
  await tx.query(`select pg_advisory_xact_lock(${VERSION_LOCK_CLASS}, hashtext($1::text))`, [journeyId]);
}
