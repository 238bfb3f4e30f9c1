import { ACCOUNT_FIELDS, CONTACT_FIELDS, durationToMillis, type AttributeOp, type AttributeValue, type SegmentQuery } from '@waymark/core';
import { MAX_SEGMENT_DEPTH } from './expansion.ts';

/** Collects statement parameters; every value from a query becomes a `$n`, never SQL text. */
export class SqlParams {
  readonly values: unknown[] = [];
  constructor(initial: readonly unknown[] = []) {
    this.values.push(...initial);
  }
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export interface StoredSegment {
  id: string;
  kind: 'dynamic' | 'static';
  query: SegmentQuery | null;
}

export interface CompileContext {
  params: SqlParams;
  now: Date;
  segments: ReadonlyMap<string, StoredSegment>;
  /**
   * How event conditions are asked. `row` (the default): a correlated probe per contact, best for a
   * few contacts. `set`: the matching events are grouped once and joined, best for a whole table.
   */
  strategy?: 'row' | 'set';
}

const CONTACT_COLUMNS: Record<(typeof CONTACT_FIELDS)[number], string> = {
  email: 'email',
  firstName: 'first_name',
  lastName: 'last_name',
  consent: 'consent',
  timeZone: 'time_zone',
  accountId: 'account_id',
  businessUnitId: 'business_unit_id',
  ownerUserId: 'owner_user_id',
  createdAt: 'created_at',
  // Derived from leads, not columns; see valueOf.
  leadScore: 'lead_score',
  salesReady: 'sales_ready',
};
const ACCOUNT_COLUMNS: Record<(typeof ACCOUNT_FIELDS)[number], string> = { name: 'name', businessUnitId: 'business_unit_id', ownerUserId: 'owner_user_id' };

/**
 * Compiles a segment query to a SQL predicate over `contacts c`. It means exactly what the core's
 * reference evaluator `matchesQuery` means; attribute names and values travel as parameters.
 */
export function compileSegmentQuery(query: SegmentQuery, ctx: CompileContext, contact = 'c', depth = 0): string {
  if ('and' in query) return `(${query.and.map((part) => compileSegmentQuery(part, ctx, contact, depth)).join(' and ')})`;
  if ('or' in query) return `(${query.or.map((part) => compileSegmentQuery(part, ctx, contact, depth)).join(' or ')})`;
  if ('not' in query) return `(not ${compileSegmentQuery(query.not, ctx, contact, depth)})`;
  if ('attribute' in query) return compileAttribute(() => valueOf(contact, query.attribute, CONTACT_COLUMNS, ctx.params), query.op, query.value, ctx.params);
  if ('account' in query) return `exists (select 1 from accounts a where a.id = ${contact}.account_id and ${compileAccount(query.account, ctx.params)})`;
  if ('event' in query) return compileEvent(query, ctx, contact);
  if ('subscribedTo' in query) return `exists (select 1 from list_members lm where lm.list_id = ${ctx.params.add(query.subscribedTo)} and lm.contact_id = ${contact}.id)`;
  const segment = ctx.segments.get(query.inSegment);
  if (!segment || depth >= MAX_SEGMENT_DEPTH) return 'false';
  if (segment.kind === 'static' || !segment.query) {
    return `exists (select 1 from segment_members sm where sm.segment_id = ${ctx.params.add(segment.id)} and sm.contact_id = ${contact}.id)`;
  }
  return compileSegmentQuery(segment.query, ctx, contact, depth + 1);
}

function compileAccount(query: SegmentQuery, params: SqlParams): string {
  if ('and' in query) return `(${query.and.map((part) => compileAccount(part, params)).join(' and ')})`;
  if ('or' in query) return `(${query.or.map((part) => compileAccount(part, params)).join(' or ')})`;
  if ('not' in query) return `(not ${compileAccount(query.not, params)})`;
  if ('attribute' in query) return compileAttribute(() => valueOf('a', query.attribute, ACCOUNT_COLUMNS, params), query.op, query.value, params);
  return 'false';
}

/** The attribute's value as jsonb: a known column, else the custom attribute by (parameterised) name. */
function valueOf(alias: string, name: string, columns: Record<string, string>, params: SqlParams): string {
  const column = Object.hasOwn(columns, name) ? columns[name] : undefined;
  if (column === 'created_at') return `to_jsonb(to_char(${alias}.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`;
  // The contact's own leads and its account's account-level leads, as loadContactFacts reads them.
  const leads = `from leads l where (l.contact_id = ${alias}.id or (l.contact_id is null and l.account_id = ${alias}.account_id))`;
  if (column === 'lead_score') return `to_jsonb((select max(l.score) ${leads}))`;
  if (column === 'sales_ready') return `to_jsonb(exists (select 1 ${leads} and l.sales_ready_at is not null))`;
  return column ? `to_jsonb(${alias}.${column})` : `(${alias}.attributes -> ${params.add(name)}::text)`;
}

/**
 * A condition whose outcome the value given decides alone (`eq` null, `gt` an array). Answered
 * without reading the attribute, so that no parameter is added that the SQL never uses (PostgreSQL
 * refuses a statement with a parameter whose type nothing determines).
 */
function constantOutcome(op: AttributeOp, expected: AttributeValue | undefined): 'true' | 'false' | null {
  switch (op) {
    case 'eq':
      return expected === null || Array.isArray(expected) ? 'false' : null;
    case 'neq':
      return expected === null || Array.isArray(expected) ? 'true' : null;
    case 'in':
      return Array.isArray(expected) ? null : 'false';
    case 'notIn':
      return Array.isArray(expected) ? null : 'true';
    case 'contains':
    case 'startsWith':
      return typeof expected === 'string' ? null : 'false';
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return typeof expected === 'number' || typeof expected === 'string' || typeof expected === 'boolean' ? null : 'false';
    case 'exists':
    case 'notExists':
      return null;
  }
}

function compileAttribute(valueSql: () => string, op: AttributeOp, expected: AttributeValue | undefined, params: SqlParams): string {
  const constant = constantOutcome(op, expected);
  if (constant !== null) return constant;
  const value = valueSql();
  const present = `(${value} is not null and jsonb_typeof(${value}) <> 'null')`;
  const json = (item: unknown) => `${params.add(JSON.stringify(item))}::jsonb`;
  switch (op) {
    case 'exists':
      return present;
    case 'notExists':
      return `(not ${present})`;
    case 'eq':
      return expected === null || Array.isArray(expected) ? 'false' : `(${present} and ${value} = ${json(expected)})`;
    case 'neq':
      return expected === null || Array.isArray(expected) ? 'true' : `(not ${present} or ${value} <> ${json(expected)})`;
    case 'in':
    case 'notIn': {
      const items = Array.isArray(expected) ? expected.filter((item) => item !== null) : [];
      const member = `(${present} and exists (select 1 from jsonb_array_elements(${json(items)}) item where item = ${value}))`;
      if (op === 'in') return Array.isArray(expected) ? member : 'false';
      return Array.isArray(expected) ? `(not ${member})` : 'true';
    }
    case 'contains':
    case 'startsWith': {
      if (typeof expected !== 'string') return 'false';
      const text = `case when jsonb_typeof(${value}) = 'string' then (${value} #>> '{}') end`;
      const needle = `${params.add(expected)}::text`;
      const test = op === 'contains' ? `strpos(${text}, ${needle}) > 0` : `starts_with(${text}, ${needle})`;
      return `coalesce(${test}, false)`;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const sqlOp = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
      // SQL may evaluate either side of an `and` first, so each cast sits behind its own type test
      // in a case: a string never reaches ::numeric. A null comparison is false, as in the evaluator.
      if (typeof expected === 'number') {
        return `coalesce(case when jsonb_typeof(${value}) = 'number' then (${value})::numeric end ${sqlOp} ${params.add(expected)}::numeric, false)`;
      }
      // Byte order ("C"), like JavaScript's comparison of strings, whatever the database's locale.
      if (typeof expected === 'string') {
        return `coalesce(case when jsonb_typeof(${value}) = 'string' then (${value} #>> '{}') end collate "C" ${sqlOp} ${params.add(expected)}::text collate "C", false)`;
      }
      if (typeof expected === 'boolean') {
        return `coalesce(case when jsonb_typeof(${value}) = 'boolean' then (${value})::boolean end ${sqlOp} ${params.add(expected)}::boolean, false)`;
      }
      return 'false';
    }
  }
}

function compileEvent(query: Extract<SegmentQuery, { event: string }>, ctx: CompileContext, contact: string): string {
  const { params } = ctx;
  // At least none and no upper bound: everyone, without a look at the events (nor a parameter for them).
  if (query.count && query.count.gte !== undefined && query.count.gte <= 0 && query.count.lte === undefined) return 'true';
  const filters = [`e.type = ${params.add(query.event)}::text`, `e.occurred_at <= ${params.add(ctx.now)}::timestamptz`];
  if (query.within) filters.push(`e.occurred_at >= ${params.add(new Date(ctx.now.getTime() - durationToMillis(query.within)))}::timestamptz`);
  if (query.where) filters.push(`e.properties @> ${params.add(JSON.stringify(query.where))}::jsonb`);
  if (ctx.strategy === 'set') return compileEventSet(query, filters, params, contact);
  filters.unshift(`e.contact_id = ${contact}.id`);
  const matching = `from events e where ${filters.join(' and ')}`;
  if (!query.count) return `exists (select 1 ${matching})`;
  const bounds: string[] = [];
  if (query.count.gte !== undefined) bounds.push(`count(*) >= ${params.add(query.count.gte)}::bigint`);
  if (query.count.lte !== undefined) bounds.push(`count(*) <= ${params.add(query.count.lte)}::bigint`);
  if (bounds.length === 0) return `exists (select 1 ${matching})`;
  return `(select ${bounds.join(' and ')} ${matching})`;
}

/**
 * The same condition for a whole table: "at least k matching events" is the set of contacts a
 * grouped scan of the events finds, built once and probed by hash, instead of one index probe
 * per contact. A count of at most n is "not at least n + 1", so contacts without events qualify.
 */
function compileEventSet(query: Extract<SegmentQuery, { event: string }>, filters: string[], params: SqlParams, contact: string): string {
  const atLeast = (k: number) =>
    `${contact}.id in (select e.contact_id from events e where ${filters.join(' and ')}${k > 1 ? ` group by e.contact_id having count(*) >= ${params.add(k)}::bigint` : ''})`;
  const { gte, lte } = query.count ?? {};
  if (gte === undefined && lte === undefined) return atLeast(1);
  const parts: string[] = [];
  if (gte !== undefined && gte > 0) parts.push(atLeast(gte));
  if (lte !== undefined) parts.push(`(not ${atLeast(lte + 1)})`);
  return parts.length === 0 ? 'true' : `(${parts.join(' and ')})`;
}
