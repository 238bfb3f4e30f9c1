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
  const rows = await db.query<JourneyRow>(
    `select id, status, definition, owner_user_id, business_unit_id, current_iteration from journeys where status = 'live'`,
  );
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
