import { connectDatabase, ensureOrganizationAdmin, migrate } from '@waymark/engine';
import { hashApiKey, hashPassword, newApiKey, oneTimePassword } from '@waymark/server';
import { z } from 'zod';
import { parseFlags, UsageError } from './args.ts';
import { databaseOptions, DEFAULT_DATA_DIR } from './settings.ts';

export const usersHelp = `Usage: waymark users create-admin --email EMAIL [options]

Creates an organization-level admin with this email, or resets the one there is (role admin,
organization level, active again, a new password, every session ended), and prints a new
password once. For a first sign-in, or for whoever is locked out. Works on the database directly:
run it where the server's database is reachable.

Options (each also an environment variable):
      --email EMAIL            the admin's email (required)
      --name NAME              their name (a new admin: "Administrator")
      --api-key                also print a new API key of theirs, for scripts
      --database-url URL       PostgreSQL server                             WAYMARK_DATABASE_URL
      --data DIR               embedded database directory                   WAYMARK_DATA_DIR (${DEFAULT_DATA_DIR})
  -h, --help                   show this help`;

const options = {
  email: { type: 'string' },
  name: { type: 'string' },
  'api-key': { type: 'boolean' },
  'database-url': { type: 'string' },
  data: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const Email = z.email().max(320);

export async function users(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === '--help' || action === '-h') {
    console.log(usersHelp);
    return 0;
  }
  if (action !== 'create-admin') throw new UsageError(action === undefined ? 'say what to do: users create-admin' : `unknown users action "${action}"`, 'users');
  const flags = parseFlags('users', rest, options);
  if (flags.help) {
    console.log(usersHelp);
    return 0;
  }
  if (!flags.email) throw new UsageError('--email is required', 'users');
  if (!Email.safeParse(flags.email).success) throw new UsageError(`"${flags.email}" is not an email address`, 'users');
  const name = flags.name?.trim() || null;

  const connection = databaseOptions(flags);
  const db = await connectDatabase(connection);
  try {
    await migrate(db);
    const password = oneTimePassword();
    const now = new Date();
    const passwordHash = await hashPassword(password);
    const { userId, created } = await db.transaction((tx) => ensureOrganizationAdmin(tx, { email: flags.email!, name, passwordHash, now }));
    console.log(`${created ? 'created' : 'reset'} organization admin ${flags.email} (${userId}) in ${connection.describe}`);
    console.log(`password: ${password}`);
    console.log('Shown once: sign in with it, then change it (POST /api/v1/auth/password).');
    if (flags['api-key']) {
      const key = newApiKey();
      await db.query('insert into api_keys (user_id, key_hash, created_at) values ($1, $2, $3)', [userId, hashApiKey(key), now]);
      console.log(`API key: ${key}`);
    }
  } finally {
    await db.close();
  }
  return 0;
}
