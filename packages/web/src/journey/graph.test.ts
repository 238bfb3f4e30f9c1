import type { Tile } from '@waymark/core';
import { describe, expect, it } from 'vitest';
import { deleteTile, insertionOptions, insertTile, readingOrder, replaceTile, upstreamEmailTiles } from './graph.ts';
import { layoutTiles, tileHeight, TILE_WIDTH } from './layout.ts';
import { newTile } from './tileTypes.ts';

const tile = (type: Tile['type'], id: string) => newTile(type, id, id);

/** entry → mail → trig (true: lead, false: again) */
function branching(): Tile[] {
  let tiles: Tile[] = [];
  tiles = insertTile(tiles, { kind: 'start' }, tile('segmentGroup', 'entry'));
  tiles = insertTile(tiles, { kind: 'exit', tileId: 'entry', field: 'next' }, tile('email', 'mail'));
  tiles = insertTile(tiles, { kind: 'exit', tileId: 'mail', field: 'next' }, tile('trigger', 'trig'));
  tiles = insertTile(tiles, { kind: 'exit', tileId: 'trig', field: 'onTrue' }, tile('createLead', 'lead'));
  return insertTile(tiles, { kind: 'exit', tileId: 'trig', field: 'onFalse' }, tile('email', 'again'));
}

describe('editing the pipeline', () => {
  it('inserts tiles on exits, in the middle of a path too', () => {
    let tiles = branching();
    expect(tiles[0]!.id).toBe('entry');
    expect(tiles.find((t) => t.id === 'trig')).toMatchObject({ onTrue: 'lead', onFalse: 'again' });
    tiles = insertTile(tiles, { kind: 'exit', tileId: 'entry', field: 'next' }, tile('scheduler', 'wait'));
    expect(tiles.find((t) => t.id === 'entry')).toMatchObject({ next: 'wait' });
    expect(tiles.find((t) => t.id === 'wait')).toMatchObject({ next: 'mail' });
  });

  it('names the insertion points as the contract says, each tile’s exits together, in reading order', () => {
    expect(insertionOptions([], 'email').map((o) => o.label)).toEqual(['Insert here: start']);
    expect(insertionOptions(branching(), 'email').map((o) => o.label)).toEqual([
      'Insert here: after entry',
      'Insert here: after mail',
      'Insert here: after trig true path',
      'Insert here: after trig false path',
      'Insert here: after lead',
      'Insert here: after again',
    ]);
    expect(insertionOptions(branching(), 'segmentGroup')[0]!.label).toBe('Insert here: start');
    const split = insertTile([tile('segmentGroup', 'entry')], { kind: 'exit', tileId: 'entry', field: 'next' }, tile('splitter', 'ab'));
    expect(insertionOptions(split, 'email').map((o) => o.label)).toContain('Insert here: after ab branch 2');
  });

  it('deletes a tile: its path continues, what hung below its other exits goes, rules about it are dropped', () => {
    const tiles = branching();
    expect(deleteTile(tiles, 'mail').find((t) => t.id === 'entry')).toMatchObject({ next: 'trig' });
    expect(deleteTile(tiles, 'mail').find((t) => t.id === 'trig')).toBeDefined();
    const withRule = tiles.map((t) => (t.type === 'trigger' ? { ...t, rules: [{ tile: 'mail', on: 'opened' as const }] } : t));
    expect(deleteTile(withRule, 'mail').find((t) => t.id === 'trig')).toMatchObject({ rules: [] });
    const withoutTrigger = deleteTile(tiles, 'trig');
    expect(withoutTrigger.map((t) => t.id).sort()).toEqual(['entry', 'lead', 'mail']);
    expect(withoutTrigger.find((t) => t.id === 'mail')).toMatchObject({ next: 'lead' });
  });

  it('drops the tiles behind a splitter branch that is removed', () => {
    let tiles = insertTile([tile('segmentGroup', 'entry')], { kind: 'exit', tileId: 'entry', field: 'next' }, tile('splitter', 'ab'));
    tiles = insertTile(tiles, { kind: 'exit', tileId: 'ab', field: 'branches.1.next' }, tile('email', 'b'));
    const splitter = tiles.find((t) => t.id === 'ab')!;
    if (splitter.type !== 'splitter') throw new Error('not a splitter');
    expect(replaceTile(tiles, { ...splitter, branches: splitter.branches.slice(0, 1) }).map((t) => t.id)).toEqual(['entry', 'ab']);
  });

  it('finds the email tiles upstream of a trigger', () => {
    expect(upstreamEmailTiles(branching(), 'trig').map((t) => t.id)).toEqual(['mail']);
    expect(readingOrder(branching()).map((t) => t.id)).toEqual(['entry', 'mail', 'trig', 'lead', 'again']);
  });
});

describe('layout', () => {
  it('runs left to right, the main path straight, other paths below, without overlaps', () => {
    const tiles = branching();
    const at = layoutTiles(tiles);
    const p = (id: string) => at.get(id)!;
    expect(p('mail').x).toBeGreaterThan(p('entry').x);
    expect(p('trig').y).toBe(p('entry').y);
    expect(p('lead').y).toBe(p('trig').y);
    expect(p('again').y).toBeGreaterThan(p('lead').y);
    expect(p('again').x).toBe(p('lead').x);
    for (const a of tiles) {
      for (const b of tiles) {
        if (a === b) continue;
        const overlap = p(a.id).x < p(b.id).x + TILE_WIDTH && p(b.id).x < p(a.id).x + TILE_WIDTH && p(a.id).y < p(b.id).y + tileHeight(b) && p(b.id).y < p(a.id).y + tileHeight(a);
        expect(overlap, `${a.id} overlaps ${b.id}`).toBe(false);
      }
    }
  });

  it('lays out 1000 tiles in a chain and with cycles quickly', () => {
    const tiles: Tile[] = Array.from({ length: 1000 }, (_, i) => ({ ...tile(i === 0 ? 'segmentGroup' : 'email', `t${i}`), next: i < 999 ? `t${i + 1}` : 't1' }) as Tile);
    const started = performance.now();
    const at = layoutTiles(tiles);
    expect(performance.now() - started).toBeLessThan(200);
    expect(at.size).toBe(1000);
    expect(at.get('t999')!.x).toBeGreaterThan(at.get('t998')!.x);
  });
});
