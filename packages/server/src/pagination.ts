import { z } from 'zod';
import type { Queryable } from '@waymark/engine';
import { decode } from './decode.ts';
import { textProblem } from './inputGuard.ts';
import { badRequest } from './problem.ts';

export const ListQuery = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** A position in creation order: microseconds since the epoch, then id, exactly as stored. */
interface Cursor {
  at: number;
  id: string;
}

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(text: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    // The id goes to PostgreSQL as text: one holding a NUL must be our 400, not its error.
    const validId = typeof value.id === 'string' && value.id.length <= 200 && textProblem(value.id) === null;
    if (Number.isSafeInteger(value.at) && Math.abs(value.at) < 10 ** 16 && validId) return value;
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
    where = ` and (${alias}.created_at, ${alias}.id::text) > (timestamptz 'epoch' + $${all.length - 1}::bigint * interval '1 microsecond', $${all.length}::text)`;
  }
  all.push(limit + 1);
  // The cursor keeps created_at in whole microseconds: a JS Date would drop the microseconds that
  // tell apart rows created in the same millisecond, and a number is all a forged cursor can be.
  const withCursor = sql.replace(/^\s*select\s/i, `select (extract(epoch from ${alias}.created_at) * 1000000)::bigint as "cursorAt", `);
  const rows = await db.query<T & { cursorAt: number }>(`${withCursor}${where} order by ${alias}.created_at, ${alias}.id::text limit $${all.length}`, all);
  const items = rows.slice(0, limit).map(({ cursorAt: _cursorAt, ...item }) => item as unknown as T);
  const last = rows[Math.min(rows.length, limit) - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor({ at: last.cursorAt, id: last.id }) : null;
  return { items, nextCursor };
}

/**
 * The `where` clause shared by record lists: `status` matches exactly, `q` is a case-insensitive
 * part of the name. Values go into `params`; only fixed column names enter the SQL.
 */
export function listWhere(params: unknown[], filter: { status?: string; q?: string }): string {
  let where = 'where true';
  if (filter.status) {
    params.push(filter.status);
    where += ` and t.status = $${params.length}`;
  }
  if (filter.q) {
    params.push(filter.q);
    where += ` and strpos(lower(t.name), lower($${params.length})) > 0`;
  }
  return where;
}
