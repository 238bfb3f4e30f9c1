import { durationToMillis, type SegmentQuery } from '@waymark/core';
import type { Database, Queryable } from '../db/database.ts';
import { compileSegmentQuery, SqlParams, type StoredSegment } from './compileQuery.ts';
import { unevaluableSegments } from './expansion.ts';

/**
 * Live membership of dynamic segments, in the `segment_membership` table.
 *
 * - Changes queue contacts in `segment_dirty_contacts` (triggers, see migration 003); a batch of
 *   them is evaluated against every dynamic segment in one statement (`evaluateContacts`).
 * - A segment whose query is new or changed (`evaluated_at` null) is evaluated whole once
 *   (`evaluateStaleSegments`), with the segments that use it through `inSegment`.
 * - Time moves memberships too: an event leaves a `within` window, a future-dated event arrives.
 *   `rollSegmentWindows` queues exactly the contacts with an event crossing such an edge since
 *   the last roll, so windows roll forward as the clock moves without re-evaluating everyone.
 */

/**
 * The dynamic segments, whose members the membership table holds; not those too large to compile
 * or naming themselves (see unevaluableSegments), which keep the members they had.
 */
export function dynamicSegments(segments: ReadonlyMap<string, StoredSegment>): StoredSegment[] {
  const refused = unevaluableSegments(segments);
  return [...segments.values()].filter((segment) => segment.kind === 'dynamic' && segment.query !== null && !refused.has(segment.id));
}

function walk(query: SegmentQuery, visit: (node: SegmentQuery) => void): void {
  visit(query);
  if ('and' in query) query.and.forEach((part) => walk(part, visit));
  else if ('or' in query) query.or.forEach((part) => walk(part, visit));
  else if ('not' in query) walk(query.not, visit);
  else if ('account' in query) walk(query.account, visit);
}

/** The segments a query names through `inSegment`. */
export function referencedSegments(query: SegmentQuery): string[] {
  const ids: string[] = [];
  walk(query, (node) => {
    if ('inSegment' in node) ids.push(node.inSegment);
  });
  return ids;
}

/** `ids` and every dynamic segment that reaches one of them through `inSegment`, transitively. */
export function withDependents(segments: ReadonlyMap<string, StoredSegment>, ids: Iterable<string>): Set<string> {
  const result = new Set(ids);
  const dynamic = dynamicSegments(segments);
  for (let grew = true; grew; ) {
    grew = false;
    for (const segment of dynamic) {
      if (result.has(segment.id)) continue;
      if (referencedSegments(segment.query!).some((id) => result.has(id))) {
        result.add(segment.id);
        grew = true;
      }
    }
  }
  return result;
}

const SETTINGS_KEY = 'segmentWindowsRolledAt';
const ANALYZE_AFTER = 10_000;

/**
 * Queues the contacts whose segment membership may have changed only because time moved from
 * the last roll to `now`: an event of a type some segment counts `within` a window crossed the
 * window's far edge, or an event dated in the future became past. Returns how many were queued.
 */
export async function rollSegmentWindows(db: Database, segments: ReadonlyMap<string, StoredSegment>, now: Date): Promise<number> {
  const windows = new Map<string, Set<number>>();
  for (const segment of dynamicSegments(segments)) {
    walk(segment.query!, (node) => {
      if (!('event' in node)) return;
      const edges = windows.get(node.event) ?? new Set<number>();
      edges.add(0);
      if (node.within) edges.add(durationToMillis(node.within));
      windows.set(node.event, edges);
    });
  }
  return db.transaction(async (tx) => {
    // Derived state: a lost commit only means rolling the same span again.
    await tx.exec('set local synchronous_commit = off');
    await tx.query('insert into settings (key, value) values ($1, $2) on conflict do nothing', [SETTINGS_KEY, now.toISOString()]);
    const [row] = await tx.query<{ value: string }>('select value from settings where key = $1 for update', [SETTINGS_KEY]);
    const last = new Date(row!.value);
    if (last.getTime() === now.getTime()) return 0;
    // A clock set back rolls the windows back over the same span.
    const from = Math.min(last.getTime(), now.getTime());
    const to = Math.max(last.getTime(), now.getTime());
    const types: string[] = [];
    const lows: Date[] = [];
    const highs: Date[] = [];
    for (const [type, edges] of windows) {
      for (const edge of edges) {
        types.push(type);
        lows.push(new Date(from - edge));
        highs.push(new Date(to - edge));
      }
    }
    let queued = 0;
    if (types.length > 0) {
      const rows = await tx.query<{ n: number }>(
        `with crossed as (
           insert into segment_dirty_contacts (contact_id)
           select distinct e.contact_id
             from unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) as w(type, low, high)
             join events e on e.type = w.type and e.occurred_at > w.low and e.occurred_at <= w.high
           returning 1)
         select count(*)::int as n from crossed`,
        [types, lows, highs],
      );
      queued = rows[0]?.n ?? 0;
    }
    await tx.query('update settings set value = $2 where key = $1', [SETTINGS_KEY, now.toISOString()]);
    return queued;
  });
}

export interface FullEvaluation {
  /** Segments evaluated whole by this call. */
  evaluated: string[];
  /** Of those, the ones whose members changed. */
  changed: string[];
  /** Whether every dynamic segment was evaluated whole, so the queue up to then was redundant. */
  coveredQueue: boolean;
}

/**
 * Evaluates whole every dynamic segment that needs it (new or changed query; all of them with
 * `all`), with the segments that use them through `inSegment`. Each segment is its own
 * transaction and is skipped while another worker evaluates it. A segment whose members changed
 * makes the journeys that enter from it admit their current iteration whole again.
 */
export async function evaluateStaleSegments(db: Database, segments: ReadonlyMap<string, StoredSegment>, now: Date, options: { all?: boolean } = {}): Promise<FullEvaluation> {
  const dynamic = dynamicSegments(segments);
  const result: FullEvaluation = { evaluated: [], changed: [], coveredQueue: false };
  if (dynamic.length === 0) return result;
  const stale = options.all
    ? dynamic.map((segment) => segment.id)
    : (await db.query<{ id: string }>(`select id from segments where kind = 'dynamic' and evaluated_at is null`)).map((row) => row.id);
  if (stale.length === 0) return result;
  const evaluable = new Set(dynamic.map((segment) => segment.id));
  const due = withDependents(segments, stale.filter((id) => evaluable.has(id)));
  // Written first, so a crash part-way leaves every one of them still due.
  await db.query('update segments set evaluated_at = null where id = any($1::text[]) and evaluated_at is not null', [[...due]]);
  const [queued] = await db.query<{ id: number }>('select coalesce(max(id), 0)::bigint as id from segment_dirty_contacts');
  let all = due.size === dynamic.length;
  let moved = 0;
  for (const id of due) {
    const segment = segments.get(id)!;
    const outcome = await db.transaction(async (tx) => {
      const locked = await tx.query(`select 1 from segments where id = $1 and kind = 'dynamic' and evaluated_at is null for update skip locked`, [id]);
      if (locked.length === 0) return null;
      const changes = await evaluateSegment(tx, segment, segments, now);
      await tx.query('update segments set evaluated_at = $2 where id = $1', [id, now]);
      if (changes > 0) await requireWholeAdmission(tx, { segmentIds: [id] });
      return changes;
    });
    if (outcome === null) {
      all = false;
      continue;
    }
    result.evaluated.push(id);
    if (outcome > 0) result.changed.push(id);
    moved += outcome;
  }
  // A table that just grew by many rows has no statistics for them yet: the planner would cost
  // every probe of it as a scan (and, on PostgreSQL, compile the statement with JIT each time).
  if (moved >= ANALYZE_AFTER) await db.exec('analyze segment_membership');
  if (all) {
    // Every dynamic segment was evaluated after these contacts were queued: their evaluation is
    // done. Lists and static segments were queued there too, so every journey admits whole.
    await db.transaction(async (tx) => {
      await tx.query('delete from segment_dirty_contacts where id <= $1', [queued!.id]);
      await requireWholeAdmission(tx, {});
    });
    result.coveredQueue = true;
  }
  return result;
}

/**
 * Makes live journeys admit their current iteration whole at the next admission: those entering
 * from one of `segmentIds`, or all of them when none are given.
 */
async function requireWholeAdmission(tx: Queryable, filter: { segmentIds?: string[] }): Promise<void> {
  await tx.query(
    `update journey_iterations ji set admitted_at = null
       from journeys j
      where j.id = ji.journey_id and j.status = 'live' and ji.number = j.current_iteration and ji.admitted_at is not null
        and ($1::text[] is null or exists (
              select 1 from jsonb_array_elements(coalesce(j.definition -> 'tiles' -> 0 -> 'segments', '[]'::jsonb)) s
               where s ->> 'segmentId' = any($1::text[])))`,
    [filter.segmentIds ?? null],
  );
}

/**
 * Replaces a segment's members with whoever its query holds now, in one statement, and returns
 * how many joined or left. Runs with room for the hash tables a whole-table evaluation wants.
 */
export async function evaluateSegment(tx: Queryable, segment: StoredSegment, segments: ReadonlyMap<string, StoredSegment>, now: Date): Promise<number> {
  const params = new SqlParams([segment.id, now]);
  const predicate = compileSegmentQuery(segment.query!, { params, now, segments, strategy: 'set' });
  await tx.exec(`set local work_mem = '256MB'`);
  const [row] = await tx.query<{ removed: number; added: number }>(
    `with target as materialized (select c.id from contacts c where ${predicate}),
     removed as (
       delete from segment_membership m
        where m.segment_id = $1::text and not exists (select 1 from target t where t.id = m.contact_id)
       returning 1),
     added as (
       insert into segment_membership (segment_id, contact_id, entered_at)
       select $1::text, t.id, $2::timestamptz from target t
       on conflict do nothing
       returning 1)
     select (select count(*) from removed)::int as removed, (select count(*) from added)::int as added`,
    params.values,
  );
  return (row?.removed ?? 0) + (row?.added ?? 0);
}

/** Takes up to `limit` queued contacts (each once), skipping those another worker holds. */
export async function claimDirtyContacts(tx: Queryable, limit: number): Promise<string[]> {
  const rows = await tx.query<{ contact_id: string }>(
    `delete from segment_dirty_contacts
      where id in (select id from segment_dirty_contacts order by id limit $1 for update skip locked)
      returning contact_id`,
    [limit],
  );
  return [...new Set(rows.map((row) => row.contact_id))];
}

// Below PostgreSQL's 65 535 parameters of one statement: a segment within MAX_EXPANDED_CONDITIONS
// adds at most about 10 000, so a statement started under this bound stays under that one.
const PARAMS_PER_STATEMENT = 30_000;

/**
 * Re-evaluates every dynamic segment for the given contacts and writes the differences, in as few
 * statements as the parameter limit allows (one, unless there are many large segments). Returns
 * how many memberships were added or removed.
 */
export async function evaluateContacts(tx: Queryable, segments: ReadonlyMap<string, StoredSegment>, contactIds: readonly string[], now: Date): Promise<number> {
  const dynamic = dynamicSegments(segments);
  if (contactIds.length === 0 || dynamic.length === 0) return 0;
  let changes = 0;
  let group: { params: SqlParams; cases: string[]; ids: string[] } | null = null;
  for (const segment of dynamic) {
    group ??= { params: new SqlParams([contactIds, now]), cases: [], ids: [] };
    const predicate = compileSegmentQuery(segment.query!, { params: group.params, now, segments });
    group.cases.push(`case when ${predicate} then ${group.params.add(segment.id)}::text end`);
    group.ids.push(segment.id);
    if (group.params.values.length >= PARAMS_PER_STATEMENT) {
      changes += await writeMemberships(tx, group.params, group.cases, group.ids);
      group = null;
    }
  }
  if (group) changes += await writeMemberships(tx, group.params, group.cases, group.ids);
  return changes;
}

/** The memberships of contacts `$1` in the segments `ids`, as `cases` (one per segment) decide, at `$2`. */
async function writeMemberships(tx: Queryable, params: SqlParams, cases: string[], ids: string[]): Promise<number> {
  const segmentIds = params.add(ids);
  const [row] = await tx.query<{ removed: number; added: number }>(
    `with desired as materialized (
       select c.id as contact_id, s.segment_id
         from contacts c cross join lateral unnest(array[${cases.join(', ')}]) as s(segment_id)
        where c.id = any($1::text[]) and s.segment_id is not null),
     removed as (
       delete from segment_membership m
        where m.contact_id = any($1::text[]) and m.segment_id = any(${segmentIds}::text[])
          and not exists (select 1 from desired d where d.contact_id = m.contact_id and d.segment_id = m.segment_id)
       returning 1),
     added as (
       insert into segment_membership (segment_id, contact_id, entered_at)
       select d.segment_id, d.contact_id, $2::timestamptz from desired d
       on conflict do nothing
       returning 1)
     select (select count(*) from removed)::int as removed, (select count(*) from added)::int as added`,
    params.values,
  );
  return (row?.removed ?? 0) + (row?.added ?? 0);
}
