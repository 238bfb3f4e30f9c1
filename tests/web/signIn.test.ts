/**
 * Signing in to the designer with email and password in a real browser: the session lives in an
 * HttpOnly cookie no script can read, writes carry the CSRF token, a reload stays signed in, and
 * signing out ends the session on the server. The SSO button appears when SSO is configured.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';
import { SLOW, ensureWebBuilt, launchBrowser, seriousViolations } from './support/browser.ts';

const PASSWORD = 'a password for the browser test';

describe('signing in to the designer with email and password', () => {
  let server: TestServer;
  let browser: Browser;
  let userId: string;

  beforeAll(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startTestServer({ now: new Date().toISOString() }), launchBrowser()]);
    const unit = (await server.api('GET', '/business-units')).body.items[0].id;
    const user = await server.api('POST', '/users', { name: 'Mia', email: 'mia@example.com', businessUnitId: unit, role: 'marketer', level: 'organization', password: PASSWORD });
    expect(user.status).toBe(201);
    userId = user.body.id;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('refuses a wrong password, signs in with the right one, writes through the cookie session, and signs out for good', async () => {
    const context = await browser.newContext({ baseURL: server.url });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('textbox', { name: 'Email' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    // SSO is not configured here: no button for it.
    await page.getByRole('button', { name: 'Use an API key' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign in with SSO' }).count()).toBe(0);

    await page.getByRole('textbox', { name: 'Email' }).fill('mia@example.com');
    await page.getByRole('textbox', { name: 'Password' }).fill('not the right password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').getByText('did not match').waitFor();

    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Customer journeys' }).waitFor();
    // The session cookie is HttpOnly: invisible to scripts; nothing is kept in storage either.
    expect(await page.evaluate(() => [document.cookie, sessionStorage.length, localStorage.length])).toEqual(['', 0, 0]);
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'waymark_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });

    // A write from the designer (a new journey) goes through: the CSRF header rides along.
    await page.getByRole('button', { name: 'New journey' }).click();
    await page.getByRole('dialog', { name: 'Journey templates' }).getByRole('button', { name: 'Start from scratch' }).click();
    await page.waitForURL(/\/journeys\/[^/]+$/);
    await expect.poll(async () => (await server.api('GET', '/journeys')).body.items.map((j: { ownerUserId: string }) => j.ownerUserId), SLOW).toEqual([userId]);

    // A reload keeps the person signed in (the cookie), without asking again.
    await page.goto('/');
    await page.getByRole('heading', { name: 'Customer journeys' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('textbox', { name: 'Email' }).waitFor();
    // The cookie's old value is worth nothing now, even to someone who copied it.
    const replay = await server.api('GET', '/auth/me', undefined, { key: null, headers: { cookie: `waymark_session=${cookie!.value}` } });
    expect(replay.status).toBe(401);
    await page.goto('/');
    await page.getByRole('textbox', { name: 'Email' }).waitFor();
    await context.close();
  });

  it('offers "Sign in with SSO" when single sign-on is configured', async () => {
    server.runtime.config.oidc = { issuer: 'http://127.0.0.1:9', clientId: 'waymark', clientSecret: 'a-client-secret' };
    try {
      const context = await browser.newContext({ baseURL: server.url });
      const page = await context.newPage();
      await page.goto('/');
      await page.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
      expect(await page.getByRole('textbox', { name: 'Email' }).count()).toBe(1);
      // The API key stays one step away, and back.
      await page.getByRole('button', { name: 'Use an API key' }).click();
      await page.getByRole('textbox', { name: 'API key' }).waitFor();
      await page.getByRole('button', { name: 'Use email and password' }).click();
      await page.getByRole('textbox', { name: 'Email' }).waitFor();
      await context.close();
    } finally {
      delete server.runtime.config.oidc;
    }
  });
});
