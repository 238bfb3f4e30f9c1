import { tileExits, type Tile, type TileType } from '@waymark/core';
import { isEntryType, tileName } from './tileTypes.ts';

/** One way out of a tile, as the designer draws it. */
export interface Exit {
  tileId: string;
  /** `next`, `onTrue`, `onFalse` or `branches.N.next`. */
  field: string;
  target: string | null;
  /** Handle id on the canvas and the words for it: "true path", "branch 2", or "" for `next`. */
  handle: string;
  words: string;
}

/** Where a new tile can go: at the start, or on one exit of a tile. */
export type InsertionPoint = { kind: 'start' } | { kind: 'exit'; tileId: string; field: string };

export interface InsertionOption {
  point: InsertionPoint;
  key: string;
  /** The accessible name, fixed by the contract: "Insert here: start" / "Insert here: after X true path". */
  label: string;
}

export function exitsOf(tile: Tile): Exit[] {
  return tileExits(tile).map(({ field, target }) => {
    if (field === 'next') return { tileId: tile.id, field, target, handle: 'next', words: '' };
    if (field === 'onTrue') return { tileId: tile.id, field, target, handle: 'onTrue', words: 'true path' };
    if (field === 'onFalse') return { tileId: tile.id, field, target, handle: 'onFalse', words: 'false path' };
    const index = Number(field.split('.')[1]);
    return { tileId: tile.id, field, target, handle: `branch-${index}`, words: `branch ${index + 1}` };
  });
}

/** Tiles in reading order: depth-first from the entry along exits, then whatever is unreachable. */
export function readingOrder(tiles: readonly Tile[]): Tile[] {
  const byId = new Map(tiles.map((tile) => [tile.id, tile]));
  const seen = new Set<string>();
  const order: Tile[] = [];
  const visit = (start: Tile) => {
    const stack = [start];
    while (stack.length > 0) {
      const tile = stack.pop()!;
      if (seen.has(tile.id)) continue;
      seen.add(tile.id);
      order.push(tile);
      const next = exitsOf(tile)
        .map((exit) => (exit.target ? byId.get(exit.target) : undefined))
        .filter((t): t is Tile => t !== undefined && !seen.has(t.id));
      for (let i = next.length - 1; i >= 0; i -= 1) stack.push(next[i]!);
    }
  };
  for (const tile of tiles) visit(tile);
  return order;
}

export function reachableFromEntry(tiles: readonly Tile[]): Set<string> {
  const byId = new Map(tiles.map((tile) => [tile.id, tile]));
  const seen = new Set<string>();
  const first = tiles[0];
  if (!first) return seen;
  const stack = [first];
  while (stack.length > 0) {
    const tile = stack.pop()!;
    if (seen.has(tile.id)) continue;
    seen.add(tile.id);
    for (const exit of exitsOf(tile)) {
      const target = exit.target ? byId.get(exit.target) : undefined;
      if (target && !seen.has(target.id)) stack.push(target);
    }
  }
  return seen;
}

export function insertionOptions(tiles: readonly Tile[], adding: TileType): InsertionOption[] {
  if (tiles.length === 0) return [{ point: { kind: 'start' }, key: 'start', label: 'Insert here: start' }];
  const options: InsertionOption[] = [];
  // A second entry tile only makes sense as the new first tile.
  if (isEntryType(adding)) options.push({ point: { kind: 'start' }, key: 'start', label: 'Insert here: start' });
  for (const tile of readingOrder(tiles)) {
    for (const exit of exitsOf(tile)) {
      const label = `Insert here: after ${tileName(tile)}${exit.words ? ` ${exit.words}` : ''}`;
      options.push({ point: { kind: 'exit', tileId: tile.id, field: exit.field }, key: `${tile.id}:${exit.field}`, label });
    }
  }
  return options;
}

function getExit(tile: Tile, field: string): string | null {
  const exit = tileExits(tile).find((e) => e.field === field);
  return exit ? exit.target : null;
}

/** A copy of `tile` with the exit `field` pointing at `target`. */
export function setExit(tile: Tile, field: string, target: string | null): Tile {
  if (field === 'next' && 'next' in tile) return { ...tile, next: target };
  if ((field === 'onTrue' || field === 'onFalse') && (tile.type === 'trigger' || tile.type === 'condition')) return { ...tile, [field]: target };
  if (field.startsWith('branches.') && tile.type === 'splitter') {
    const index = Number(field.split('.')[1]);
    return { ...tile, branches: tile.branches.map((branch, i) => (i === index ? { ...branch, next: target } : branch)) };
  }
  return tile;
}

/** The exit a tile continues on when it is put in the middle of a path. */
const primaryField = (tile: Tile) => tileExits(tile)[0]?.field ?? 'next';

export function insertTile(tiles: readonly Tile[], point: InsertionPoint, tile: Tile): Tile[] {
  if (point.kind === 'start') {
    const first = tiles[0];
    return [setExit(tile, primaryField(tile), first ? first.id : null), ...tiles];
  }
  const index = tiles.findIndex((t) => t.id === point.tileId);
  const source = tiles[index];
  if (!source) return [...tiles];
  const placed = setExit(tile, primaryField(tile), getExit(source, point.field));
  const result = [...tiles];
  result[index] = setExit(source, point.field, tile.id);
  result.splice(index + 1, 0, placed);
  return result;
}

/** Keeps only tiles that were unreachable already or are still reachable: what hung below a removed branch goes too. */
function pruneOrphans(before: readonly Tile[], after: Tile[]): Tile[] {
  const wasReachable = reachableFromEntry(before);
  const isReachable = reachableFromEntry(after);
  return after.filter((tile) => isReachable.has(tile.id) || !wasReachable.has(tile.id));
}

/**
 * Removes a tile: paths into it continue where its first exit went; tiles only reachable through
 * its other exits go with it; trigger rules about it are dropped.
 */
export function deleteTile(tiles: readonly Tile[], id: string): Tile[] {
  const removed = tiles.find((tile) => tile.id === id);
  if (!removed) return [...tiles];
  const continues = getExit(removed, primaryField(removed));
  let result = tiles
    .filter((tile) => tile.id !== id)
    .map((tile) => {
      let next = tile;
      for (const exit of tileExits(tile)) if (exit.target === id) next = setExit(next, exit.field, continues);
      if (next.type === 'trigger' && next.rules.some((rule) => 'tile' in rule && rule.tile === id)) {
        next = { ...next, rules: next.rules.filter((rule) => !('tile' in rule && rule.tile === id)) };
      }
      return next;
    });
  // The entry was removed: the tile it led to becomes the first.
  if (tiles[0]?.id === id && continues) {
    const at = result.findIndex((tile) => tile.id === continues);
    if (at > 0) result = [result[at]!, ...result.slice(0, at), ...result.slice(at + 1)];
  }
  return pruneOrphans(tiles, result);
}

/** Replaces a tile (same id), dropping tiles cut off by branches it no longer has. */
export function replaceTile(tiles: readonly Tile[], tile: Tile): Tile[] {
  const result = tiles.map((t) => (t.id === tile.id ? tile : t));
  const before = tiles.find((t) => t.id === tile.id);
  const lostExits = before && tileExits(before).length > tileExits(tile).length;
  return lostExits ? pruneOrphans(tiles, result) : result;
}

export function connect(tiles: readonly Tile[], sourceId: string, field: string, targetId: string | null): Tile[] {
  return tiles.map((tile) => (tile.id === sourceId ? setExit(tile, field, targetId) : tile));
}

export function fieldForHandle(handle: string | null | undefined): string {
  if (!handle || handle === 'next') return 'next';
  if (handle.startsWith('branch-')) return `branches.${handle.slice('branch-'.length)}.next`;
  return handle;
}

/** Email tiles upstream of `tileId`: the ones a trigger there may wait on. */
export function upstreamEmailTiles(tiles: readonly Tile[], tileId: string): Tile[] {
  const parents = new Map<string, string[]>();
  for (const tile of tiles) for (const exit of exitsOf(tile)) if (exit.target) parents.set(exit.target, [...(parents.get(exit.target) ?? []), tile.id]);
  const byId = new Map(tiles.map((tile) => [tile.id, tile]));
  const seen = new Set<string>();
  const stack = [...(parents.get(tileId) ?? [])];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(parents.get(id) ?? []));
  }
  return [...seen].map((id) => byId.get(id)).filter((tile): tile is Tile => tile?.type === 'email');
}
