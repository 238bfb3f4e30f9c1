import { describe, it, expect } from 'vitest';
import type { SplitterTile } from './schema.ts';
import { countBranch, percentageBranch } from './splitter.ts';

function splitter(mode: SplitterTile['mode'], shares: number[], id = 'split'): SplitterTile {
  return { id, type: 'splitter', mode, branches: shares.map((share, index) => ({ share, next: `b${index}` })) };
}

const ids = Array.from({ length: 10_000 }, (_, index) => `contact-${index}`);

function tally(tile: SplitterTile, journeyId: string): number[] {
  const counts = tile.branches.map(() => 0);
  for (const id of ids) counts[percentageBranch(tile, journeyId, id)]! += 1;
  return counts;
}

describe('percentageBranch', () => {
  it('sends the same contact down the same branch every time', () => {
    const tile = splitter('percentage', [50, 50]);
    const first = ids.slice(0, 500).map((id) => percentageBranch(tile, 'journey-1', id));
    const again = ids.slice(0, 500).map((id) => percentageBranch({ ...tile, branches: [...tile.branches] }, 'journey-1', id));
    expect(again).toEqual(first);
    // Not trivially constant: both branches occur.
    expect(new Set(first)).toEqual(new Set([0, 1]));
  });

  it('depends on the journey and the tile, so two splitters do not split the same way', () => {
    const tile = splitter('percentage', [50, 50]);
    const sample = ids.slice(0, 1000);
    const base = sample.map((id) => percentageBranch(tile, 'journey-1', id));
    const otherJourney = sample.map((id) => percentageBranch(tile, 'journey-2', id));
    const otherTile = sample.map((id) => percentageBranch(splitter('percentage', [50, 50], 'split-2'), 'journey-1', id));
    const agreement = (other: number[]) => other.filter((branch, index) => branch === base[index]).length / sample.length;
    // Independent halves agree about half the time, far from always.
    expect(agreement(otherJourney)).toBeGreaterThan(0.4);
    expect(agreement(otherJourney)).toBeLessThan(0.6);
    expect(agreement(otherTile)).toBeLessThan(0.6);
  });

  it('splits 50/50 over 10 000 contacts within ±3%', () => {
    const [left, right] = tally(splitter('percentage', [50, 50]), 'journey-1');
    expect(left).toBeGreaterThanOrEqual(4700);
    expect(left).toBeLessThanOrEqual(5300);
    expect(left! + right!).toBe(10_000);
  });

  it('follows uneven shares, and a zero share gets nobody', () => {
    const [none, tenth, rest] = tally(splitter('percentage', [0, 10, 90]), 'journey-1');
    expect(none).toBe(0);
    expect(tenth).toBeGreaterThanOrEqual(700);
    expect(tenth).toBeLessThanOrEqual(1300);
    expect(rest).toBe(10_000 - tenth!);
  });

  it('gives the last branch the remainder even if its own share is short', () => {
    const [first, last] = tally(splitter('percentage', [100, 0]), 'journey-1');
    expect(first).toBe(10_000);
    expect(last).toBe(0);
    const [, remainder] = tally(splitter('percentage', [0, 0]), 'journey-1');
    expect(remainder).toBe(10_000);
  });
});

describe('countBranch', () => {
  it('gives each branch exactly its count in arrival order, then the rest to the last', () => {
    const tile = splitter('count', [3, 2, 0]);
    const assigned = [0, 0, 0];
    const order: number[] = [];
    for (let contact = 0; contact < 10; contact += 1) {
      const branch = countBranch(tile, assigned);
      assigned[branch]! += 1;
      order.push(branch);
    }
    expect(order).toEqual([0, 0, 0, 1, 1, 2, 2, 2, 2, 2]);
    expect(assigned).toEqual([3, 2, 5]);
  });

  it('treats missing counts as zero', () => {
    expect(countBranch(splitter('count', [1, 1]), [])).toBe(0);
    expect(countBranch(splitter('count', [0, 5, 1]), [])).toBe(1);
  });
});
