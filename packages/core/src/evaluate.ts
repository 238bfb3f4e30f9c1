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

function contactValue(facts: ContactFacts, name: string): unknown {
  return (CONTACT_FIELDS as readonly string[]).includes(name) ? (facts as unknown as Record<string, unknown>)[name] : facts.attributes[name];
}

function accountValue(account: AccountFacts, name: string): unknown {
  return (ACCOUNT_FIELDS as readonly string[]).includes(name) ? (account as unknown as Record<string, unknown>)[name] : account.attributes[name];
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function sameType(a: unknown, b: unknown): boolean {
  return typeof a === typeof b && (typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean');
}

function compare(actual: unknown, expected: unknown): number | null {
  if (!sameType(actual, expected)) return null;
  if (actual === expected) return 0;
  return (actual as string | number) < (expected as string | number) ? -1 : 1;
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
  return Object.entries(where).every(([key, value]) => event.properties[key] === value);
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
