import type { Queryable } from '@waymark/engine';
import type { Caller } from '../context.ts';
import { badRequest } from '../problem.ts';
import { visibleIds } from '../visibility.ts';
import { unknownContacts } from './contacts.ts';

/** The two kinds of hand-kept membership: static segments and subscription lists. */
const MEMBERSHIPS = {
  segment: { table: 'segment_members', owner: 'segment_id' },
  list: { table: 'list_members', owner: 'list_id' },
} as const;

/**
 * Adds and removes members by hand, set-based, after checking the caller sees every contact (a 400
 * naming `add.N` / `remove.N` otherwise, with nothing written: another unit's contact is as unknown
 * as one that never existed). Answers how many changed.
 */
export async function changeMembers(
  tx: Queryable,
  caller: Caller,
  kind: keyof typeof MEMBERSHIPS,
  ownerId: string,
  add: string[],
  remove: string[],
  now: Date,
): Promise<{ added: number; removed: number }> {
  const known = await visibleIds(tx, caller, 'contacts', [...add, ...remove]);
  const errors = [...unknownContacts(add, known, 'add'), ...unknownContacts(remove, known, 'remove')];
  if (errors.length > 0) throw badRequest('Unknown contacts', errors.slice(0, 1000));
  const { table, owner } = MEMBERSHIPS[kind];
  const added = await tx.query(
    `insert into ${table} (${owner}, contact_id, added_at) select $1, x, $3 from unnest($2::text[]) as x on conflict do nothing returning contact_id`,
    [ownerId, [...new Set(add)], now],
  );
  const removed = await tx.query(`delete from ${table} where ${owner} = $1 and contact_id = any($2::text[]) returning contact_id`, [ownerId, [...new Set(remove)]]);
  return { added: added.length, removed: removed.length };
}
