import type { SegmentQuery } from '@waymark/core';
import type { Queryable } from '../db/database.ts';
import { loadSegments } from '../queries/loadSegments.ts';
import { compileSegmentQuery, SqlParams, type StoredSegment } from '../segments/compileQuery.ts';

/**
 * A set of contacts as a condition over `contacts c` with its parameters, for pages of people (a
 * list's members, a segment's, a query's preview). `unit` limits it to one business unit's contacts
 * (null: every unit's), so that a business-unit-level user never sees another unit's people through
 * an organization-wide list, a segment an organization-level user filled, or a query.
 */
export interface ContactSelection {
  where: string;
  params: unknown[];
}

const inUnit = (params: SqlParams, unit: string | null) => (unit === null ? '' : ` and c.business_unit_id = ${params.add(unit)}`);

/** The contacts a dynamic segment query holds now (`segments`: the stored ones, if already loaded). */
export async function contactsMatching(
  db: Queryable,
  query: SegmentQuery,
  now: Date,
  unit: string | null,
  segments?: ReadonlyMap<string, StoredSegment>,
): Promise<ContactSelection> {
  const params = new SqlParams();
  const predicate = compileSegmentQuery(query, { params, now, segments: segments ?? (await loadSegments(db)) });
  return { where: `(${predicate})${inUnit(params, unit)}`, params: params.values };
}

/** The contacts added by hand to a static segment or a subscription list. */
export function handKeptMembers(kind: 'segment' | 'list', ownerId: string, unit: string | null): ContactSelection {
  const params = new SqlParams([ownerId]);
  const membership = kind === 'segment' ? 'select 1 from segment_members m where m.segment_id = $1 and m.contact_id = c.id' : 'select 1 from list_members m where m.list_id = $1 and m.contact_id = c.id';
  return { where: `exists (${membership})${inUnit(params, unit)}`, params: params.values };
}
