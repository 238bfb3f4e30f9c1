import { unitHash } from './hash.ts';
import type { SplitterTile } from './schema.ts';

/**
 * Percentage mode: the branch whose cumulative share covers the contact's fixed hash position.
 * Shares are percentages; the last branch takes whatever the others leave.
 */
export function percentageBranch(tile: SplitterTile, journeyId: string, contactId: string): number {
  const position = unitHash(journeyId, tile.id, contactId) * 100;
  let cumulative = 0;
  for (let index = 0; index < tile.branches.length - 1; index += 1) {
    cumulative += tile.branches[index]!.share;
    if (position < cumulative) return index;
  }
  return tile.branches.length - 1;
}

/**
 * Count mode: branch i takes exactly share_i contacts in arrival order, the last branch the rest.
 * `assigned` is how many each branch already holds; the caller serialises assignment per tile.
 */
export function countBranch(tile: SplitterTile, assigned: readonly number[]): number {
  for (let index = 0; index < tile.branches.length - 1; index += 1) {
    if ((assigned[index] ?? 0) < tile.branches[index]!.share) return index;
  }
  return tile.branches.length - 1;
}
