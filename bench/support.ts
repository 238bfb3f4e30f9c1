import { connectPglite, connectPostgres, migrate, type Database } from '@waymark/engine';

/** A fresh database for one benchmark: a new database on the server, or an in-memory PGlite. */
export async function benchDatabase(kind: 'postgres' | 'pglite', maxConnections = 4): Promise<{ db: Database; url?: string; drop(): Promise<void> }> {
  if (kind === 'pglite') {
    const db = await connectPglite();
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  const serverUrl = process.env.WAYMARK_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `waymark_bench_${process.pid}`;
  const admin = connectPostgres(serverUrl, { maxConnections: 1 });
  await turnAutovacuumOn(admin);
  await admin.exec(`drop database if exists ${name} with (force)`);
  await admin.exec(`create database ${name}`);
  await admin.close();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = connectPostgres(url.toString(), { maxConnections });
  await migrate(db);
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close();
      const cleanup = connectPostgres(serverUrl, { maxConnections: 1 });
      await cleanup.exec(`drop database if exists ${name} with (force)`);
      await cleanup.close();
    },
  };
}

/**
 * Every production server vacuums; a benchmark against one with autovacuum off (this machine's
 * image) would measure dead-row bloat no user sees. Needs a superuser; a reload is enough.
 */
async function turnAutovacuumOn(admin: Database): Promise<void> {
  const [setting] = await admin.query<{ autovacuum: string }>('show autovacuum');
  if (setting?.autovacuum === 'on') return;
  await admin.exec('alter system set autovacuum = on');
  await admin.query('select pg_reload_conf()');
}

/** Inserts `count` contacts in one statement; every other one lives in New York. */
export async function insertContacts(db: Database, count: number): Promise<void> {
  await db.query(
    `insert into contacts (id, email, first_name, consent, attributes)
     select 'c' || n, 'c' || n || '@example.com', 'Name' || n, 'marketing',
            jsonb_build_object('city', case when n % 2 = 0 then 'New York' else 'Boston' end, 'score', n % 100)
       from generate_series(1, $1::int) n`,
    [count],
  );
}

export function report(result: Record<string, unknown>): void {
  const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify({ ...result, maxRssMb })}\n`);
}
