import pg from 'pg';
import type { Database, Queryable } from './database.ts';

// Return int8 (counts, bigserial ids) as JS numbers: our values stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

function wrap(client: pg.PoolClient | pg.Pool): Queryable {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query(sql, params as unknown[]);
      return result.rows as Row[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

export interface PostgresOptions {
  maxConnections?: number;
  /** The server cancels a statement running longer (SQLSTATE 57014); unset, none is cancelled. */
  statementTimeoutMs?: number;
  /** How long a query waits for a free connection before it fails; unset, it waits as long as it takes. */
  connectionWaitMs?: number;
}

/** Swallows the connection's own error event: the statement in flight fails with it anyway. */
const ignoreConnectionError = () => undefined;

export function connectPostgres(url: string, options: PostgresOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 4,
    statement_timeout: options.statementTimeoutMs,
    connectionTimeoutMillis: options.connectionWaitMs,
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const base = wrap(pool);
  return {
    kind: 'postgres',
    query: base.query,
    exec: base.exec,
    async transaction(work, options) {
      const client = await pool.connect();
      // A client checked out for a transaction has no pool listener: without one, a connection the
      // server drops (a restart, pg_terminate_backend) between two statements emits an unhandled
      // 'error' that ends the process. The transaction's next statement fails instead, and rolls back.
      client.on('error', ignoreConnectionError);
      let broken: Error | undefined;
      try {
        // One round trip either way: both statements go as one simple query.
        await client.query(options?.waitForDisk === false ? 'BEGIN; SET LOCAL synchronous_commit = off' : 'BEGIN');
        const result = await work(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        client.off('error', ignoreConnectionError);
        // A connection that cannot even roll back is dead: passing the error discards it.
        client.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}
