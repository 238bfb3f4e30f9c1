/**
 * The one small database interface the engine talks to. Two implementations speak the same
 * PostgreSQL dialect: PGlite embedded (one machine, tests) and a PostgreSQL server (production).
 */
export interface Queryable {
  /** Runs one parameterised statement and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /**
   * Runs `work` in one transaction: all of its writes land, or none do. With `waitForDisk: false`
   * the commit returns before the log reaches the disk (PostgreSQL's synchronous_commit off): a
   * crash of the database server itself may forget the last fraction of a second of such commits.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>, options?: { waitForDisk?: boolean }): Promise<T>;
  close(): Promise<void>;
  /**
   * Where interactive previews run (segment previews and member listings, email previews): a small
   * pool of its own with a statement timeout, so a few expensive previews can neither take every
   * connection nor run for minutes. Absent on PGlite, which has one connection and cannot cancel.
   */
  readonly previews?: Database;
  /** Connections of a server's pool, for metrics (an embedded database has no pool). */
  poolStats?(): PoolStats;
}

export interface PoolStats {
  total: number;
  idle: number;
  /** Callers queued for a connection: above zero for long, the pool is too small or stuck. */
  waiting: number;
}
