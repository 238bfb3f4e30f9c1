import { durationToMillis } from './duration.ts';
import type { AccountFacts, ContactFacts, EventFact } from './facts.ts';
import { ACCOUNT_FIELDS, CONTACT_FIELDS, type AttributeOp, type AttributeValue, type SegmentQuery } from './segmentQuery.ts';

/**
 * The reference evaluator: what a segment query means, in memory. The SQL compiler in the engine
 * must agree with it on every contact; tests hold them to that.
 *
 * Missing values follow SQL's spirit with one user-friendly exception: `neq` and `notIn` match a
 * contact that has no value at all ("city is not New York" includes people with no city).
 */
export function matchesQuery(query: SegmentQuery, facts: ContactFacts, now: Date): boolean {
  if ('and' in query) return query.and.every((part) => matchesQuery(part, facts, now));
  if ('or' in query) return query.or.some((part) => matchesQuery(part, facts, now));
  if ('not' in query) return !matchesQuery(query.not, facts, now);
  if ('attribute' in query) return matchesAttribute(contactValue(facts, query.attribute), query.op, query.value);
  if ('account' in query) return facts.account ? matchesAccount(query.account, facts.account) : false;
  if ('event' in query) return matchesEvents(query, facts.events, now);
  if ('inSegment' in query) return facts.segments.has(query.inSegment);
  return facts.lists.has(query.subscribedTo);
}

function matchesAccount(query: SegmentQuery, account: AccountFacts): boolean {
  if ('and' in query) return query.and.every((part) => matchesAccount(part, account));
  if ('or' in query) return query.or.some((part) => matchesAccount(part, account));
  if ('not' in query) return !matchesAccount(query.not, account);
  if ('attribute' in query) return matchesAttribute(accountValue(account, query.attribute), query.op, query.value);
  // Behaviour, segments and lists belong to contacts; inside `account` they match nobody.
  return false;
}

/** A record's own value for `name`: never one inherited from Object.prototype (`constructor`, `__proto__`). */
function own(record: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/** A built-in contact field or custom attribute of the contact, as queries see it. */
export function contactValue(facts: ContactFacts, name: string): unknown {
  if (!(CONTACT_FIELDS as readonly string[]).includes(name)) return own(facts.attributes, name);
  // Derived fields read as the database computes them: no lead is no score and not sales-ready.
  if (name === 'leadScore') return facts.leadScore ?? null;
  if (name === 'salesReady') return facts.salesReady ?? false;
  return (facts as unknown as Record<string, unknown>)[name];
}

function accountValue(account: AccountFacts, name: string): unknown {
  return (ACCOUNT_FIELDS as readonly string[]).includes(name) ? (account as unknown as Record<string, unknown>)[name] : own(account.attributes, name);
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function sameType(a: unknown, b: unknown): boolean {
  return typeof a === typeof b && (typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean');
}

/**
 * Strings order by Unicode code point (the byte order of their UTF-8, PostgreSQL's "C" collation),
 * not by JavaScript's UTF-16 code units, which put U+E000..U+FFFF after every astral character.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only where a surrogate meets a unit at or above U+E000 do the two orders differ.
    const surrogateX = x >= 0xd800 && x <= 0xdfff;
    const surrogateY = y >= 0xd800 && y <= 0xdfff;
    if (surrogateX !== surrogateY && (surrogateX ? y >= 0xe000 : x >= 0xe000)) return surrogateX ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compare(actual: unknown, expected: unknown): number | null {
  if (!sameType(actual, expected)) return null;
  if (actual === expected) return 0;
  if (typeof actual === 'string') return compareCodePoints(actual, expected as string);
  return (actual as number | boolean) < (expected as number | boolean) ? -1 : 1;
}

export function matchesAttribute(actual: unknown, op: AttributeOp, expected: AttributeValue | undefined): boolean {
  switch (op) {
    case 'exists':
      return isPresent(actual);
    case 'notExists':
      return !isPresent(actual);
    case 'eq':
      return isPresent(actual) && compare(actual, expected) === 0;
    case 'neq':
      return !isPresent(actual) || compare(actual, expected) !== 0;
    case 'in':
      return isPresent(actual) && Array.isArray(expected) && expected.some((item) => compare(actual, item) === 0);
    case 'notIn':
      return !isPresent(actual) || !Array.isArray(expected) || !expected.some((item) => compare(actual, item) === 0);
    case 'contains':
      return typeof actual === 'string' && typeof expected === 'string' && actual.includes(expected);
    case 'startsWith':
      return typeof actual === 'string' && typeof expected === 'string' && actual.startsWith(expected);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const order = compare(actual, expected);
      if (order === null) return false;
      if (op === 'gt') return order > 0;
      if (op === 'gte') return order >= 0;
      return op === 'lt' ? order < 0 : order <= 0;
    }
  }
}

/** Whether an event's properties hold every `where` pair (strict equality on scalars). */
export function eventMatchesWhere(event: EventFact, where: Record<string, unknown> | undefined): boolean {
  if (!where) return true;
  return Object.entries(where).every(([key, value]) => own(event.properties, key) === value);
}

function matchesEvents(query: Extract<SegmentQuery, { event: string }>, events: readonly EventFact[], now: Date): boolean {
  const since = query.within ? now.getTime() - durationToMillis(query.within) : -Infinity;
  const count = events.filter(
    (event) => event.type === query.event && event.occurredAt.getTime() >= since && event.occurredAt.getTime() <= now.getTime() && eventMatchesWhere(event, query.where),
  ).length;
  const { gte, lte } = query.count ?? {};
  if (gte === undefined && lte === undefined) return count >= 1;
  return (gte === undefined || count >= gte) && (lte === undefined || count <= lte);
}
