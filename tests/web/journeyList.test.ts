/**
 * Signing in and the journey list in a real browser: the API key, the empty state, search,
 * status filter and sort, and the "Journey templates" dialog.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/testServer.ts';
import { SLOW, ensureWebBuilt, launchBrowser, screenshot, seriousViolations, signedInPage } from './support/browser.ts';

describe('signing in and the journey list', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startTestServer({ now: new Date().toISOString() }), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('is served by the Waymark server at / and /journeys/{id}, without shadowing the API', async () => {
    for (const path of ['/', '/journeys/some-id']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(await response.text()).toContain('<div id="root">');
    }
    const api = await fetch(`${server.url}/api/v1/no-such-thing`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`${server.url}/api/v1/journeys`)).status).toBe(401);
    expect((await fetch(`${server.url}/t/c/forged`)).status).toBe(404);
    expect((await fetch(`${server.url}/assets/../../package.json`)).status).toBe(404);
  });

  it('refuses a wrong API key and signs in with a right one, keeping it in sessionStorage only', async () => {
    const context = await browser.newContext({ baseURL: server.url });
    const fresh = await context.newPage();
    await fresh.goto('/');
    expect(await seriousViolations(fresh)).toEqual([]);
    await fresh.getByRole('button', { name: 'Use an API key' }).click();
    await fresh.getByRole('textbox', { name: 'API key' }).fill('wm_wrong');
    await fresh.getByRole('button', { name: 'Sign in' }).click();
    await fresh.getByRole('alert').getByText('not accepted').waitFor();
    await fresh.getByRole('textbox', { name: 'API key' }).fill(ADMIN_KEY);
    await fresh.getByRole('button', { name: 'Sign in' }).click();
    await fresh.getByRole('heading', { name: 'Customer journeys' }).waitFor();
    expect(await fresh.evaluate(() => [sessionStorage.getItem('waymark.apiKey'), localStorage.length, document.cookie])).toEqual([ADMIN_KEY, 0, '']);
    await fresh.getByRole('button', { name: 'Sign out' }).click();
    await fresh.getByRole('textbox', { name: 'Email' }).waitFor();
    await context.close();
  });

  it('shows an empty state, then the templates dialog whose search filters the templates', async () => {
    page = await signedInPage(browser, server.url);
    await page.getByRole('heading', { name: 'No journeys yet' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'list-empty');

    await page.getByRole('button', { name: 'New journey' }).click();
    const dialog = page.getByRole('dialog', { name: 'Journey templates' });
    const options = dialog.getByRole('option');
    await options.first().waitFor();
    const all = await options.count();
    expect(all).toBeGreaterThanOrEqual(5);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'templates');

    await dialog.getByRole('searchbox', { name: 'Search templates' }).fill('invitation');
    await expect.poll(() => options.count(), SLOW).toBe(1);
    expect(await options.first().textContent()).toMatch(/invitation/i);
    await dialog.getByRole('searchbox', { name: 'Search templates' }).fill('no template is called this');
    await expect.poll(() => options.count(), SLOW).toBe(0);
    await dialog.getByRole('searchbox', { name: 'Search templates' }).fill('');
    await expect.poll(() => options.count(), SLOW).toBe(all);

    // A template: its pipeline opens in the designer.
    await dialog.getByRole('searchbox', { name: 'Search templates' }).fill('newsletter');
    await options.first().click();
    await dialog.getByRole('button', { name: 'Use template' }).click();
    await page.waitForURL(/\/journeys\/[^/]+$/);
    await page.getByRole('group', { name: /^Email tile: / }).first().waitFor();
    await expect.poll(() => page.getByRole('group', { name: /^Segment group tile: / }).count(), SLOW).toBe(1);
  });

  it('starts from scratch into an empty designer', async () => {
    await page.getByRole('link', { name: 'Journeys', exact: true }).first().click();
    await page.getByRole('button', { name: 'New journey' }).click();
    const dialog = page.getByRole('dialog', { name: 'Journey templates' });
    await dialog.getByRole('button', { name: 'Start from scratch' }).click();
    await page.waitForURL(/\/journeys\/[^/]+$/);
    await page.getByText('An empty canvas.').waitFor();
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const created = (await server.api('GET', `/journeys/${id}`)).body;
    expect(created).toMatchObject({ name: 'Untitled journey', status: 'draft', tiles: [], target: 'contacts' });
  });

  it('lists journeys with status badges, search, a status filter and sort', async () => {
    const base = { target: 'contacts', startAt: '2026-01-01T00:00:00Z', endAt: '2027-01-01T00:00:00Z', timeZone: 'UTC' };
    await server.api('POST', '/journeys', { ...base, name: 'Autumn sale', tiles: [] });
    await server.api('POST', '/journeys', { ...base, name: 'Zebra onboarding', tiles: [] });
    await page.getByRole('link', { name: 'Journeys', exact: true }).first().click();
    const table = page.getByRole('table', { name: 'Journeys' });
    await table.getByRole('link', { name: 'Zebra onboarding' }).waitFor();
    const names = () => table.getByRole('row').locator('td:first-child a').allTextContents();
    await expect.poll(async () => (await names()).length, SLOW).toBe(4);
    await expect.poll(() => table.getByText('Draft').count(), SLOW).toBe(4);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'list');

    await page.getByRole('searchbox', { name: 'Search journeys' }).fill('zebra');
    await expect.poll(names, SLOW).toEqual(['Zebra onboarding']);
    await page.getByRole('searchbox', { name: 'Search journeys' }).fill('');

    await page.getByRole('button', { name: 'Name', exact: true }).click();
    await expect.poll(async () => (await names())[0], SLOW).toBe('Autumn sale');
    await page.getByRole('button', { name: 'Name', exact: true }).click();
    await expect.poll(async () => (await names())[0], SLOW).toBe('Zebra onboarding');

    await page.getByRole('group', { name: 'Filter by status' }).getByRole('button', { name: /^Live/ }).click();
    await table.getByText('No journey matches these filters.').waitFor();
    await page.getByRole('group', { name: 'Filter by status' }).getByRole('button', { name: /^Draft/ }).click();
    await expect.poll(async () => (await names()).length, SLOW).toBe(4);
  });
});
