import type { SegmentGroupTile } from '@waymark/core';
import { compileSegmentQuery, type CompileContext } from './compileQuery.ts';

/** The SQL predicate over `contacts c` for who a segment-group tile admits. */
export function segmentGroupPredicate(tile: SegmentGroupTile, ctx: CompileContext): string {
  const sourceSql = (source: SegmentGroupTile['segments'][number]): string =>
    source.source === 'subscriptionList'
      ? `exists (select 1 from list_members lm where lm.list_id = ${ctx.params.add(source.listId)} and lm.contact_id = c.id)`
      : compileSegmentQuery({ inSegment: source.segmentId }, ctx);
  const includes = tile.segments.filter((source) => source.mode === 'include').map(sourceSql);
  const excludes = tile.segments.filter((source) => source.mode === 'exclude').map(sourceSql);
  if (includes.length === 0) return 'false';
  const included = `(${includes.join(tile.combine === 'intersection' ? ' and ' : ' or ')})`;
  return excludes.length === 0 ? included : `(${included} and not (${excludes.join(' or ')}))`;
}
