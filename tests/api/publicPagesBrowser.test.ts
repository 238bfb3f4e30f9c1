/**
 * The public form and landing pages in a real browser (Debian's chromium via playwright-core):
 * axe-core finds no accessibility violations (also with the errors shown), the keyboard never
 * lands in the honeypot, a person can fill in and send the form, and the Content-Security-Policy
 * really stops scripts.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';
import { launchBrowser } from '../web/support/browser.ts';
import { createRequire } from 'node:module';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

describe('public pages in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  const ids: Record<string, string> = {};

  /** All axe violations of the page at `url` (scripts allowed for axe alone: the context bypasses CSP). */
  async function violations(url: string, act?: (page: import('playwright-core').Page) => Promise<void>) {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(url);
    await act?.(page);
    await page.addScriptTag({ path: AXE });
    const found = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: { id: string; impact: string; nodes: { html: string }[] }[] }> } }).axe;
      const result = await axe.run(document, { resultTypes: ['violations'] });
      return result.violations.map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.html.slice(0, 120)).join(' | ')}`);
    });
    await context.close();
    return found;
  }

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    const list = (await server.api('POST', '/subscription-lists', { name: 'News' })).body.id;
    ids.form = (
      await server.api('POST', '/forms', {
        name: 'Join the beta',
        fields: [
          { name: 'email', label: 'Email', type: 'email', required: true, help: 'Your work address.' },
          { name: 'firstName', label: 'First name', type: 'text' },
          { name: 'size', label: 'Team size', type: 'number' },
          { name: 'role', label: 'Role', type: 'select', options: ['Marketing', 'Sales', 'Other'] },
          { name: 'source', type: 'hidden' },
          { name: 'news', label: 'Send me product news', type: 'checkbox', consent: 'marketing', subscriptionListId: list },
        ],
      })
    ).body.id;
    await server.api('POST', `/forms/${ids.form}/publish`);
    ids.page = (await server.api('POST', '/pages', { name: 'Beta', title: 'The beta is open', body: 'Try it first.\n\nNo card needed.', formId: ids.form })).body.id;
    await server.api('POST', `/pages/${ids.page}/publish`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('has no accessibility violations: the form, the form with errors, the landing page', async () => {
    expect(await violations(`${server.url}/f/${ids.form}`)).toEqual([]);
    const withErrors = await violations(`${server.url}/f/${ids.form}`, async (page) => {
      await page.getByLabel('Email').fill('not an email');
      await page.getByLabel('Team size').fill('12');
      // Skip the browser's own checks to see the server's error page.
      await page.evaluate(() => document.querySelector('form')!.setAttribute('novalidate', ''));
      await page.getByRole('button', { name: 'Submit' }).click();
      await page.getByRole('alert').waitFor();
    });
    expect(withErrors).toEqual([]);
    expect(await violations(`${server.url}/p/${ids.page}`)).toEqual([]);
  });

  it('is usable by keyboard alone, and never tabs into the honeypot', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/f/${ids.form}?source=beta-page`);
    const order: string[] = [];
    for (let n = 0; n < 8; n += 1) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name || document.activeElement?.textContent?.trim() || ''));
    }
    expect(order.slice(0, 6)).toEqual(['email', 'firstName', 'size', 'role', 'news', 'Submit']);
    expect(order).not.toContain('wm_website');

    await page.getByRole('textbox', { name: 'Email' }).fill('kim@example.com');
    await page.getByRole('checkbox', { name: 'Send me product news' }).check();
    await page.getByRole('combobox', { name: 'Role' }).selectOption('Sales');
    await page.getByRole('button', { name: 'Submit' }).press('Enter');
    await page.getByRole('heading', { name: 'Thank you' }).waitFor();
    await page.close();
    const kim = (await server.api('GET', '/contacts?q=kim@example.com')).body.items[0];
    expect(kim).toMatchObject({ consent: 'marketing', attributes: { role: 'Sales', source: 'beta-page' } });
  });

  it('enforces the Content-Security-Policy: no script runs', async () => {
    const page = await browser.newPage();
    const blocked: string[] = [];
    page.on('console', (message) => blocked.push(message.text()));
    await page.goto(`${server.url}/p/${ids.page}`);
    await page.addScriptTag({ content: 'window.ran = true;' }).catch(() => undefined);
    expect(await page.evaluate(() => (window as unknown as { ran?: boolean }).ran ?? false)).toBe(false);
    expect(blocked.join('\n')).toContain('Content Security Policy');
    // The stylesheet, allowed by its hash, did apply.
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('main')!).maxWidth)).toBe('640px');
    await page.close();
  });
});
