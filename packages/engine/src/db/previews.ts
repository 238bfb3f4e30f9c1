import type { Database, Queryable } from './database.ts';
import { connectPostgres } from './postgres.ts';

/** The preview pool's bounds (docs/limits.md). */
export const PREVIEW_LIMITS = {
  /** Of the database server's connections; the API and the worker keep theirs. */
  connections: 2,
  /** Longer than any preview of a well-formed query over a million contacts takes. */
  statementTimeoutMs: 10_000,
  /** Waiting for one of the two connections while other previews hold them. */
  connectionWaitMs: 5_000,
};

/** A preview that ran past the statement timeout, or found no free connection in time. */
export class QueryTimeoutError extends Error {
  override readonly name = 'QueryTimeoutError';
}

const QUERY_CANCELED = '57014';

function timeoutOf(error: unknown): QueryTimeoutError | null {
  if (!(error instanceof Error)) return null;
  if ((error as Error & { code?: string }).code === QUERY_CANCELED) return new QueryTimeoutError('the query ran past the statement timeout');
  // pg-pool's own words when no connection frees up within connectionTimeoutMillis.
  if (/timeout exceeded when trying to connect/i.test(error.message)) return new QueryTimeoutError('every preview connection is busy');
  return null;
}

async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw timeoutOf(error) ?? error;
  }
}

function translating(db: Queryable): Queryable {
  return {
    query: (sql, params) => translated(() => db.query(sql, params)),
    exec: (sql) => translated(() => db.exec(sql)),
  };
}

/** The small, time-bounded pool for previews on the PostgreSQL server at `url`. */
export function connectPreviewPool(url: string, limits = PREVIEW_LIMITS): Database {
  const pool = connectPostgres(url, { maxConnections: limits.connections, statementTimeoutMs: limits.statementTimeoutMs, connectionWaitMs: limits.connectionWaitMs });
  return {
    kind: pool.kind,
    ...translating(pool),
    transaction: (work) => translated(() => pool.transaction((tx) => work(translating(tx)))),
    close: () => pool.close(),
  };
}

/** `db`, with `previews` for interactive previews; closing it closes both. */
export function withPreviews(db: Database, previews: Database): Database {
  return {
    kind: db.kind,
    query: db.query,
    exec: db.exec,
    transaction: db.transaction,
    previews,
    async close() {
      await previews.close();
      await db.close();
    },
  };
}

/** Where a preview runs: the preview pool when there is one, else the database itself (PGlite). */
export const previewDatabase = (db: Database): Database => db.previews ?? db;
