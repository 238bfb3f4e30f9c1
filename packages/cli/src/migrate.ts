import { connectDatabase, migrate as applyMigrations } from '@waymark/engine';
import { parseFlags } from './args.ts';
import { databaseOptions, DEFAULT_DATA_DIR } from './settings.ts';

export const migrateHelp = `Usage: waymark migrate [--database-url URL | --data DIR]

Applies the database migrations not applied yet, prints them, and exits. Safe to run while
servers and workers are running, and from several processes at once.

Options (each also an environment variable):
      --database-url URL       PostgreSQL server                             WAYMARK_DATABASE_URL
      --data DIR               embedded database directory                   WAYMARK_DATA_DIR (${DEFAULT_DATA_DIR})
  -h, --help                   show this help`;

const options = {
  'database-url': { type: 'string' },
  data: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function migrate(argv: string[]): Promise<number> {
  const flags = parseFlags('migrate', argv, options);
  if (flags.help) {
    console.log(migrateHelp);
    return 0;
  }
  const connection = databaseOptions(flags);
  const db = await connectDatabase(connection);
  try {
    const applied = await applyMigrations(db);
    for (const name of applied) console.log(`applied ${name}`);
    console.log(applied.length > 0 ? `migrated ${connection.describe}` : `${connection.describe} is up to date`);
  } finally {
    await db.close();
  }
  return 0;
}
