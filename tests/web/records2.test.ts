/**
 * The smaller record pages journeys refer to: forms, subscription lists, workflows and content
 * settings, each reached from the top navigation with an empty state and a create form.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';
import { SLOW, ensureWebBuilt, launchBrowser, seriousViolations, signedInPage } from './support/browser.ts';

describe('forms, subscription lists, workflows and content settings', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const open = async (label: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: label }).waitFor();
  };
  const names = async (path: string) => ((await server.api('GET', path)).body.items as { name: string }[]).map((item) => item.name);

  beforeAll(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    page = await signedInPage(browser, server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('creates a form, checking its fields JSON first', async () => {
    await open('Forms');
    await page.getByRole('heading', { name: 'No forms yet' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'New form' }).click();
    const form = page.getByRole('form', { name: 'New form' });
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Newsletter sign-up');
    await form.getByRole('textbox', { name: 'Fields (JSON)' }).fill('[{"name": "email", ');
    await form.getByRole('button', { name: 'Create form' }).click();
    await expect.poll(() => form.getByRole('alert').textContent(), SLOW).toContain('Fields: not valid JSON');
    await form.getByRole('textbox', { name: 'Fields (JSON)' }).fill('{"name": "email"}');
    await form.getByRole('button', { name: 'Create form' }).click();
    await expect.poll(() => form.getByRole('alert').textContent(), SLOW).toContain('Fields: enter a JSON array');
    expect(await seriousViolations(page)).toEqual([]);
    await form.getByRole('textbox', { name: 'Fields (JSON)' }).fill('[{"name": "email", "type": "email", "required": true}, {"name": "city", "type": "text"}]');
    await form.getByRole('button', { name: 'Create form' }).click();
    const table = page.getByRole('table', { name: 'Forms' });
    await table.getByRole('rowheader', { name: 'Newsletter sign-up' }).waitFor();
    await expect.poll(() => table.getByRole('row').nth(1).textContent(), SLOW).toContain('Draft');
    expect(await names('/forms')).toEqual(['Newsletter sign-up']);
    expect((await server.api('GET', '/forms')).body.items[0].fields).toHaveLength(2);
  });

  it('asks for a name, then creates a subscription list', async () => {
    await open('Subscription lists');
    await page.getByRole('heading', { name: 'No subscription lists yet' }).waitFor();
    await page.getByRole('button', { name: 'New subscription list' }).click();
    const form = page.getByRole('form', { name: 'New subscription list' });
    await form.getByRole('button', { name: 'Create subscription list' }).click();
    await expect.poll(() => form.getByRole('alert').textContent(), SLOW).toContain('Name');
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Product news');
    await form.getByRole('button', { name: 'Create subscription list' }).click();
    await page.getByRole('table', { name: 'Subscription lists' }).getByRole('rowheader', { name: 'Product news' }).waitFor();
    expect(await names('/subscription-lists')).toEqual(['Product news']);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('registers a workflow', async () => {
    await open('Workflows');
    await page.getByRole('heading', { name: 'No workflows yet' }).waitFor();
    await page.getByRole('button', { name: 'New workflow' }).click();
    const form = page.getByRole('form', { name: 'New workflow' });
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('CRM sync');
    await form.getByRole('textbox', { name: 'URL' }).fill('not a url');
    await form.getByLabel('Signing secret').fill('s3cret-value');
    await form.getByRole('button', { name: 'Create workflow' }).click();
    await expect.poll(() => form.getByRole('alert').textContent(), SLOW).toContain('URL');
    await form.getByRole('textbox', { name: 'URL' }).fill('https://crm.example.com/hook');
    await form.getByRole('button', { name: 'Create workflow' }).click();
    const table = page.getByRole('table', { name: 'Workflows' });
    await table.getByRole('rowheader', { name: 'CRM sync' }).waitFor();
    await expect.poll(() => table.getByRole('row').nth(1).textContent(), SLOW).toContain('https://crm.example.com/hook');
    expect((await server.api('GET', '/workflows')).body.items).toEqual([expect.objectContaining({ name: 'CRM sync', url: 'https://crm.example.com/hook' })]);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('creates the default content settings', async () => {
    await open('Content settings');
    await page.getByRole('heading', { name: 'No content settings yet' }).waitFor();
    await page.getByRole('button', { name: 'New content setting' }).click();
    const form = page.getByRole('form', { name: 'New content setting' });
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Default');
    await form.getByRole('textbox', { name: 'Postal address' }).fill('1 Main Street');
    await form.getByRole('checkbox', { name: 'Default for new journeys' }).check();
    await form.getByRole('button', { name: 'Create content setting' }).click();
    const table = page.getByRole('table', { name: 'Content settings' });
    await table.getByRole('rowheader', { name: 'Default', exact: true }).waitFor();
    await expect.poll(() => table.getByRole('row').nth(1).textContent(), SLOW).toContain('1 Main Street');
    expect((await server.api('GET', '/content-settings')).body.items).toEqual([expect.objectContaining({ name: 'Default', postalAddress: '1 Main Street', isDefault: true })]);
    expect(await seriousViolations(page)).toEqual([]);
    expect((page as Page & { problems?: string[] }).problems).toEqual([]);
  });
});
