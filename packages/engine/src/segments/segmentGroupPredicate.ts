import type { SegmentGroupTile } from '@waymark/core';
import type { CompileContext } from './compileQuery.ts';

/**
 * The SQL predicate over `contacts c` for who a segment-group tile admits. It reads the membership
 * tables, never the queries: static members from `segment_members`, dynamic ones from
 * `segment_membership` (kept current by segments/membership.ts), lists from `list_members`, so
 * admission is a few index probes per contact whatever the segments ask.
 */
export function segmentGroupPredicate(tile: SegmentGroupTile, ctx: CompileContext): string {
  // Over a whole table (strategy "set") each source is one hashed set of ids, not a probe per contact.
  const member = (table: string, column: string, id: string) =>
    ctx.strategy === 'set'
      ? `c.id in (select m.contact_id from ${table} m where m.${column} = ${ctx.params.add(id)}::text)`
      : `exists (select 1 from ${table} m where m.${column} = ${ctx.params.add(id)}::text and m.contact_id = c.id)`;
  const sourceSql = (source: SegmentGroupTile['segments'][number]): string => {
    if (source.source === 'subscriptionList') return member('list_members', 'list_id', source.listId);
    const segment = ctx.segments.get(source.segmentId);
    if (!segment) return 'false';
    return member(segment.kind === 'dynamic' && segment.query ? 'segment_membership' : 'segment_members', 'segment_id', segment.id);
  };
  const includes = tile.segments.filter((source) => source.mode === 'include').map(sourceSql);
  const excludes = tile.segments.filter((source) => source.mode === 'exclude').map(sourceSql);
  if (includes.length === 0) return 'false';
  const included = `(${includes.join(tile.combine === 'intersection' ? ' and ' : ' or ')})`;
  return excludes.length === 0 ? included : `(${included} and not (${excludes.join(' or ')}))`;
}

/** Segment and list ids a segment-group tile reads. */
export function segmentGroupSources(tile: SegmentGroupTile): { segments: string[]; lists: string[] } {
  return {
    segments: tile.segments.flatMap((source) => (source.source === 'segment' ? [source.segmentId] : [])),
    lists: tile.segments.flatMap((source) => (source.source === 'subscriptionList' ? [source.listId] : [])),
  };
}
