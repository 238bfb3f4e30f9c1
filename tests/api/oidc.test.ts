/**
 * Single sign-on over OpenID Connect against a real OpenID provider (oidc-provider) on a loopback
 * port. The test plays the browser: it follows every redirect with fetch, keeps each site's
 * cookies, and fills in the provider's own sign-in and consent pages.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const CLIENT = { id: 'waymark', secret: 'a-client-secret-long-enough-for-hs256-0123456789' };

/** The people the provider knows, by the name typed into its sign-in page. */
const ACCOUNTS: Record<string, { email?: string; verified?: boolean }> = {
  ada: { email: 'Ada@Example.com', verified: true },
  stranger: { email: 'stranger@example.com', verified: true },
  unverified: { email: 'ada@example.com', verified: false },
  leaver: { email: 'leaver@example.com', verified: true },
  anonymous: {},
};

/** Cookies by origin, as a browser keeps them (paths and expiry do not matter here). */
class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  /** `headers` go with every request (e.g. the Accept of a browser's page loads). */
  constructor(private readonly headers: Record<string, string> = {}) {}

  cookies(url: string): Map<string, string> {
    const origin = new URL(url).origin;
    if (!this.jar.has(origin)) this.jar.set(origin, new Map());
    return this.jar.get(origin)!;
  }

  /** One request, no redirects followed; remembers the cookies it sets. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const jar = this.cookies(url);
    const headers = new Headers({ ...this.headers, ...Object.fromEntries(new Headers(init.headers)) });
    if (jar.size > 0) headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(';');
      const name = pair!.slice(0, pair!.indexOf('='));
      const value = pair!.slice(pair!.indexOf('=') + 1);
      const expired = value === '' || attributes.some((a) => /expires=Thu, 01 Jan 1970/i.test(a.trim()) || /max-age=0$/i.test(a.trim()));
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  }

  /** Follows redirects (as GETs) until a page answers; answers it and the URL it came from. */
  async follow(url: string, init: RequestInit = {}, hops: { url: string; status: number }[] = []): Promise<{ response: Response; url: string; hops: typeof hops }> {
    let response = await this.request(url, init);
    let at = url;
    while (response.status >= 300 && response.status < 400) {
      hops.push({ url: at, status: response.status });
      at = new URL(response.headers.get('location')!, at).toString();
      response = await this.request(at);
    }
    return { response, url: at, hops };
  }
}

describe('single sign-on over OpenID Connect', () => {
  let server: TestServer;
  let idp: Server;
  let issuer: string;

  /**
   * Clicks "Sign in with SSO" and signs in at the provider as `account`: answers the last
   * response (the designer's page after sign-in, or the refusal) and the redirects on the way.
   */
  async function signOn(browser: Browser, account: string) {
    let { response, url } = await browser.follow(`${server.url}/api/v1/auth/oidc/start`);
    const pendingCookie = browser.cookies(server.url).get('waymark_sso');
    const hops: { url: string; status: number }[] = [];
    // The provider's pages: first who you are, then consent to tell Waymark your email.
    for (let step = 0; step < 4 && url.startsWith(issuer) && /\/interaction\//.test(url); step += 1) {
      const page = await response.text();
      const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
      const form: Record<string, string> = prompt === 'login' ? { prompt, login: account, password: 'anything' } : { prompt: prompt! };
      ({ response, url } = await browser.follow(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() }, hops));
    }
    // The provider sent the browser back to Waymark's callback (which redirected on, or refused).
    const callbackUrl = [...hops.map((hop) => hop.url), url].find((at) => at.startsWith(`${server.url}/api/v1/auth/oidc/callback`));
    return { response, url, hops, callbackUrl, pendingCookie };
  }

  const me = (browser: Browser) => browser.request(`${server.url}/api/v1/auth/me`);

  beforeAll(async () => {
    // The provider's port first: Waymark must know its issuer, and the provider Waymark's callback.
    let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
    idp = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;

    server = await startTestServer({ oidc: { issuer, clientId: CLIENT.id, clientSecret: CLIENT.secret } });
    const provider = new Provider(issuer, {
      clients: [{ client_id: CLIENT.id, client_secret: CLIENT.secret, redirect_uris: [`${server.url}/api/v1/auth/oidc/callback`], grant_types: ['authorization_code'], response_types: ['code'] }],
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      cookies: { keys: ['a-cookie-signing-key-for-the-test-provider'] },
      findAccount: (_ctx, id) => {
        const account = ACCOUNTS[id];
        if (!account) return undefined;
        return { accountId: id, claims: () => ({ sub: id, ...(account.email ? { email: account.email, email_verified: account.verified } : {}) }) };
      },
    });
    handler = provider.callback();

    const unit = (await server.api('GET', '/business-units')).body.items[0].id;
    for (const email of ['ada@example.com', 'leaver@example.com']) {
      const created = await server.api('POST', '/users', { name: email.split('@')[0], email, businessUnitId: unit, role: 'marketer', level: 'organization' });
      expect(created.status).toBe(201);
    }
  });
  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => idp?.close(resolve));
  });

  it('tells the designer that SSO is on', async () => {
    expect((await server.api('GET', '/auth/options', undefined, { key: null })).body).toEqual({ password: true, sso: true });
  });

  it('redirects to the provider with state, nonce and PKCE, and signs in the existing user with that email', async () => {
    const browser = new Browser();
    const start = await browser.request(`${server.url}/api/v1/auth/oidc/start`);
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin).toBe(issuer);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: CLIENT.id,
      response_type: 'code',
      redirect_uri: `${server.url}/api/v1/auth/oidc/callback`,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
      state: expect.stringMatching(/^[\w-]{20,}$/),
      nonce: expect.stringMatching(/^[\w-]{20,}$/),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
    });
    // What the browser keeps meanwhile is signed and HttpOnly; the PKCE verifier is not in the URL.
    const pending = start.headers.getSetCookie().find((c) => c.startsWith('waymark_sso='))!;
    expect(pending).toMatch(/HttpOnly/i);
    expect(pending).toMatch(/SameSite=Lax/i);

    const { response, url, hops } = await signOn(browser, 'ada');
    const callback = hops.find((hop) => hop.url.startsWith(`${server.url}/api/v1/auth/oidc/callback`))!;
    expect(callback.status).toBe(302);
    expect(url).toBe(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(browser.cookies(server.url).has('waymark_session')).toBe(true);
    // The pending sign-on is used up.
    expect(browser.cookies(server.url).has('waymark_sso')).toBe(false);

    const who = await me(browser);
    expect(who.status).toBe(200);
    expect(await who.json()).toMatchObject({ email: 'ada@example.com', role: 'marketer', authenticatedBy: 'session', csrfToken: expect.any(String) });
    const [session] = await server.database.db.query<{ method: string }>('select method from sessions');
    expect(session).toEqual({ method: 'oidc' });
  });

  it('refuses a person the provider knows but Waymark does not, with a plain message and no session', async () => {
    const browser = new Browser();
    const { response } = await signOn(browser, 'stranger');
    expect(response.status).toBe(403);
    expect((await response.json()).detail).toBe('No active Waymark user has the email stranger@example.com. Ask an administrator to add you.');
    expect(browser.cookies(server.url).has('waymark_session')).toBe(false);
    expect((await me(browser)).status).toBe(401);

    // A browser gets a page saying the same.
    const page = await signOn(new Browser({ accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }), 'stranger');
    expect(page.response.status).toBe(403);
    expect(page.response.headers.get('content-type')).toContain('text/html');
    expect(await page.response.text()).toContain('No active Waymark user has the email stranger@example.com.');
  });

  it('refuses an address the provider has not verified, a missing address, and a deactivated user', async () => {
    const unverified = await signOn(new Browser(), 'unverified');
    expect(unverified.response.status).toBe(403);
    expect((await unverified.response.json()).detail).toContain('not verified');

    const anonymous = await signOn(new Browser(), 'anonymous');
    expect(anonymous.response.status).toBe(403);
    expect((await anonymous.response.json()).detail).toContain('did not tell us your email');

    const leaver = (await server.api('GET', '/users')).body.items.find((u: { email: string }) => u.email === 'leaver@example.com');
    expect((await server.api('PATCH', `/users/${leaver.id}`, { active: false })).status).toBe(200);
    const refused = await signOn(new Browser(), 'leaver');
    expect(refused.response.status).toBe(403);
    expect((await refused.response.json()).detail).toContain('No active Waymark user');
  });

  it('refuses a callback without its pending sign-on, with another sign-on’s, or replayed', async () => {
    // Stop at the callback: the provider sent the browser back with a code.
    const browser = new Browser();
    const done = await signOn(browser, 'ada');
    expect(done.response.status).toBe(200);
    const callbackUrl = done.callbackUrl!;

    // The same callback again, even with the pending sign-on's cookie kept: the code is used up.
    const replayer = new Browser();
    replayer.cookies(server.url).set('waymark_sso', done.pendingCookie!);
    const replay = await replayer.request(callbackUrl);
    expect(replay.status).toBe(400);
    expect((await replay.json()).detail).toContain('Single sign-on did not complete');
    expect(replayer.cookies(server.url).has('waymark_session')).toBe(false);
    // The browser that signed in has no pending sign-on left to use.
    expect((await browser.request(callbackUrl)).status).toBe(400);
    // Without any pending sign-on: refused.
    const bare = await new Browser().request(callbackUrl);
    expect(bare.status).toBe(400);
    expect((await bare.json()).detail).toContain('not valid or has expired');

    // Another sign-on's pending cookie (another state, nonce and verifier) does not fit this code.
    const other = new Browser();
    await other.request(`${server.url}/api/v1/auth/oidc/start`);
    const mixed = await other.request(callbackUrl);
    expect(mixed.status).toBe(400);
    expect((await mixed.json()).detail).toContain('Single sign-on did not complete');

    // A forged pending cookie: refused before anything is asked of the provider.
    const forged = new Browser();
    forged.cookies(server.url).set('waymark_sso', 'eyJ2IjoieCJ9.forged');
    expect((await forged.request(callbackUrl)).status).toBe(400);
    // The provider saying no (the person cancelled) is a plain refusal too.
    const cancelled = new Browser();
    const start = await cancelled.request(`${server.url}/api/v1/auth/oidc/start`);
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const denied = await cancelled.request(`${server.url}/api/v1/auth/oidc/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(issuer)}`);
    expect(denied.status).toBe(400);
    expect((await denied.json()).detail).toContain('access_denied');
    expect(cancelled.cookies(server.url).has('waymark_session')).toBe(false);
  });
});
