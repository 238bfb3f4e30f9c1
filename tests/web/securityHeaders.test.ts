/**
 * The designer's pages hold a signed-in session, so they defend themselves: a
 * Content-Security-Policy that lets only our own script files run (an injected inline script does
 * not), no framing by any site (frame-ancestors 'none' and X-Frame-Options DENY), nosniff and a
 * Referrer-Policy. The built app works under that policy: signing in, the journey list, the canvas
 * and an email preview with inline styles and a remote image raise no violation.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';
import { SLOW, ensureWebBuilt, launchBrowser, signedInPage } from './support/browser.ts';

const VIOLATIONS = '__cspViolations';

describe("the designer's security headers", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let framer: Server;
  const ids: Record<string, string> = {};
  const violations = () => page.evaluate((key) => (window as unknown as Record<string, string[]>)[key] ?? [], VIOLATIONS);

  beforeAll(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    await server.api('POST', '/content-settings', { name: 'Default', postalAddress: '1 Main Street', isDefault: true });
    ids.email = (
      await server.api('POST', '/emails', {
        name: 'Styled',
        subject: 'Hello',
        html: '<style>p { color: teal }</style><p style="font-family: serif">Spring sale</p><img src="https://images.example.com/banner.png" alt=""> {{ content.postalAddress }}',
      })
    ).body.id;
    ids.journey = (await server.api('POST', '/journeys', { name: 'Welcome', startAt: '2026-02-01T00:00:00Z', endAt: '2026-03-01T00:00:00Z', timeZone: 'UTC', tiles: [] })).body.id;
    // Another site that tries to frame the designer.
    framer = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      // The control frame shows that framing itself works here: the API document sets no policy.
      response.end(`<!doctype html><title>Evil</title><iframe name="victim" src="${server.url}/"></iframe><iframe name="control" src="${server.url}/api/v1/openapi.json"></iframe>`);
    });
    await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    framer?.close();
  });

  it('sends the policy and the other headers with every page and file of the designer', async () => {
    const index = await fetch(`${server.url}/`);
    const html = await index.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    for (const path of ['/', `/journeys/${ids.journey}`, '/emails', script]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(200);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }
    // The built page needs no inline script, so none is allowed.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
  });

  it('runs the whole app under the policy with no violation, and refuses an injected inline script', async () => {
    page = await signedInPage(browser, server.url);
    // Collected by a script the browser runs before the page's own (not subject to the policy).
    await page.context().addInitScript((key) => {
      const seen: string[] = [];
      (window as unknown as Record<string, string[]>)[key] = seen;
      document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}:${event.columnNumber} ${event.sample}`));
    }, VIOLATIONS);

    await page.goto(`/journeys/${ids.journey}`);
    await page.getByRole('button', { name: 'Add', exact: true }).waitFor();
    expect(await violations()).toEqual([]);

    await page.goto(`/emails/${ids.email}`);
    const frame = page.locator('iframe[title="Email preview"]');
    await expect.poll(() => frame.getAttribute('srcdoc', { timeout: 1_000 }).catch(() => null), SLOW).toContain('Spring sale');
    // The preview frame may be rendered again as the page settles: ask until its paragraph answers.
    const paragraph = page.frameLocator('iframe[title="Email preview"]').locator('p').first();
    await expect.poll(() => paragraph.evaluate((p) => getComputedStyle(p).fontFamily, undefined, { timeout: 1_000 }).catch(() => null), SLOW).toBe('serif');
    expect(await violations()).toEqual([]);

    await page.goto('/');
    await page.getByRole('button', { name: 'New journey' }).waitFor();
    expect(await violations()).toEqual([]);

    // Markup that slipped into the page (an XSS) cannot run script.
    const ran = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.body.append(script);
      const image = document.createElement('div');
      image.innerHTML = '<img src="x:y" onerror="window.injected = true">';
      document.body.append(image);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return (window as unknown as { injected?: boolean }).injected ?? false;
    });
    expect(ran).toBe(false);
    expect((await violations()).some((violation) => violation.startsWith('script-src'))).toBe(true);
  });

  it('cannot be framed by another site', async () => {
    const context = await browser.newContext();
    const evil = await context.newPage();
    await evil.goto(`http://127.0.0.1:${(framer.address() as AddressInfo).port}/`, { waitUntil: 'load' });
    const control = evil.frame({ name: 'control' })!;
    expect(await control.locator('body').textContent()).toContain('openapi');
    // The browser refuses to show the designer in the frame: no page of ours, no app rendered there.
    const victim = evil.frame({ name: 'victim' })!;
    expect(victim.url()).not.toBe(`${server.url}/`);
    expect(await victim.locator('#root').count()).toBe(0);
    await context.close();
  });
});
