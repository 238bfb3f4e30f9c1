import { Graph, layout } from '@dagrejs/dagre';
import type { Tile } from '@waymark/core';
import { exitsOf } from './graph.ts';

export const TILE_WIDTH = 240;
const BASE_HEIGHT = 116;

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
 * Left-to-right layout of the pipeline (top-left corner of each tile). Large journeys use the
 * cheaper longest-path ranker: a 300-tile journey must open in well under a second and a half.
 */
export function layoutTiles(tiles: readonly Tile[]): Map<string, Point> {
  const graph = new Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'LR', nodesep: 36, ranksep: 96, marginx: 24, marginy: 24, ranker: tiles.length > 150 ? 'longest-path' : 'network-simplex' });
  graph.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(tiles.map((tile) => tile.id));
  for (const tile of tiles) graph.setNode(tile.id, { width: TILE_WIDTH, height: tileHeight(tile) });
  for (const tile of tiles) {
    for (const exit of exitsOf(tile)) {
      if (exit.target && ids.has(exit.target) && exit.target !== tile.id) graph.setEdge(tile.id, exit.target, {}, exit.field);
    }
  }
  layout(graph);
  const positions = new Map<string, Point>();
  for (const tile of tiles) {
    const node = graph.node(tile.id) as { x: number; y: number; width: number; height: number } | undefined;
    if (node) positions.set(tile.id, { x: node.x - node.width / 2, y: node.y - node.height / 2 });
  }
  return positions;
}
