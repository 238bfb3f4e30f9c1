/**
 * `waymark users create-admin`: whoever missed the first-start key, or forgot their password, gets
 * back in. It creates (or resets) an organization admin and prints a password shown once, which
 * then signs in over HTTP on a started server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@waymark/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeWithin, runWaymark, type WaymarkProcess } from './waymarkProcess.ts';

const LISTENING = /^waymark listening on (http:\/\/[^\s:]+:(\d+))$/m;
const PASSWORD_LINE = /^password: (\S+)$/m;

describe('waymark users create-admin', () => {
  let dataDir: string;
  let database: TestDatabase | null = null;
  /** The database flags: the test PostgreSQL server when there is one, else an embedded data directory. */
  let where: string[];
  const processes: WaymarkProcess[] = [];

  const run = async (args: string[]) => {
    const proc = runWaymark(args);
    processes.push(proc);
    const code = await exitCodeWithin(proc, 240_000);
    return { code, output: proc.output() };
  };

  const login = (url: string, email: string, password: string) =>
    fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'waymark-users-'));
    if (process.env.WAYMARK_TEST_DATABASE_URL) {
      database = await createTestDatabase();
      where = ['--database-url', database.url!];
    } else {
      where = ['--data', dataDir];
    }
  });

  afterAll(async () => {
    for (const proc of processes) if (proc.child.exitCode === null && proc.child.signalCode === null) proc.kill('SIGKILL');
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates an admin with a one-time password, resets it on a second run, and the newest one signs in', async () => {
    const first = await run(['users', 'create-admin', '--email', 'Boss@Example.com', '--name', 'The Boss', '--api-key', ...where]);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/^created organization admin Boss@Example.com \(\S+\)/m);
    const firstPassword = PASSWORD_LINE.exec(first.output)![1]!;
    expect(firstPassword.length).toBeGreaterThanOrEqual(12);
    const apiKey = /^API key: (wm_\S+)$/m.exec(first.output)![1]!;

    // Locked out again (forgot it): the same command resets the same person, with a new password.
    const second = await run(['users', 'create-admin', '--email', 'boss@example.com', ...where]);
    expect(second.code, second.output).toBe(0);
    expect(second.output).toMatch(/^reset organization admin boss@example.com/m);
    const secondPassword = PASSWORD_LINE.exec(second.output)![1]!;
    expect(secondPassword).not.toBe(firstPassword);
    expect(second.output).not.toContain('API key');

    const server = runWaymark(['start', '--port', '0', '--no-demo', ...where]);
    processes.push(server);
    const [, url] = await server.waitFor(LISTENING, 240_000);
    expect((await login(url!, 'boss@example.com', firstPassword)).status).toBe(401);
    const signedIn = await login(url!, 'boss@example.com', secondPassword);
    expect(signedIn.status).toBe(200);
    expect(await signedIn.json()).toMatchObject({ name: 'The Boss', email: 'Boss@Example.com', role: 'admin', level: 'organization' });

    const me = await fetch(`${url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: 'Boss@Example.com', role: 'admin', authenticatedBy: 'apiKey' });
    // The password is printed for the operator, never written to the server's output.
    expect(server.output()).not.toContain(secondPassword);
    server.kill('SIGTERM');
    expect(await exitCodeWithin(server, 60_000)).toBe(0);
    // Three processes, each migrating or starting a database: minutes on a loaded 2-core machine.
  }, 600_000);

  it('answers a missing or malformed email, or an unknown action, with exit code 2', async () => {
    const missing = await run(['users', 'create-admin', ...where]);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain('--email is required');
    const malformed = await run(['users', 'create-admin', '--email', 'not-an-email', ...where]);
    expect(malformed.code).toBe(2);
    expect(malformed.output).toContain('is not an email address');
    const unknown = await run(['users', 'delete-everyone']);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain('unknown users action "delete-everyone"');
    const help = await run(['users', '--help']);
    expect(help.code).toBe(0);
    expect(help.output).toContain('Usage: waymark users create-admin');
  }, 600_000);
});
