/**
 * Who may see and change what: the one place that decides it (docs/security.md).
 *
 * - Records of a business unit (contacts, accounts, segments, journeys, users) and everything about
 *   a person (messages, events, activities, leads, list and segment memberships) belong to a unit.
 *   Organization-level users see and change every unit's; business-unit-level users see and change
 *   their own unit's only, and for them any other record simply does not exist: its id answers 404,
 *   and in a body it is "no ... with this id", exactly like an id nobody ever used.
 * - Organization-wide records (subscription lists, emails, content settings, forms, pages,
 *   workflows, scoring models, the hard-bounce list, business units and users above the unit) are
 *   read by everyone who may read them, and changed only by organization-level writers.
 * - Viewers change nothing; admins alone manage people, keys and business units.
 *
 * Engine queries behind a route take `visibleUnit(caller)`: the unit they are limited to, or null.
 */
import type { Queryable } from '@waymark/engine';
import { requireWriter } from './auth.ts';
import type { Caller } from './context.ts';
import { forbidden } from './problem.ts';

/** The business unit whose records the caller sees, or null: an organization-level caller sees all. */
export function visibleUnit(caller: Caller): string | null {
  return caller.level === 'organization' ? null : caller.businessUnitId;
}

/** Whether a record of `businessUnitId` exists for the caller (a record of no unit is organization-level). */
export function canSee(caller: Caller, businessUnitId: string | null | undefined): boolean {
  return caller.level === 'organization' || businessUnitId === caller.businessUnitId;
}

/** The same rule as a list filter: ` and <column> = $n` for business-unit-level callers. */
export function unitFilter(caller: Caller, column: string, params: unknown[]): string {
  const unit = visibleUnit(caller);
  if (unit === null) return '';
  params.push(unit);
  return ` and ${column} = $${params.length}`;
}

/**
 * `level` is the reach of create/update rights (contract §3): a business-unit-level user creates and
 * changes only records of its own business unit; an organization-level user reaches every unit.
 */
export function requireReach(caller: Caller, businessUnitId: string | null | undefined, what: string): void {
  if (caller.level === 'organization') return;
  if (businessUnitId !== caller.businessUnitId) {
    throw forbidden(`${what} is outside your business unit; business-unit-level users change only their own unit's records`);
  }
}

/**
 * Organization-wide records (lists, emails, content settings, forms, pages, workflows, scoring
 * models, the hard-bounce list) are shared by every unit, so only organization-level writers change them.
 */
export function requireOrganizationWriter(caller: Caller, what: string): void {
  requireWriter(caller);
  if (caller.level !== 'organization') throw forbidden(`${what} are shared by the whole organization; only organization-level users change them`);
}

/** What spans every unit (a person's whole export) is for organization-level users only. */
export function requireOrganizationLevel(caller: Caller, what: string): void {
  if (caller.level !== 'organization') throw forbidden(`${what}; only organization-level users may have it`);
}

/** Tables of records that belong to a business unit, whose ids a body may name. */
export type UnitTable = 'contacts' | 'accounts' | 'segments' | 'users';

/**
 * Which of `ids` name records of `table` the caller sees, in one statement. Every other id, of
 * another unit or of nothing, is equally unknown to the caller.
 */
export async function visibleIds(db: Queryable, caller: Caller, table: UnitTable, ids: readonly string[]): Promise<Set<string>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Set();
  const rows = await db.query<{ id: string }>(`select id from ${table} where id = any($1::text[]) and ($2::text is null or business_unit_id = $2)`, [wanted, visibleUnit(caller)]);
  return new Set(rows.map((row) => row.id));
}
