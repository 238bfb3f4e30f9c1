import type { Tile } from '@waymark/core';
import { exitsOf } from './graph.ts';

export const TILE_WIDTH = 248;
const BASE_HEIGHT = 116;
const COLUMN_GAP = 72;
const ROW_GAP = 32;
const MARGIN = 24;

export function tileHeight(tile: Tile): number {
  const exits = exitsOf(tile).length;
  return exits > 3 ? BASE_HEIGHT + (exits - 3) * 22 : BASE_HEIGHT;
}

/** Vertical offset of an exit's handle from the top of its tile. */
export function handleOffset(tile: Tile, index: number): number {
  const count = exitsOf(tile).length;
  const height = tileHeight(tile);
  if (count <= 1) return height / 2;
  return (height * (index + 1)) / (count + 1);
}

export interface Point {
  x: number;
  y: number;
}

/**
 * Left-to-right pipeline layout (top-left corner of each tile), linear in the number of tiles so a
 * 300-tile journey opens at once (a general layered layout such as dagre took 2.5 s for that here).
 *
 * Columns: the longest path from the entry, so a tile always sits right of every tile leading to it.
 * Rows: a depth-first walk along the exits in order; a tile shares the row of its first exit, so the
 * main path (next, true path, first branch) runs straight and the other paths open below it.
 * Tiles nothing leads to start their own rows underneath.
 */
export function layoutTiles(tiles: readonly Tile[]): Map<string, Point> {
  const byId = new Map(tiles.map((tile) => [tile.id, tile]));
  const children = new Map<string, string[]>();
  for (const tile of tiles) children.set(tile.id, exitsOf(tile).flatMap((exit) => (exit.target && byId.has(exit.target) && exit.target !== tile.id ? [exit.target] : [])));

  // Depth-first order from each root (the entry first), remembering back edges (cycles) to skip.
  const hasParent = new Set([...children.values()].flat());
  const roots = [tiles[0], ...tiles.slice(1).filter((tile) => !hasParent.has(tile.id))].filter((t): t is Tile => !!t);
  const state = new Map<string, 1 | 2>();
  const postOrder: string[] = [];
  const back = new Set<string>();
  const visit = (root: string) => {
    const stack: { id: string; next: number }[] = [{ id: root, next: 0 }];
    state.set(root, 1);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const kids = children.get(frame.id)!;
      if (frame.next < kids.length) {
        const kid = kids[frame.next++]!;
        const seen = state.get(kid);
        if (seen === 1) back.add(`${frame.id}>${kid}`);
        else if (!seen) {
          state.set(kid, 1);
          stack.push({ id: kid, next: 0 });
        }
      } else {
        state.set(frame.id, 2);
        postOrder.push(frame.id);
        stack.pop();
      }
    }
  };
  for (const root of roots) if (!state.has(root.id)) visit(root.id);
  for (const tile of tiles) if (!state.has(tile.id)) visit(tile.id);

  // Longest path from the roots, in topological order (reverse post-order), back edges ignored.
  const depth = new Map<string, number>();
  const topo = [...postOrder].reverse();
  for (const id of topo) depth.set(id, depth.get(id) ?? 0);
  for (const id of topo) {
    for (const kid of children.get(id)!) {
      if (back.has(`${id}>${kid}`)) continue;
      depth.set(kid, Math.max(depth.get(kid)!, depth.get(id)! + 1));
    }
  }

  // Rows: a tile owns the children it reaches first; it takes its first child's row, later children open rows below.
  const positions = new Map<string, Point>();
  const placed = new Set<string>();
  let nextY = MARGIN;
  const place = (root: string) => {
    // Iterative: a 1000-tile chain must not overflow the stack.
    const stack: { id: string; next: number; y: number | null }[] = [{ id: root, next: 0, y: null }];
    placed.add(root);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const tile = byId.get(frame.id)!;
      const kids = children.get(frame.id)!;
      if (frame.y === null) {
        frame.y = nextY;
        positions.set(frame.id, { x: MARGIN + depth.get(frame.id)! * (TILE_WIDTH + COLUMN_GAP), y: frame.y });
      }
      let descended = false;
      while (frame.next < kids.length) {
        const kid = kids[frame.next++]!;
        if (placed.has(kid)) continue;
        placed.add(kid);
        // The first child continues on this row; a later one starts below everything placed so far.
        stack.push({ id: kid, next: 0, y: frame.next === 1 ? frame.y : null });
        if (frame.next === 1) positions.set(kid, { x: MARGIN + depth.get(kid)! * (TILE_WIDTH + COLUMN_GAP), y: frame.y });
        descended = true;
        break;
      }
      if (descended) continue;
      // Leaving a tile: the next free row is below it.
      nextY = Math.max(nextY, frame.y + tileHeight(tile) + ROW_GAP);
      stack.pop();
    }
  };
  for (const root of roots) if (!placed.has(root.id)) place(root.id);
  for (const tile of tiles) if (!placed.has(tile.id)) place(tile.id);
  return positions;
}
