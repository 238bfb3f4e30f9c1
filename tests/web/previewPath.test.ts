/**
 * In the designer of a draft, a marketer opens "Preview path", picks Ann, sees her get the white
 * paper and, a week later, the reminder; then puts "clicks the white paper after 2 hours" on the
 * timeline and sees her become a lead instead, with the path highlighted on the canvas. The
 * Insights tab forecasts the draft with the rates typed in. Nothing is sent.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';
import { SLOW, ensureWebBuilt, launchBrowser, screenshot, seriousViolations, signedInPage } from './support/browser.ts';

const WHITE_PAPER_URL = 'https://example.com/white-paper.pdf';

describe('the Preview path dialog', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let journeyId: string;

  const pathItems = () => page.getByRole('list', { name: 'Path' }).getByRole('listitem').allTextContents();

  beforeAll(async () => {
    ensureWebBuilt();
    const now = new Date();
    [server, browser] = await Promise.all([startTestServer({ now: now.toISOString() }), launchBrowser()]);
    const create = async (path: string, body: unknown) => {
      const response = await server.api('POST', path, body);
      if (response.status !== 201) throw new Error(`${path}: ${JSON.stringify(response.body)}`);
      return response.body.id as string;
    };
    await create('/content-settings', { name: 'Default', postalAddress: '1 Main Street', isDefault: true });
    for (const name of ['Ann', 'Bob']) await create('/contacts', { email: `${name.toLowerCase()}@example.com`, firstName: name, consent: 'marketing' });
    const segment = await create('/segments', { name: 'Everyone', kind: 'dynamic', query: { attribute: 'email', op: 'exists' } });
    const footer = '<p>{{ content.postalAddress }} <a href="{{ content.subscriptionCenterUrl }}">prefs</a></p>';
    const paper = await create('/emails', { name: 'White paper', subject: 'Your white paper', html: `<p><a href="${WHITE_PAPER_URL}">Download</a></p>${footer}` });
    const reminder = await create('/emails', { name: 'Reminder', subject: 'Last chance', html: `<p>Still yours</p>${footer}` });
    for (const email of [paper, reminder]) await server.api('POST', `/emails/${email}/publish`);
    journeyId = (
      await server.api('POST', '/journeys', {
        name: 'White paper',
        startAt: new Date(now.getTime() - 3_600_000).toISOString(),
        endAt: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
        timeZone: 'UTC',
        tiles: [
          { id: 'audience', type: 'segmentGroup', name: 'Everyone', segments: [{ source: 'segment', segmentId: segment, mode: 'include' }], next: 'paper' },
          { id: 'paper', type: 'email', name: 'White paper', emailId: paper, next: 'clicked' },
          { id: 'clicked', type: 'trigger', name: 'Downloaded?', rules: [{ tile: 'paper', on: 'clicked', link: WHITE_PAPER_URL }], timeout: 'P7D', onTrue: 'lead', onFalse: 'remind' },
          { id: 'lead', type: 'createLead', name: 'Interested', next: null },
          { id: 'remind', type: 'email', name: 'Reminder', emailId: reminder, next: null },
        ],
      })
    ).body.id;
    await server.drain();
    page = await signedInPage(browser, server.url, `/journeys/${journeyId}`);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('previews Ann doing nothing: the white paper now, the reminder a week later', async () => {
    await page.getByRole('group', { name: 'Email tile: White paper' }).waitFor();
    await page.getByRole('button', { name: 'Preview path' }).click();
    const dialog = page.getByRole('dialog', { name: 'Preview path' });
    await dialog.waitFor();
    const contact = dialog.getByRole('combobox', { name: 'Contact' });
    await contact.fill('ann');
    await dialog.getByRole('option', { name: /ann@example\.com/ }).click();
    await expect.poll(() => contact.inputValue(), SLOW).toContain('ann@example.com');
    await dialog.getByRole('button', { name: 'Preview', exact: true }).click();
    await expect.poll(() => pathItems(), SLOW).toHaveLength(4);
    const items = await pathItems();
    expect(items[0]).toMatch(/^Everyone entered/);
    expect(items[1]).toMatch(/^White paper sent/);
    expect(items[2]).toMatch(/^Downloaded\? false/);
    expect(items[3]).toMatch(/^Reminder sent/);
    await expect.poll(() => dialog.getByRole('status').textContent(), SLOW).toMatch(/completes the journey/);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('adds "clicks the white paper after 2 hours" and shows Ann becoming a lead, highlighted on the canvas', async () => {
    const dialog = page.getByRole('dialog', { name: 'Preview path' });
    await dialog.getByRole('button', { name: 'Add event' }).click();
    expect(await dialog.getByRole('combobox', { name: 'Event 1' }).inputValue()).toBe('email_clicked');
    await dialog.getByRole('combobox', { name: 'Email 1' }).selectOption({ label: 'White paper' });
    await dialog.getByRole('spinbutton', { name: 'After 1' }).fill('2');
    await dialog.getByRole('combobox', { name: 'After 1 unit' }).selectOption('H');
    await dialog.getByRole('button', { name: 'Preview', exact: true }).click();
    const outcomes = async () => (await pathItems()).map((item) => /^(.+? (?:entered|sent|true|false|created))/.exec(item)?.[1]);
    await expect.poll(outcomes, SLOW).toEqual(['Everyone entered', 'White paper sent', 'Downloaded? true', 'Interested created']);
    expect(await dialog.getByRole('list', { name: 'Messages' }).getByRole('listitem').count()).toBe(1);
    await screenshot(page, 'preview-path');
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
    await expect.poll(() => page.getByRole('group', { name: 'Trigger tile: Downloaded?' }).textContent(), SLOW).toMatch(/3\. true/);
    expect(await page.getByRole('group', { name: 'Email tile: Reminder' }).textContent()).not.toMatch(/\d\. sent/);
    // The three hops of the path are drawn as moving connectors; the one to the reminder is not.
    expect(await page.locator('.react-flow__edge.animated').count()).toBe(3);
    await page.getByRole('button', { name: 'Clear path' }).click();
    await expect.poll(() => page.getByRole('group', { name: 'Trigger tile: Downloaded?' }).textContent(), SLOW).not.toMatch(/3\. true/);
  });

  it('forecasts the draft on the Insights tab with the rates typed in', async () => {
    await page.getByRole('tab', { name: 'Insights' }).click();
    await page.getByRole('spinbutton', { name: 'Click rate (%)' }).fill('50');
    await page.getByRole('button', { name: 'Forecast', exact: true }).click();
    await expect.poll(() => page.getByText(/contacts would enter/).textContent(), SLOW).toMatch(/^2 contacts would enter/);
    await page.getByText('Show as a table').last().click();
    const table = page.getByRole('table', { name: 'Forecast by tile' });
    await expect.poll(() => table.getByRole('row', { name: /Interested/ }).textContent(), SLOW).toMatch(/Interested1—/);
    expect(await table.getByRole('row', { name: /Reminder/ }).textContent()).toMatch(/Reminder11/);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('sent and saved nothing', async () => {
    const [row] = await server.database.db.query<{ n: number }>('select (select count(*) from outbox) + (select count(*) from journey_contacts) + (select count(*) from leads) as n');
    expect(Number(row!.n)).toBe(0);
  });
});
