/**
 * A journey goes live from the designer; as the engine moves contacts (drain) and they act
 * (custom events), the counts on the canvas move without a reload, and Insights shows the funnel
 * and the milestones.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';
import { SLOW, ensureWebBuilt, launchBrowser, screenshot, seriousViolations, signedInPage } from './support/browser.ts';

describe('a live journey in the designer', () => {
  let server: TestServer;
  let smtp: TestSmtpServer;
  let browser: Browser;
  let page: Page;
  let journeyId: string;
  const contacts: string[] = [];

  const tileText = (name: string) => page.getByRole('group', { name, exact: true }).textContent();
  const counts = async (name: string) => ((await tileText(name)) ?? '').replace(/\s+/g, ' ');

  beforeAll(async () => {
    ensureWebBuilt();
    const now = new Date();
    smtp = await startTestSmtpServer();
    [server, browser] = await Promise.all([startTestServer({ now: now.toISOString(), smtpUrl: smtp.url }), launchBrowser()]);
    const create = async (path: string, body: unknown) => {
      const response = await server.api('POST', path, body);
      if (response.status !== 201) throw new Error(`${path}: ${JSON.stringify(response.body)}`);
      return response.body.id as string;
    };
    await create('/content-settings', { name: 'Default', postalAddress: '1 Main Street', isDefault: true });
    const acme = await create('/accounts', { name: 'Acme' });
    await create('/accounts', { name: 'Globex' });
    for (const name of ['ann', 'bob', 'cat']) contacts.push(await create('/contacts', { email: `${name}@example.com`, firstName: name, consent: 'marketing', ...(name === 'ann' ? { accountId: acme } : {}) }));
    const segment = await create('/segments', { name: 'Everyone', kind: 'dynamic', query: { attribute: 'email', op: 'exists' } });
    const email = await create('/emails', { name: 'Welcome', subject: 'Welcome', html: '<p>Hi</p><p>{{ content.postalAddress }} <a href="{{ content.subscriptionCenterUrl }}">prefs</a></p>' });
    await server.api('POST', `/emails/${email}/publish`);
    journeyId = (
      await server.api('POST', '/journeys', {
        name: 'Purchase follow-up',
        target: 'contacts',
        startAt: new Date(now.getTime() - 3_600_000).toISOString(),
        endAt: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
        timeZone: 'UTC',
        tiles: [
          { id: 'audience', type: 'segmentGroup', name: 'Everyone', combine: 'union', segments: [{ source: 'segment', segmentId: segment, mode: 'include' }], next: 'welcome' },
          { id: 'welcome', type: 'email', name: 'Welcome', emailId: email, next: 'bought' },
          { id: 'bought', type: 'trigger', name: 'Bought?', rules: [{ event: 'purchase' }], match: 'any', timeout: 'P7D', onTrue: 'lead', onFalse: null },
          { id: 'lead', type: 'createLead', name: 'Hot lead', topic: 'Purchase', next: null },
        ],
      })
    ).body.id;
    page = await signedInPage(browser, server.url, `/journeys/${journeyId}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  it('goes live from the command bar and becomes read-only', async () => {
    await page.getByRole('group', { name: 'Email tile: Welcome' }).waitFor();
    await page.getByRole('button', { name: 'Go live' }).click();
    await page.getByText('Live', { exact: true }).waitFor();
    expect((await server.api('GET', `/journeys/${journeyId}`)).body.status).toBe('live');
    await expect.poll(() => page.getByRole('button', { name: 'Add', exact: true }).isDisabled(), SLOW).toBe(true);
    await expect.poll(() => page.getByRole('button', { name: 'Save', exact: true }).isDisabled(), SLOW).toBe(true);
    await expect.poll(() => page.getByRole('button', { name: 'Stop', exact: true }).isEnabled(), SLOW).toBe(true);
  });

  it('moves the counts on the canvas as the engine works and contacts act', async () => {
    await server.drain();
    await expect.poll(() => counts('Email tile: Welcome'), SLOW).toMatch(/Sent 3/);
    await expect.poll(() => counts('Trigger tile: Bought?'), SLOW).toMatch(/Waiting 3 True 0 False 0/);
    await expect.poll(() => counts('Segment group tile: Everyone'), SLOW).toMatch(/Entered 3/);
    // The segment group is a container: its expand button lists the segments it loads.
    const expand = page.getByRole('button', { name: 'Expand nested tiles of Everyone' });
    await expand.click();
    const nested = page.getByRole('list', { name: 'Nested tiles of Everyone' });
    await expect.poll(() => nested.textContent(), SLOW).toBe('Include segment: Everyone');
    await page.getByRole('button', { name: 'Collapse nested tiles of Everyone' }).click();
    await expect.poll(() => nested.count(), SLOW).toBe(0);

    const event = await server.api('POST', '/events', { contactId: contacts[0], type: 'purchase' });
    expect(event.status).toBe(202);
    await server.drain();
    await expect.poll(() => counts('Trigger tile: Bought?'), SLOW).toMatch(/Waiting 2 True 1 False 0/);
    await expect.poll(() => counts('Create lead tile: Hot lead'), SLOW).toMatch(/Processed 1/);
    await screenshot(page, 'live-canvas');

    await server.advance('P8D');
    await expect.poll(() => counts('Trigger tile: Bought?'), SLOW).toMatch(/Waiting 0 True 1 False 2/);
  });

  it('shows the funnel and the milestones on the Insights tab', async () => {
    await page.getByRole('tab', { name: 'Insights' }).click();
    const funnel = page.getByRole('img', { name: /Funnel by tile/ });
    await funnel.waitFor();
    await expect.poll(() => funnel.locator('desc').textContent(), SLOW).toContain('Welcome: 3 entered');
    const milestones = page.getByRole('list', { name: 'Milestones' });
    await milestones.getByText('Went live').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'insights');
  });

  it('charts sends over time from the timeline endpoint, and filters the insights by account', async () => {
    const day = new Date().toISOString().slice(0, 10);
    const timeline = await server.api('GET', `/journeys/${journeyId}/timeline?bucket=day`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.items).toEqual([expect.objectContaining({ at: `${day}T00:00:00Z`, sent: 3 })]);
    const hourly = await server.api('GET', `/journeys/${journeyId}/timeline?bucket=hour`);
    expect(hourly.body.items.reduce((sum: number, item: { sent: number }) => sum + item.sent, 0)).toBe(3);
    expect((await server.api('GET', '/journeys/no-such-journey/timeline')).status).toBe(404);
    expect((await server.api('GET', `/journeys/${journeyId}/timeline?bucket=week`)).status).toBe(400);

    const chart = page.getByRole('img', { name: /Email activity over time/ });
    await chart.waitFor();
    await expect.poll(() => chart.locator('desc').textContent(), SLOW).toContain(`${day}: 3 sent`);
    await page.getByText('Show as a table').click();
    const table = page.getByRole('table', { name: 'Email activity over time' });
    await expect.poll(() => table.getByRole('row').nth(1).textContent(), SLOW).toContain(day);

    const account = page.getByRole('combobox', { name: 'Account' });
    await expect.poll(() => account.locator('option').allTextContents(), SLOW).toEqual(['All accounts', 'Acme', 'Globex']);
    await account.selectOption({ label: 'Acme' });
    const funnel = page.getByRole('img', { name: /Funnel by tile/ });
    await expect.poll(() => funnel.locator('desc').textContent(), SLOW).toContain('Welcome: 1 entered');
    await account.selectOption({ label: 'Globex' });
    await expect.poll(() => funnel.locator('desc').textContent(), SLOW).toContain('Welcome: 0 entered');
    await account.selectOption({ label: 'All accounts' });
    await expect.poll(() => funnel.locator('desc').textContent(), SLOW).toContain('Welcome: 3 entered');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('stops the journey', async () => {
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByText('Stopped', { exact: true }).first().waitFor();
    expect((await server.api('GET', `/journeys/${journeyId}`)).body.status).toBe('stopped');
    expect((page as Page & { problems?: string[] }).problems).toEqual([]);
  });

  it('shows the path each contact took on the contact page', async () => {
    await page.goto(`/contacts/${contacts[0]}`);
    await page.getByRole('heading', { name: 'ann', exact: true }).waitFor();
    const path = page.getByRole('list', { name: 'Path on Purchase follow-up' });
    await expect.poll(() => path.getByRole('listitem').allTextContents(), SLOW).toEqual([
      expect.stringMatching(/^Everyone: /),
      expect.stringMatching(/^Welcome: sent/),
      expect.stringMatching(/^Bought\?: true path/),
      expect.stringMatching(/^Hot lead: /),
    ]);
    await page.getByRole('link', { name: 'Purchase follow-up' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(`/contacts/${contacts[1]}`);
    await expect.poll(() => page.getByRole('list', { name: 'Path on Purchase follow-up' }).getByRole('listitem').allTextContents(), SLOW).toContainEqual(expect.stringMatching(/^Bought\?: false path/));
    expect((page as Page & { problems?: string[] }).problems).toEqual([]);
  });
});
