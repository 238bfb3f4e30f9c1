/**
 * The record pages beside the designer: segments with a query builder and a live count, emails
 * with an editor and a rendered preview, contacts with a detail page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';
import { SLOW, ensureWebBuilt, launchBrowser, screenshot, seriousViolations, signedInPage } from './support/browser.ts';

describe('segments, emails and contacts', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    await server.api('POST', '/content-settings', { name: 'Default', postalAddress: '1 Main Street', isDefault: true });
    for (const [first, city] of [['Ann', 'Paris'], ['Bob', 'Paris'], ['Cat', 'Rome']] as const) {
      ids[first] = (await server.api('POST', '/contacts', { email: `${first.toLowerCase()}@example.com`, firstName: first, consent: 'marketing', attributes: { city } })).body.id;
    }
    page = await signedInPage(browser, server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('builds a dynamic segment with the query builder, with a live count', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Segments' }).click();
    await page.getByRole('button', { name: 'New segment' }).click();
    const dialog = page.getByRole('dialog', { name: 'New segment' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Parisians');
    await dialog.getByRole('status').getByText('3 contacts match now').waitFor();
    await dialog.getByRole('combobox', { name: 'Rule 1 field' }).fill('city');
    await dialog.getByRole('combobox', { name: 'Rule 1 operator' }).selectOption('eq');
    await dialog.getByRole('textbox', { name: 'Rule 1 value' }).fill('Paris');
    await dialog.getByRole('status').getByText('2 contacts match now').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'segment-builder');
    await dialog.getByRole('button', { name: 'Create segment' }).click();
    await page.getByRole('table', { name: 'Segments' }).getByRole('button', { name: 'Parisians' }).waitFor();
    const segments = (await server.api('GET', '/segments')).body.items;
    expect(segments).toEqual([expect.objectContaining({ name: 'Parisians', kind: 'dynamic', query: { attribute: 'city', op: 'eq', value: 'Paris' } })]);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('edits an email beside its rendered preview, and publishes it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Emails' }).click();
    await page.getByRole('button', { name: 'New email' }).click();
    await page.waitForURL(/\/emails\/[^/]+$/);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Spring offer');
    await page.getByRole('textbox', { name: 'Subject' }).fill('Spring is here, {{ contact.firstName }}');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Email saved.').waitFor();
    // The preview frame is a sandboxed srcdoc document, replaced whenever the preview is fetched
    // again; reading inside it races that replacement, so poll the document it is given instead.
    const frame = page.locator('iframe[title="Email preview"]');
    await expect.poll(() => frame.getAttribute('srcdoc', { timeout: 1_000 }).catch(() => null), SLOW).toContain('1 Main Street');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Email published').waitFor();
    const emails = (await server.api('GET', '/emails')).body.items;
    expect(emails).toEqual([expect.objectContaining({ name: 'Spring offer', status: 'live', subject: 'Spring is here, {{ contact.firstName }}' })]);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'email-editor');
    await page.getByRole('link', { name: 'Emails' }).first().click();
    await page.getByRole('table', { name: 'Emails' }).getByRole('link', { name: 'Spring offer' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('lists and searches contacts, and shows one with its attributes', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();
    const table = page.getByRole('table', { name: 'Contacts' });
    await table.getByRole('link', { name: 'cat@example.com' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('searchbox', { name: 'Search contacts' }).fill('bob');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => table.getByRole('link').allTextContents(), SLOW).toEqual(['bob@example.com']);
    await table.getByRole('link', { name: 'bob@example.com' }).click();
    await page.getByRole('heading', { name: 'Bob' }).waitFor();
    await page.getByText('Paris').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
