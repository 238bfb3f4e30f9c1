/**
 * People who sign in with email and password: the session cookie, who the caller is, CSRF on
 * cookie-authenticated writes, expiry, sign-out, password changes and deactivation, over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type ApiResponse, type TestServer } from '../support/testServer.ts';

const PASSWORD = 'correct horse battery staple';

/** The value of the session cookie a response sets, and its attributes as written. */
function sessionCookie(response: ApiResponse): { value: string; attributes: string } | null {
  const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith('waymark_session='));
  if (!header) return null;
  const [pair, ...attributes] = header.split(';');
  return { value: pair!.slice('waymark_session='.length), attributes: attributes.map((a) => a.trim()).join('; ') };
}

describe('signing in with email and password', () => {
  let server: TestServer;
  let unitId: string;

  /** A session as a browser holds it: the cookie, and the CSRF token sign-in gave. */
  interface Session {
    cookie: string;
    csrf: string;
  }

  const login = (email: string, password: string, headers: Record<string, string> = {}) => server.api('POST', '/auth/login', { email, password }, { key: null, headers });

  const signIn = async (email: string, password = PASSWORD): Promise<Session> => {
    const response = await login(email, password);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return { cookie: `waymark_session=${sessionCookie(response)!.value}`, csrf: response.body.csrfToken };
  };

  /** A request as the signed-in browser makes it; `csrf: false` leaves the header out. */
  const asSession = (session: Session, method: string, path: string, body?: unknown, options: { csrf?: string | false; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { cookie: session.cookie, ...options.headers };
    const csrf = options.csrf === undefined ? session.csrf : options.csrf;
    if (csrf !== false) headers['x-csrf-token'] = csrf;
    return server.api(method, path, body, { key: null, headers });
  };

  const createUser = async (email: string, extra: Record<string, unknown> = {}) => {
    const response = await server.api('POST', '/users', { name: email.split('@')[0], email, businessUnitId: unitId, role: 'marketer', level: 'organization', password: PASSWORD, ...extra });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body as { id: string; email: string };
  };

  beforeAll(async () => {
    server = await startTestServer();
    unitId = (await server.api('POST', '/business-units', { name: 'People' })).body.id;
  });
  afterAll(() => server.close());

  it('takes a password of at least 12 characters when creating or changing a user, and never shows it', async () => {
    const short = await server.api('POST', '/users', { name: 'Short', email: 'short@example.com', businessUnitId: unitId, role: 'viewer', level: 'businessUnit', password: 'eleven-char' });
    expect(short.status).toBe(400);
    expect(short.body.errors).toEqual([{ path: 'password', message: expect.stringContaining('12') }]);
    expect(JSON.stringify(short.body)).not.toContain('eleven-char');
    expect((await server.api('GET', '/users')).body.items.map((u: { email: string }) => u.email)).not.toContain('short@example.com');

    const user = await createUser('ada@example.com');
    expect(user).toMatchObject({ email: 'ada@example.com', active: true, hasPassword: true });
    const shown = JSON.stringify([user, (await server.api('GET', `/users/${user.id}`)).body, (await server.api('GET', '/users')).body]);
    expect(shown).not.toContain(PASSWORD);
    expect(shown).not.toContain('scrypt');
    expect(shown).not.toMatch(/password_?hash/i);

    // What is stored is a salted, memory-hard hash: two users with one password get different hashes.
    await createUser('twin@example.com');
    const hashes = await server.database.db.query<{ password_hash: string }>("select password_hash from users where email in ('ada@example.com', 'twin@example.com')");
    expect(hashes).toHaveLength(2);
    for (const { password_hash } of hashes) expect(password_hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(hashes[0]!.password_hash).not.toBe(hashes[1]!.password_hash);

    const tooShort = await server.api('PATCH', `/users/${user.id}`, { password: 'short' });
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.errors).toEqual([{ path: 'password', message: expect.any(String) }]);
  });

  it('signs in: an HttpOnly, SameSite=Lax session cookie, only its hash stored, and the caller with a CSRF token', async () => {
    const user = await createUser('grace@example.com');
    const response = await login('GRACE@example.com', PASSWORD);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: user.id,
      name: 'grace',
      email: 'grace@example.com',
      role: 'marketer',
      level: 'organization',
      businessUnitId: unitId,
      authenticatedBy: 'session',
      csrfToken: expect.stringMatching(/^[\w-]{43}$/),
    });
    const cookie = sessionCookie(response)!;
    expect(cookie.value).toMatch(/^[\w-]{43}$/);
    expect(cookie.attributes).toContain('HttpOnly');
    expect(cookie.attributes).toContain('SameSite=Lax');
    expect(cookie.attributes).toContain('Path=/');
    // Plain http here: a Secure cookie would never come back.
    expect(cookie.attributes).not.toContain('Secure');
    expect(JSON.stringify(response.body)).not.toContain(PASSWORD);

    const stored = await server.database.db.query<{ token_hash: string }>('select token_hash from sessions s join users u on u.id = s.user_id where u.email = $1', ['grace@example.com']);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).not.toContain(cookie.value);

    const session = { cookie: `waymark_session=${cookie.value}`, csrf: response.body.csrfToken as string };
    const me = await asSession(session, 'GET', '/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual(response.body);
    // The session works for the whole API, as the user's rights allow.
    expect((await asSession(session, 'GET', '/journeys')).status).toBe(200);
  });

  it('sets a Secure cookie when the request came over https', async () => {
    await createUser('secure@example.com');
    const response = await login('secure@example.com', PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(response.status).toBe(200);
    expect(sessionCookie(response)!.attributes).toContain('Secure');
  });

  it('answers GET /auth/me for an API key too, without a CSRF token', async () => {
    const me = await server.api('GET', '/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      id: expect.any(String),
      name: 'Administrator',
      email: 'admin@waymark.local',
      role: 'admin',
      level: 'organization',
      businessUnitId: expect.any(String),
      authenticatedBy: 'apiKey',
    });
    expect((await server.api('GET', '/auth/me', undefined, { key: null })).status).toBe(401);
  });

  it('refuses a wrong password, an unknown email and a user without a password with one and the same answer', async () => {
    await createUser('linus@example.com');
    await createUser('keyonly@example.com', { password: undefined });
    const answers = [await login('linus@example.com', 'not the password at all'), await login('nobody@example.com', PASSWORD), await login('keyonly@example.com', PASSWORD)];
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(sessionCookie(answer)).toBeNull();
      expect(answer.body).toEqual(answers[0]!.body);
    }
    expect(answers[0]!.body.detail).toBe('The email or password is not right');
  });

  it('refuses a cookie-authenticated write without the CSRF token, with a wrong one, or from another site; a bearer key needs neither', async () => {
    await createUser('csrf@example.com');
    const session = await signIn('csrf@example.com');
    const contact = (n: number) => ({ email: `csrf.${n}@example.com` });
    const count = async () => (await server.database.db.query<{ n: number }>("select count(*)::int as n from contacts where email like 'csrf.%'"))[0]!.n;

    const missing = await asSession(session, 'POST', '/contacts', contact(1), { csrf: false });
    expect(missing.status).toBe(403);
    expect(missing.body.detail).toContain('x-csrf-token');
    expect((await asSession(session, 'POST', '/contacts', contact(2), { csrf: 'a'.repeat(43) })).status).toBe(403);
    expect((await asSession(session, 'POST', '/contacts', contact(3), { csrf: '' })).status).toBe(403);
    // Another person's token is not this session's.
    await createUser('other@example.com');
    const other = await signIn('other@example.com');
    expect((await asSession(session, 'POST', '/contacts', contact(4), { csrf: other.csrf })).status).toBe(403);
    // A page on another site that somehow knew the token is still refused by its Origin.
    const foreign = await asSession(session, 'POST', '/contacts', contact(5), { headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(await count()).toBe(0);

    // Our own pages: the right token, and our own origin or none.
    expect((await asSession(session, 'POST', '/contacts', contact(6), { headers: { origin: server.url } })).status).toBe(201);
    expect((await asSession(session, 'POST', '/contacts', contact(7))).status).toBe(201);
    // Reads need no token.
    expect((await asSession(session, 'GET', '/contacts', undefined, { csrf: false })).status).toBe(200);
    // A bearer key is not sent by browsers on their own: no token, any origin.
    expect((await server.api('POST', '/contacts', contact(8), { headers: { origin: 'https://evil.example' } })).status).toBe(201);
    expect(await count()).toBe(3);

    // Logging in from another site's form is refused too (login CSRF).
    expect((await login('csrf@example.com', PASSWORD, { origin: 'https://evil.example' })).status).toBe(403);
  });

  it('answers 401 to a forged, altered or unknown session cookie', async () => {
    await createUser('forged@example.com');
    const real = await signIn('forged@example.com');
    const value = real.cookie.slice('waymark_session='.length);
    const flipped = value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A');
    for (const cookie of [`waymark_session=${flipped}`, 'waymark_session=forged', `waymark_session=${'x'.repeat(5000)}`, 'waymark_session=', `waymark_session=${encodeURIComponent("' or 1=1 --")}`]) {
      const response = await server.api('GET', '/auth/me', undefined, { key: null, headers: { cookie } });
      expect(response.status, cookie.slice(0, 40)).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    // The database's own hash, used as a cookie, is not the token either.
    const [stored] = await server.database.db.query<{ tokenHash: string }>(
      'select token_hash as "tokenHash" from sessions s join users u on u.id = s.user_id where u.email = $1',
      ['forged@example.com'],
    );
    expect((await server.api('GET', '/auth/me', undefined, { key: null, headers: { cookie: `waymark_session=${stored!.tokenHash}` } })).status).toBe(401);
    // A wrong bearer key is a 401 even alongside a good cookie: the header says who is calling.
    expect((await server.api('GET', '/auth/me', undefined, { key: 'wm_wrong', headers: { cookie: real.cookie } })).status).toBe(401);
    expect((await asSession(real, 'GET', '/auth/me')).status).toBe(200);
  });

  it('ends a session after 12 idle hours, and 7 days after sign-in however busy', async () => {
    await createUser('clock@example.com');
    const idle = await signIn('clock@example.com');
    const busy = await signIn('clock@example.com');
    await server.advance('PT11H');
    expect((await asSession(idle, 'GET', '/auth/me')).status).toBe(200);
    // Used 11 hours in: the idle deadline moved on, so another 11 hours later it still works.
    await server.advance('PT11H');
    expect((await asSession(idle, 'GET', '/auth/me')).status).toBe(200);
    await server.advance('PT12H1M');
    expect((await asSession(idle, 'GET', '/auth/me')).status).toBe(401);

    // `busy` was last used at sign-in: it ended too. A fresh one used every 6 hours lives 7 days, not longer.
    expect((await asSession(busy, 'GET', '/auth/me')).status).toBe(401);
    const daily = await signIn('clock@example.com');
    for (let hours = 6; hours < 7 * 24; hours += 6) {
      await server.advance('PT6H');
      expect((await asSession(daily, 'GET', '/auth/me')).status, `${hours} hours in`).toBe(200);
    }
    await server.advance('PT6H');
    expect((await asSession(daily, 'GET', '/auth/me')).status).toBe(401);

    // A month on, the next sign-in clears away the person's long-ended sessions.
    const count = async () => (await server.database.db.query<{ n: number }>("select count(*)::int as n from sessions s join users u on u.id = s.user_id where u.email = 'clock@example.com'"))[0]!.n;
    expect(await count()).toBe(3);
    await server.advance('P31D');
    await signIn('clock@example.com');
    expect(await count()).toBe(1);
  });

  it('signs out: the session ends on the server, not just in the browser', async () => {
    await createUser('bye@example.com');
    const session = await signIn('bye@example.com');
    const keep = await signIn('bye@example.com');
    // Sign-out is a write like any other: from our own pages only.
    expect((await asSession(session, 'POST', '/auth/logout', undefined, { csrf: false })).status).toBe(403);
    const out = await asSession(session, 'POST', '/auth/logout');
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().some((c) => /^waymark_session=;/.test(c) && /Expires=Thu, 01 Jan 1970/.test(c))).toBe(true);
    // A copy of the old cookie is worth nothing now.
    expect((await asSession(session, 'GET', '/auth/me')).status).toBe(401);
    // Another browser of the same person stays signed in.
    expect((await asSession(keep, 'GET', '/auth/me')).status).toBe(200);
  });

  it('changes a password: the old one stops working and every other session of the person ends', async () => {
    await createUser('change@example.com');
    const here = await signIn('change@example.com');
    const elsewhere = await signIn('change@example.com');
    const newPassword = 'a brand new passphrase';

    const wrong = await asSession(here, 'POST', '/auth/password', { currentPassword: 'not my password!', newPassword });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors).toEqual([{ path: 'currentPassword', message: expect.any(String) }]);
    const short = await asSession(here, 'POST', '/auth/password', { currentPassword: PASSWORD, newPassword: 'too short' });
    expect(short.status).toBe(400);
    expect(short.body.errors).toEqual([{ path: 'newPassword', message: expect.stringContaining('12') }]);
    expect((await asSession(here, 'POST', '/auth/password', { currentPassword: PASSWORD, newPassword }, { csrf: false })).status).toBe(403);

    const changed = await asSession(here, 'POST', '/auth/password', { currentPassword: PASSWORD, newPassword });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ changed: true, sessionsEnded: 1 });
    expect(JSON.stringify(changed.body)).not.toContain(newPassword);
    expect((await asSession(here, 'GET', '/auth/me')).status).toBe(200);
    expect((await asSession(elsewhere, 'GET', '/auth/me')).status).toBe(401);
    expect((await login('change@example.com', PASSWORD)).status).toBe(401);
    expect((await login('change@example.com', newPassword)).status).toBe(200);
  });

  it('an admin setting a new password ends all of that person’s sessions', async () => {
    const user = await createUser('reset@example.com');
    const session = await signIn('reset@example.com');
    const reset = await server.api('PATCH', `/users/${user.id}`, { password: 'set by the administrator' });
    expect(reset.status).toBe(200);
    expect(JSON.stringify(reset.body)).not.toContain('set by the administrator');
    expect((await asSession(session, 'GET', '/auth/me')).status).toBe(401);
    expect((await login('reset@example.com', 'set by the administrator')).status).toBe(200);
  });

  it('a deactivated user is signed out everywhere, their keys stop working, and they cannot sign in until reactivated', async () => {
    const user = await createUser('leaver@example.com');
    const session = await signIn('leaver@example.com');
    const key = (await server.api('POST', '/api-keys', { userId: user.id })).body.key as string;
    expect((await server.api('GET', '/auth/me', undefined, { key })).status).toBe(200);

    const deactivated = await server.api('PATCH', `/users/${user.id}`, { active: false });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toMatchObject({ id: user.id, active: false });
    expect((await asSession(session, 'GET', '/auth/me')).status).toBe(401);
    expect((await server.api('GET', '/auth/me', undefined, { key })).status).toBe(401);
    const refused = await login('leaver@example.com', PASSWORD);
    expect(refused.status).toBe(401);
    // The same answer as any wrong password: whether an account exists, or is deactivated, is not told.
    expect(refused.body).toEqual((await login('leaver@example.com', 'wrong password here')).body);

    expect((await server.api('PATCH', `/users/${user.id}`, { active: true })).body).toMatchObject({ active: true });
    // The old session stays ended; a new sign-in works.
    expect((await asSession(session, 'GET', '/auth/me')).status).toBe(401);
    expect((await login('leaver@example.com', PASSWORD)).status).toBe(200);
  });

  it('lets only admins change users, a business-unit admin only its own unit’s, and nobody deactivate themselves', async () => {
    const other = (await server.api('POST', '/business-units', { name: 'Elsewhere' })).body.id as string;
    const localAdmin = await createUser('local.admin@example.com', { role: 'admin', level: 'businessUnit' });
    const ownUnit = await createUser('own.unit@example.com', { level: 'businessUnit' });
    const elsewhere = await createUser('elsewhere@example.com', { businessUnitId: other, level: 'businessUnit' });
    const marketer = await createUser('plain.marketer@example.com');
    const keyOf = async (userId: string) => (await server.api('POST', '/api-keys', { userId })).body.key as string;
    const localKey = await keyOf(localAdmin.id);

    expect((await server.api('PATCH', `/users/${ownUnit.id}`, { name: 'Renamed' }, { key: localKey })).body).toMatchObject({ name: 'Renamed' });
    expect((await server.api('PATCH', `/users/${elsewhere.id}`, { active: false }, { key: localKey })).status).toBe(404);
    expect((await server.api('PATCH', `/users/${marketer.id}`, { active: false }, { key: localKey })).status).toBe(403);
    expect((await server.api('PATCH', `/users/${ownUnit.id}`, { active: false }, { key: await keyOf(marketer.id) })).status).toBe(403);
    const self = await server.api('PATCH', `/users/${localAdmin.id}`, { active: false }, { key: localKey });
    expect(self.status).toBe(400);
    expect(self.body.errors).toEqual([{ path: 'active', message: expect.any(String) }]);
    expect((await server.api('PATCH', '/users/no-such-user', { name: 'X' })).status).toBe(404);
    expect((await server.api('PATCH', `/users/${ownUnit.id}`, { role: 'admin' })).status).toBe(400);
  });

  it('tells the designer how people may sign in, without a key', async () => {
    const options = await server.api('GET', '/auth/options', undefined, { key: null });
    expect(options.status).toBe(200);
    expect(options.body).toEqual({ password: true, sso: false });
    expect((await server.api('GET', '/auth/oidc/start', undefined, { key: null })).status).toBe(404);
  });
});
