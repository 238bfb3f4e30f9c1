import type { Caller } from './context.ts';

/**
 * What a caller may see. Organization-level users see every record; business-unit-level users see
 * the records of their own unit only, and for them any other record simply does not exist (404),
 * so ids of other units reveal nothing.
 */
export function canSee(caller: Caller, businessUnitId: string | null | undefined): boolean {
  return caller.level === 'organization' || businessUnitId === caller.businessUnitId;
}

/** The same rule as a list filter: ` and <column> = $n` for business-unit-level callers. */
export function unitFilter(caller: Caller, column: string, params: unknown[]): string {
  if (caller.level === 'organization') return '';
  params.push(caller.businessUnitId);
  return ` and ${column} = $${params.length}`;
}
