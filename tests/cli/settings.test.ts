/**
 * An operator's mistakes in the configuration are all reported at once, before anything starts:
 * one clear line per problem, exit code 2, no password echoed, no database touched.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeWithin, runWaymark, type WaymarkProcess } from './waymarkProcess.ts';

const problemLines = (output: string) => output.split('\n').filter((line) => line.startsWith('waymark: '));

describe('configuration checked at start', () => {
  let dataDir: string;
  const processes: WaymarkProcess[] = [];

  beforeAll(() => {
    dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'waymark-settings-')), 'data');
  });

  afterAll(() => {
    for (const proc of processes) if (proc.child.exitCode === null && proc.child.signalCode === null) proc.kill('SIGKILL');
    rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });

  it('names every bad setting of start on its own line and exits 2 without starting', async () => {
    const proc = runWaymark(['start', '--data', dataDir, '--clock', 'sundial'], {
      PORT: '99999',
      WAYMARK_HOST: 'not a host!',
      WAYMARK_SMTP_URL: 'mail.example.com:25',
      WAYMARK_PUBLIC_URL: 'ftp://files.example.com',
      WAYMARK_LOG_LEVEL: 'loud',
      WAYMARK_METRICS_TOKEN: 'short',
      WAYMARK_SECRET: 'tiny',
      WAYMARK_DEMO: 'maybe',
      WAYMARK_TRUST_PROXY: 'sometimes',
    });
    processes.push(proc);
    expect(await exitCodeWithin(proc, 90_000)).toBe(2);
    expect(problemLines(proc.output())).toEqual([
      'waymark: PORT must be a port number from 0 to 65535, got "99999"',
      'waymark: WAYMARK_HOST must be an IP address or a host name, got "not a host!"',
      'waymark: WAYMARK_PUBLIC_URL must be an http(s) URL starting with http:// or https://, not ftp:',
      'waymark: WAYMARK_DEMO must be 1 or 0 (true or false), got "maybe"',
      'waymark: WAYMARK_TRUST_PROXY must be 1 or 0 (true or false), got "sometimes"',
      'waymark: WAYMARK_SMTP_URL must be an SMTP URL starting with smtp:// or smtps://, not mail.example.com:',
      'waymark: WAYMARK_SECRET must be at least 16 characters long (it is 4)',
      'waymark: --clock must be one of system, manual, got "sundial"',
      'waymark: WAYMARK_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, got "loud"',
      'waymark: WAYMARK_METRICS_TOKEN must be at least 16 characters long (it is 5)',
    ]);
    expect(proc.output()).toContain('Run "waymark start --help" for its options.');
    // Nothing was started: the embedded database was never created.
    expect(existsSync(dataDir)).toBe(false);
  }, 120_000);

  it('reports a malformed database URL without echoing its password', async () => {
    const notPostgres = runWaymark(['start'], { WAYMARK_DATABASE_URL: 'mysql://app:hunter2-db-password@db/app' });
    const noHost = runWaymark(['migrate'], { WAYMARK_DATABASE_URL: 'postgres:///app' });
    const garbage = runWaymark(['start', '--database-url', 'hunter2-db-password']);
    processes.push(notPostgres, noHost, garbage);
    expect(await exitCodeWithin(notPostgres, 90_000)).toBe(2);
    expect(await exitCodeWithin(noHost, 90_000)).toBe(2);
    expect(await exitCodeWithin(garbage, 90_000)).toBe(2);
    expect(problemLines(notPostgres.output())[0]).toBe('waymark: WAYMARK_DATABASE_URL must be a PostgreSQL URL starting with postgres:// or postgresql://, not mysql:');
    expect(problemLines(noHost.output())[0]).toBe('waymark: WAYMARK_DATABASE_URL must name a host: postgres:///app');
    expect(problemLines(garbage.output())[0]).toBe('waymark: --database-url must be a PostgreSQL URL starting with postgres:// or postgresql://, got something that is not a URL');
    for (const proc of [notPostgres, noHost, garbage]) expect(proc.output()).not.toContain('hunter2');
  }, 120_000);

  it('checks a worker the same way', async () => {
    const proc = runWaymark(['worker', '--batch-size', '0'], { WAYMARK_OUTBOX_LEASE_SECONDS: 'soon', WAYMARK_LOG_LEVEL: 'INFO ' });
    processes.push(proc);
    expect(await exitCodeWithin(proc, 90_000)).toBe(2);
    expect(problemLines(proc.output())).toEqual([
      'waymark: a worker needs a shared PostgreSQL: pass --database-url or set WAYMARK_DATABASE_URL',
      'waymark: --batch-size must be a positive whole number, got "0"',
      'waymark: WAYMARK_OUTBOX_LEASE_SECONDS must be a positive whole number, got "soon"',
      'waymark: WAYMARK_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, got "INFO "',
    ]);
  }, 120_000);

  it('starts with good settings and logs each request as a JSON line on stdout', async () => {
    const proc = runWaymark(['start', '--port', '0', '--data', dataDir, '--no-demo'], { WAYMARK_LOG_LEVEL: 'info', WAYMARK_METRICS_TOKEN: 'a-long-enough-metrics-token' });
    processes.push(proc);
    const [, url] = await proc.waitFor(/^waymark listening on (http:\/\/\S+)$/m, 150_000);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    await proc.waitFor(/"route":"\/metrics"/);
    const requests = proc
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; route?: string; status?: number })
      .filter((line) => line.msg === 'request');
    expect(requests).toEqual([expect.objectContaining({ route: '/readyz', status: 200 }), expect.objectContaining({ route: '/metrics', status: 401 })]);
    proc.kill('SIGTERM');
    expect(await exitCodeWithin(proc, 30_000)).toBe(0);
  }, 240_000);
});
