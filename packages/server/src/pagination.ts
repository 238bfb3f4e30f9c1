import { z } from 'zod';
import type { Queryable } from '@waymark/engine';
import { decode } from './decode.ts';
import { badRequest } from './problem.ts';

export const ListQuery = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

interface Cursor {
  at: string;
  id: string;
}

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(text: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if (typeof value.at === 'string' && typeof value.id === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/.test(value.at)) return value;
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('Invalid cursor', [{ path: 'cursor', message: 'not a cursor this API returned' }]);
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * One page of `select ... from x alias where ...` in creation order. `sql` must select `id` and
 * end in a where clause; `alias` is the table alias whose (created_at, id) order the pages.
 */
export async function listPage<T extends { id: string }>(
  db: Queryable,
  query: unknown,
  sql: string,
  params: unknown[],
  alias = 't',
): Promise<Page<T>> {
  const { cursor, limit } = decode(ListQuery, query);
  const all = [...params];
  let where = '';
  if (cursor) {
    const position = decodeCursor(cursor);
    all.push(position.at, position.id);
    where = ` and (${alias}.created_at, ${alias}.id::text) > ($${all.length - 1}::timestamptz, $${all.length}::text)`;
  }
  all.push(limit + 1);
  // The cursor keeps created_at as PostgreSQL's own text: a JS Date would drop the microseconds
  // that tell apart rows created in the same millisecond.
  const withCursor = sql.replace(/^\s*select\s/i, `select ${alias}.created_at::text as "cursorAt", `);
  const rows = await db.query<T & { cursorAt: string }>(`${withCursor}${where} order by ${alias}.created_at, ${alias}.id::text limit $${all.length}`, all);
  const items = rows.slice(0, limit).map(({ cursorAt: _cursorAt, ...item }) => item as unknown as T);
  const last = rows[Math.min(rows.length, limit) - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor({ at: last.cursorAt, id: last.id }) : null;
  return { items, nextCursor };
}
