import type { SegmentQuery } from '@waymark/core';
import type { Queryable } from '../db/database.ts';
import type { StoredSegment } from '../segments/compileQuery.ts';

export async function loadSegments(db: Queryable): Promise<Map<string, StoredSegment>> {
  const rows = await db.query<{ id: string; kind: 'dynamic' | 'static'; query: SegmentQuery | null }>('select id, kind, query from segments');
  return new Map(rows.map((row) => [row.id, row]));
}
