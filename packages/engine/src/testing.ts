import { randomBytes } from 'node:crypto';
import { connectPglite } from './db/pglite.ts';
import { connectPostgres } from './db/postgres.ts';
import type { Database } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { connectPreviewPool, withPreviews } from './db/previews.ts';

export interface TestDatabase {
  db: Database;
  /** The URL of this database when it lives on a server (for a second process), else undefined. */
  url?: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database of its own for one test file: a new database on the server named by
 * WAYMARK_TEST_DATABASE_URL, else an in-memory PGlite. Nothing leaks between files.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.WAYMARK_TEST_DATABASE_URL;
  if (!serverUrl) {
    const db = await connectPglite();
    await migrate(db);
    return { db, drop: () => db.close().catch(() => undefined) };
  }
  const name = `waymark_test_${randomBytes(6).toString('hex')}`;
  const admin = connectPostgres(serverUrl, { maxConnections: 1 });
  await admin.exec(`create database ${name}`);
  await admin.close();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // With a preview pool, as `waymark start` has one on PostgreSQL.
  const db = withPreviews(connectPostgres(url.toString()), connectPreviewPool(url.toString()));
  await migrate(db);
  return {
    db,
    url: url.toString(),
    async drop() {
      // A test may have closed it already (to see how the server copes with a lost database).
      await db.close().catch(() => undefined);
      const cleanup = connectPostgres(serverUrl, { maxConnections: 1 });
      await cleanup.exec(`drop database if exists ${name} with (force)`);
      await cleanup.close();
    },
  };
}
