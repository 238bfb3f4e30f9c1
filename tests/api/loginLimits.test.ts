/**
 * Guessing passwords: 10 000 login attempts, from one address against many accounts and from
 * thousands of addresses against one account. None succeeds, the limits answer 429 with
 * Retry-After, and neither the answers nor their timing tell an existing account from an unknown one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type ApiResponse, type TestServer } from '../support/testServer.ts';

const PASSWORD = 'the real password, long enough';
const WINDOW_SECONDS = 15 * 60;

interface Attempt {
  email: string;
  ip: string;
  password?: string;
}

describe('login rate limits and account enumeration', () => {
  let server: TestServer;

  const attempt = ({ email, ip, password = 'a wrong guess, long enough' }: Attempt) =>
    server.api('POST', '/auth/login', { email, password }, { key: null, headers: { 'x-forwarded-for': ip } });

  /** All attempts, 50 at a time, answers in order. */
  async function run(attempts: Attempt[]): Promise<ApiResponse[]> {
    const answers: ApiResponse[] = [];
    for (let start = 0; start < attempts.length; start += 50) answers.push(...(await Promise.all(attempts.slice(start, start + 50).map(attempt))));
    return answers;
  }

  const sessions = async () => (await server.database.db.query<{ n: number }>('select count(*)::int as n from sessions'))[0]!.n;

  /** Every answer a refusal: 401 or 429, a problem, no cookie; a 429 says how long to wait. */
  function refusals(answers: ApiResponse[]): string[] {
    const wrong: string[] = [];
    answers.forEach((answer, i) => {
      if (answer.status !== 401 && answer.status !== 429) wrong.push(`#${i}: ${answer.status}`);
      if (answer.headers.getSetCookie().length > 0) wrong.push(`#${i}: set a cookie`);
      if (!answer.headers.get('content-type')?.startsWith('application/problem+json')) wrong.push(`#${i}: not a problem`);
      if (answer.status === 429 && answer.headers.get('retry-after') !== String(WINDOW_SECONDS)) wrong.push(`#${i}: retry-after ${answer.headers.get('retry-after')}`);
    });
    return wrong;
  }

  beforeAll(async () => {
    server = await startTestServer();
    const unit = (await server.api('GET', '/business-units')).body.items[0].id;
    for (const email of ['victim@example.com', 'target@example.com']) {
      const created = await server.api('POST', '/users', { name: email, email, businessUnitId: unit, role: 'admin', level: 'organization', password: PASSWORD });
      expect(created.status).toBe(201);
    }
  });
  afterAll(() => server.close());

  it('takes 10 000 attempts without letting one in: 50 per address and 10 per account in 15 minutes, the same for unknown accounts', async () => {
    // One address sprays 5 000 accounts (some real): after its first 50 attempts, only 429s.
    const spray = Array.from({ length: 5_000 }, (_, i): Attempt => ({ email: i % 100 === 0 ? 'victim@example.com' : `sprayed.${i}@example.com`, ip: '10.0.0.1' }));
    const sprayed = await run(spray);
    expect(refusals(sprayed)).toEqual([]);
    expect(sprayed.filter((a) => a.status === 401)).toHaveLength(50);
    expect(sprayed.slice(50).every((a) => a.status === 429)).toBe(true);

    // 5 000 addresses take turns at one real and one unknown account: each account stops after 10.
    const botnet = Array.from({ length: 5_000 }, (_, i): Attempt => ({ email: i % 2 === 0 ? 'target@example.com' : 'ghost@example.com', ip: `10.1.${i >> 8}.${i & 255}` }));
    const answers = await run(botnet);
    expect(refusals(answers)).toEqual([]);
    const real = answers.filter((_, i) => i % 2 === 0);
    const unknown = answers.filter((_, i) => i % 2 === 1);
    const statuses = (list: ApiResponse[]) => list.map((a) => a.status);
    expect(statuses(real)).toEqual(statuses(unknown));
    expect(statuses(real).slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses(real).slice(10).every((status) => status === 429)).toBe(true);
    // The words of each kind of answer are the same, whichever account was tried.
    const bodies = (list: ApiResponse[], status: number) => new Set(list.filter((a) => a.status === status).map((a) => JSON.stringify(a.body)));
    expect([...bodies(real, 401)]).toEqual([...bodies(unknown, 401)]);
    expect(bodies(real, 401).size).toBe(1);
    expect([...bodies(real, 429)]).toEqual([...bodies(unknown, 429)]);
    expect(bodies(real, 429).size).toBe(1);

    expect(sprayed.length + answers.length).toBe(10_000);
    expect(await sessions()).toBe(0);

    // Even the right password waits while the account is limited; once the window has passed it works.
    expect((await attempt({ email: 'target@example.com', ip: '10.2.0.1', password: PASSWORD })).status).toBe(429);
    await server.advance('PT15M');
    const later = await attempt({ email: 'target@example.com', ip: '10.2.0.2', password: PASSWORD });
    expect(later.status).toBe(200);
    expect(await sessions()).toBe(1);
    // Mostly cheap refusals: seconds on an idle machine, but a busy CI box gets room.
  }, 300_000);

  it('takes as long to refuse an unknown email as a wrong password (a dummy scrypt for unknown users)', async () => {
    await server.advance('PT15M');
    const timed = async (email: string, ip: string) => {
      const started = performance.now();
      const answer = await attempt({ email, ip });
      expect(answer.status).toBe(401);
      return performance.now() - started;
    };
    const real: number[] = [];
    const unknown: number[] = [];
    // One at a time, alternating, so both see the same load; under each account's limit of 10.
    for (let i = 0; i < 9; i += 1) {
      real.push(await timed('victim@example.com', `10.3.0.${i}`));
      unknown.push(await timed(`nobody.${i}@example.com`, `10.3.1.${i}`));
    }
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    // A lookup alone answers in about a millisecond; scrypt takes tens of them. Without the dummy
    // hash the ratio would be near 0.02; with it both do the same work.
    const ratio = median(unknown) / median(real);
    expect(ratio, `median unknown ${median(unknown).toFixed(1)} ms, real ${median(real).toFixed(1)} ms`).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  }, 300_000);
});
