import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@waymark/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeWithin, runWaymark, type WaymarkProcess } from './waymarkProcess.ts';

const ADMIN_KEY = 'wm_cli_test_admin_key_0123456789';
const LISTENING = /^waymark listening on (http:\/\/[^\s:]+:(\d+))$/m;

async function getJourneys(url: string, key: string) {
  const response = await fetch(`${url}/api/v1/journeys`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json()) as { items: Array<{ id: string; name: string; status: string }> } };
}

/** Stops a process that is still running, so a failed assertion leaves nothing behind. */
function cleanup(processes: WaymarkProcess[]) {
  for (const proc of processes) if (proc.child.exitCode === null && proc.child.signalCode === null) proc.kill('SIGKILL');
}

describe('waymark start with the embedded database', () => {
  let dataDir: string;
  const processes: WaymarkProcess[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'waymark-cli-'));
  });

  afterAll(() => {
    cleanup(processes);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the seeded demo, prints its admin key once, and stops cleanly on SIGTERM', async () => {
    const first = runWaymark(['start', '--port', '0', '--data', dataDir], { WAYMARK_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
    processes.push(first);
    const [, url, port] = await first.waitFor(LISTENING);
    // --port 0 reports the port really bound.
    expect(Number(port)).toBeGreaterThan(0);
    expect(first.output().match(/waymark listening on/g)).toHaveLength(1);

    const journeys = await getJourneys(url!, ADMIN_KEY);
    expect(journeys.status).toBe(200);
    expect(journeys.body.items).toEqual([expect.objectContaining({ name: 'White paper newsletter', status: 'live' })]);

    // The demo admin's key is printed for a person to sign in with, and works.
    const [, demoKey] = await first.waitFor(/^demo admin API key: (wm_\S+)/m);
    expect((await getJourneys(url!, demoKey!)).status).toBe(200);

    first.kill('SIGTERM');
    expect(await exitCodeWithin(first, 10_000)).toBe(0);

    // A second start on the same data keeps the workspace, seeds nothing and prints no new key.
    const second = runWaymark(['start', '--port', '0', '--data', dataDir], { WAYMARK_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
    processes.push(second);
    const [, secondUrl] = await second.waitFor(LISTENING);
    const again = await getJourneys(secondUrl!, demoKey!);
    expect(again.body.items.map((journey) => journey.id)).toEqual(journeys.body.items.map((journey) => journey.id));
    second.kill('SIGINT');
    expect(await exitCodeWithin(second, 10_000)).toBe(0);
    expect(second.output()).not.toContain('demo admin API key');
  });

  it('migrates the embedded database and exits 0', async () => {
    const proc = runWaymark(['migrate', '--data', dataDir]);
    processes.push(proc);
    expect(await exitCodeWithin(proc, 30_000)).toBe(0);
    expect(proc.output()).toMatch(/up to date|applied/);
  });

  it('answers an unknown command or flag with exit code 2 and --help with 0', async () => {
    const unknownCommand = runWaymark(['launch']);
    const unknownFlag = runWaymark(['start', '--prot', '8080']);
    const help = runWaymark(['start', '--help']);
    processes.push(unknownCommand, unknownFlag, help);
    expect(await exitCodeWithin(unknownCommand, 20_000)).toBe(2);
    expect(unknownCommand.output()).toContain('unknown command "launch"');
    expect(await exitCodeWithin(unknownFlag, 20_000)).toBe(2);
    expect(unknownFlag.output()).toContain("'--prot'");
    expect(await exitCodeWithin(help, 20_000)).toBe(0);
    expect(help.output()).toContain('Usage: waymark start');
  });
});

describe.runIf(process.env.WAYMARK_TEST_DATABASE_URL)('waymark against a PostgreSQL server', () => {
  let database: TestDatabase;
  const processes: WaymarkProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    cleanup(processes);
    await database.drop();
  });

  it('runs start, an extra worker and migrate on one database', async () => {
    const url = database.url!;
    const migrate = runWaymark(['migrate', '--database-url', url]);
    processes.push(migrate);
    expect(await exitCodeWithin(migrate, 30_000)).toBe(0);

    const server = runWaymark(['start', '--port', '0', '--database-url', url], { WAYMARK_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
    const worker = runWaymark(['worker'], { WAYMARK_DATABASE_URL: url });
    processes.push(server, worker);
    const [, serverUrl] = await server.waitFor(LISTENING);
    await worker.waitFor(/^waymark worker running$/m);
    const journeys = await getJourneys(serverUrl!, ADMIN_KEY);
    expect(journeys.body.items).toEqual([expect.objectContaining({ name: 'White paper newsletter', status: 'live' })]);

    // Both share the secret start generated and stored, so either signs the same links.
    const [secret] = await database.db.query<{ value: string }>(`select value from settings where key = 'secret'`);
    expect(secret?.value.length).toBeGreaterThanOrEqual(32);

    worker.kill('SIGTERM');
    server.kill('SIGTERM');
    expect(await exitCodeWithin(worker, 10_000)).toBe(0);
    expect(await exitCodeWithin(server, 10_000)).toBe(0);
  });
});
