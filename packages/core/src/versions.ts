import { tileLabel } from './check.ts';
import type { CheckError, JourneyDefinition, Tile } from './schema.ts';

/**
 * Versions of a live journey. A tile is the same tile across versions when its `id` is, so a
 * contact waiting at it waits on; what a new version adds, removes or changes is told apart by id.
 */
export interface VersionChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

/** Where the contacts of a removed tile go: another tile of the new version, or out (null). */
export type TileMoves = Record<string, string | null>;

/** JSON with object keys sorted, so two equal tiles compare equal whatever order their fields came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The tiles `after` adds, removes and changes (same id, different settings or paths) from `before`, in tile order. */
export function diffTiles(before: readonly Tile[], after: readonly Tile[]): VersionChanges {
  const old = new Map(before.map((tile) => [tile.id, tile]));
  const ids = new Set(after.map((tile) => tile.id));
  return {
    added: after.filter((tile) => !old.has(tile.id)).map((tile) => tile.id),
    removed: before.filter((tile) => !ids.has(tile.id)).map((tile) => tile.id),
    changed: after.filter((tile) => old.has(tile.id) && canonical(old.get(tile.id)) !== canonical(tile)).map((tile) => tile.id),
  };
}

/**
 * What stops a draft of a live journey from being published, beyond check-for-errors on the draft
 * itself: a removed tile that holds contacts and has no entry in `moves` (`removedTileHasContacts`),
 * a move from a tile the draft does not remove (`moveSourceNotRemoved`), a move to a tile the new
 * version does not have (`moveTargetUnknown`) or to its entry (`moveTargetIsEntry`: contacts
 * already in never enter again), and a change of target (`targetChanged`: contacts cannot become
 * accounts under way). `waiting` counts the contacts at each removed tile now.
 */
export function checkDraftChanges(live: JourneyDefinition, draft: JourneyDefinition, waiting: ReadonlyMap<string, number>, moves: TileMoves = {}): CheckError[] {
  const changes = diffTiles(live.tiles, draft.tiles);
  const removed = new Set(changes.removed);
  const liveTiles = new Map(live.tiles.map((tile) => [tile.id, tile]));
  const draftIds = new Set(draft.tiles.map((tile) => tile.id));
  const errors: CheckError[] = [];
  if (live.target !== draft.target) {
    errors.push({ field: 'target', code: 'targetChanged', message: `A journey under way cannot change its target from ${live.target} to ${draft.target}` });
  }
  for (const tileId of changes.removed) {
    const count = waiting.get(tileId) ?? 0;
    if (count > 0 && !Object.hasOwn(moves, tileId)) {
      errors.push({
        tileId,
        field: `moves.${tileId}`,
        code: 'removedTileHasContacts',
        message: `${tileLabel(liveTiles.get(tileId)!)} is removed but ${count} contact${count === 1 ? '' : 's'} wait there: choose where they go`,
      });
    }
  }
  for (const [from, to] of Object.entries(moves)) {
    if (!removed.has(from)) {
      errors.push({ field: `moves.${from}`, code: 'moveSourceNotRemoved', message: `Contacts can only be moved from a tile the new version removes; ${JSON.stringify(from)} is not one` });
    } else if (to !== null && !draftIds.has(to)) {
      errors.push({ tileId: from, field: `moves.${from}`, code: 'moveTargetUnknown', message: `Contacts of ${tileLabel(liveTiles.get(from)!)} would move to ${JSON.stringify(to)}, a tile the new version does not have` });
    } else if (to !== null && to === draft.tiles[0]?.id) {
      errors.push({ tileId: from, field: `moves.${from}`, code: 'moveTargetIsEntry', message: `Contacts of ${tileLabel(liveTiles.get(from)!)} cannot move to the entry tile: they are in the journey already` });
    }
  }
  return errors;
}
