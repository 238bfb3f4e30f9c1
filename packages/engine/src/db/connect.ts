import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Database } from './database.ts';
import { connectPglite } from './pglite.ts';
import { connectPostgres } from './postgres.ts';
import { connectPreviewPool, withPreviews } from './previews.ts';

export interface ConnectOptions {
  /** A PostgreSQL URL; without one the embedded database under `dataDir` is used. */
  databaseUrl?: string;
  dataDir?: string;
  maxConnections?: number;
}

export async function connectDatabase(options: ConnectOptions): Promise<Database> {
  if (options.databaseUrl) return withPreviews(connectPostgres(options.databaseUrl, options), connectPreviewPool(options.databaseUrl));
  if (!options.dataDir) return connectPglite();
  const dir = path.resolve(options.dataDir, 'pg');
  mkdirSync(dir, { recursive: true });
  return connectPglite(dir);
}
