// Contacts imported per second: `waymark import contacts` (the same code) streams a CSV of
// BENCH_IMPORT_ROWS rows (200 000 by default; email, names, four custom attributes) into a
// `waymark start` process on PostgreSQL, in batches of 5 000 through POST /contacts/batch. The
// server runs with the manual clock, so its worker does not compete for the two cores meanwhile.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { importContactsFile } from '@waymark/cli';
import { connectPostgres } from '@waymark/engine';
import { report } from './support.ts';

const rows = Number(process.argv[2] ?? process.env.BENCH_IMPORT_ROWS ?? 200_000);
const serverUrl = process.env.WAYMARK_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `waymark_bench_import_${process.pid}`;
const KEY = 'wm_bench_import_key_0123456789';

const admin = connectPostgres(serverUrl, { maxConnections: 1 });
await admin.exec(`drop database if exists ${name} with (force)`);
await admin.exec(`create database ${name}`);
await admin.close();
const url = new URL(serverUrl);
url.pathname = `/${name}`;

const dir = mkdtempSync(path.join(tmpdir(), 'waymark-bench-import-'));
const file = path.join(dir, 'contacts.csv');
const cities = ['Paris', 'Lyon', 'Amsterdam', 'Berlin', 'New York'];
const lines = ['Email,First name,Last name,City,Score,VIP,Signed up'];
for (let i = 0; i < rows; i += 1) {
  lines.push(`person${i}@example.com,First${i},Last${i},${cities[i % cities.length]},${i % 1000},${i % 7 === 0 ? 'yes' : 'no'},2025-${String(1 + (i % 12)).padStart(2, '0')}-15`);
}
writeFileSync(file, `${lines.join('\n')}\n`);

const bin = new URL('../packages/cli/bin/waymark.js', import.meta.url).pathname;
const child = spawn(process.execPath, [bin, 'start', '--port', '0', '--database-url', url.toString(), '--no-demo', '--clock', 'manual', '--bootstrap-admin-key', KEY], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, WAYMARK_DEMO: '0' },
});
const listening = await new Promise<string>((resolve, reject) => {
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    const match = /waymark listening on (\S+)/.exec(out);
    if (match) resolve(match[1]!);
  });
  child.on('exit', (code) => reject(new Error(`waymark start exited with ${code}`)));
});

try {
  const summary = await importContactsFile({ file, url: listening, apiKey: KEY });
  // Again: every row is now an update of an existing contact (a re-run).
  const again = await importContactsFile({ file, url: listening, apiKey: KEY });
  report({
    bench: 'import',
    rows,
    imported: summary.imported,
    refused: summary.refused,
    seconds: Number(summary.seconds.toFixed(3)),
    rowsPerSecond: summary.rowsPerSecond,
    rerunRowsPerSecond: again.rowsPerSecond,
  });
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
  const cleanup = connectPostgres(serverUrl, { maxConnections: 1 });
  await cleanup.exec(`drop database if exists ${name} with (force)`);
  await cleanup.close();
}
