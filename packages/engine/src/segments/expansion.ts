import type { SegmentQuery } from '@waymark/core';
import type { StoredSegment } from './compileQuery.ts';

/**
 * At most this many conditions in one segment query once every segment it names through
 * `inSegment` is compiled into it. A chain of segments, each small, naming each other ten times
 * over, once expanded to 100 000 conditions: past the parameters one SQL statement may hold, so
 * the drain failed and every journey stopped admitting.
 */
export const MAX_EXPANDED_CONDITIONS = 2000;
/** How deep `inSegment` references are followed; deeper ones hold nobody. */
export const MAX_SEGMENT_DEPTH = 8;

/**
 * How many conditions `query` holds once the segments it names are compiled into it, exactly as
 * compileSegmentQuery expands them. Counting stops soon after `cap`, so a huge expansion costs no
 * more than a small one; each referenced segment is counted once per depth.
 */
export function expandedSize(query: SegmentQuery, segments: ReadonlyMap<string, StoredSegment>, cap = MAX_EXPANDED_CONDITIONS): number {
  const known = new Map<string, number>();
  const size = (node: SegmentQuery, depth: number): number => {
    if ('and' in node || 'or' in node) {
      let total = 1;
      for (const part of 'and' in node ? node.and : node.or) {
        total += size(part, depth);
        if (total > cap) break;
      }
      return total;
    }
    if ('not' in node) return 1 + size(node.not, depth);
    if ('account' in node) return 1 + size(node.account, depth);
    if (!('inSegment' in node)) return 1;
    const segment = segments.get(node.inSegment);
    if (!segment?.query || segment.kind !== 'dynamic' || depth >= MAX_SEGMENT_DEPTH) return 1;
    const key = `${depth} ${segment.id}`;
    let inner = known.get(key);
    if (inner === undefined) {
      inner = size(segment.query, depth + 1);
      known.set(key, inner);
    }
    return 1 + inner;
  };
  return size(query, 0);
}

/** The segments a query names through `inSegment` (inside `account` too, where they mean nothing). */
export function segmentIdsIn(query: SegmentQuery): string[] {
  if ('and' in query) return query.and.flatMap(segmentIdsIn);
  if ('or' in query) return query.or.flatMap(segmentIdsIn);
  if ('not' in query) return segmentIdsIn(query.not);
  if ('account' in query) return segmentIdsIn(query.account);
  if ('inSegment' in query) return [query.inSegment];
  return [];
}

/** Whether segment `from` is, or refers through `inSegment` to, segment `target`. */
export function reaches(segments: ReadonlyMap<string, StoredSegment>, from: string, target: string): boolean {
  const seen = new Set<string>();
  const pending = [from];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (id === target) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    const query = segments.get(id)?.query;
    if (query) pending.push(...segmentIdsIn(query));
  }
  return false;
}

/** Whether a dynamic segment is one the engine may compile: within the limit, and on no cycle. */
function evaluable(segment: StoredSegment, segments: ReadonlyMap<string, StoredSegment>): boolean {
  if (!segment.query) return false;
  if (segmentIdsIn(segment.query).some((id) => reaches(segments, id, segment.id))) return false;
  return expandedSize(segment.query, segments) <= MAX_EXPANDED_CONDITIONS;
}

const refused = new WeakMap<ReadonlyMap<string, StoredSegment>, ReadonlySet<string>>();

/**
 * The dynamic segments the engine will not evaluate: too large once expanded, or naming
 * themselves. The API refuses both; these are rows written before it did (or behind its back).
 * Evaluating one would fail a statement shared with every other segment, so they keep the members
 * they had, and the rest carry on. Computed once per loaded set of segments.
 */
export function unevaluableSegments(segments: ReadonlyMap<string, StoredSegment>): ReadonlySet<string> {
  let ids = refused.get(segments);
  if (!ids) {
    ids = new Set([...segments.values()].filter((s) => s.kind === 'dynamic' && s.query !== null && !evaluable(s, segments)).map((s) => s.id));
    refused.set(segments, ids);
  }
  return ids;
}

/**
 * The segments that would be too large once expanded if segment `id` held `query`: itself, and
 * every segment that uses it through `inSegment` (a segment may stay small while one it names
 * grows). Each with its expanded size, counted a little past the limit.
 */
export function segmentsOverLimit(segments: ReadonlyMap<string, StoredSegment>, id: string, query: SegmentQuery): { id: string; size: number }[] {
  const changed = new Map(segments).set(id, { id, kind: 'dynamic', query });
  const over: { id: string; size: number }[] = [];
  for (const segment of changed.values()) {
    if (segment.kind !== 'dynamic' || !segment.query || !reaches(changed, segment.id, id)) continue;
    const size = expandedSize(segment.query, changed);
    if (size > MAX_EXPANDED_CONDITIONS) over.push({ id: segment.id, size });
  }
  return over;
}
