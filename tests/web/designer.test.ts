/**
 * The journey designer in a real browser (Debian's chromium via playwright-core) against a real
 * Waymark: build a branching journey with the keyboard alone, drag a tile from the toolbox, edit a
 * tile's properties, save, reload, and check for errors.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';
import { SLOW, addTileByKeyboard, ensureWebBuilt, launchBrowser, screenshot, seriousViolations, signedInPage } from './support/browser.ts';

describe('the journey designer', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let journeyId: string;
  let emailId: string;

  const journey = async () => (await server.api('GET', `/journeys/${journeyId}`)).body;
  const tile = (name: string) => page.getByRole('group', { name, exact: true });

  beforeAll(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const footer = '<p>{{ content.postalAddress }} <a href="{{ content.subscriptionCenterUrl }}">Subscriptions</a></p>';
    emailId = (await server.api('POST', '/emails', { name: 'Spring white paper', subject: 'Your white paper', html: `<p>Hi</p>${footer}` })).body.id;
    page = await signedInPage(browser, server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('starts from scratch in the templates dialog and opens the empty designer', async () => {
    await page.getByRole('button', { name: 'New journey' }).click();
    const dialog = page.getByRole('dialog', { name: 'Journey templates' });
    await dialog.getByRole('textbox', { name: 'Journey name' }).fill('Keyboard journey');
    await dialog.getByRole('button', { name: 'Start from scratch' }).click();
    await page.waitForURL(/\/journeys\/[^/]+$/);
    journeyId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    // The designer renders once the journey has loaded; count its controls after that, not before.
    await page.getByRole('button', { name: 'Check for errors', exact: true }).waitFor();
    for (const name of ['Design', 'General', 'Insights', 'Toolbox', 'Properties']) await expect.poll(() => page.getByRole('tab', { name }).count(), SLOW).toBe(1);
    for (const name of ['Add', 'Save', 'Check for errors', 'Go live', 'Stop']) await expect.poll(() => page.getByRole('button', { name, exact: true }).count(), SLOW).toBe(1);
    const created = await journey();
    expect(created).toMatchObject({ name: 'Keyboard journey', status: 'draft', tiles: [] });
    expect(Date.parse(created.endAt) - Date.parse(created.startAt)).toBe(30 * 86_400_000);
  });

  it('builds a five-tile journey with a trigger branch by keyboard alone, saves it, and shows it again after a reload', async () => {
    await addTileByKeyboard(page, 'Segment group', 'Insert here: start');
    await addTileByKeyboard(page, 'Email', 'Insert here: after Segment group 1');
    await addTileByKeyboard(page, 'Trigger', 'Insert here: after Email 1');
    await addTileByKeyboard(page, 'Create lead', 'Insert here: after Trigger 1 true path');
    await addTileByKeyboard(page, 'Email', 'Insert here: after Trigger 1 false path');
    // Escape cancels an add without changing anything.
    await page.getByRole('button', { name: 'Add', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menu', { name: 'Add' }).waitFor();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Insert here: after Create lead 1' }).waitFor();
    // React moves the focus to the first insertion point after rendering: Escape must reach it.
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label')?.startsWith('Insert here:'));
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('button', { name: /^Insert here/ }).count(), SLOW).toBe(0);

    await screenshot(page, 'designer-keyboard');
    await page.keyboard.press('Control+s');
    await page.getByText('All changes saved').waitFor();

    const saved = await journey();
    const byName = Object.fromEntries(saved.tiles.map((t: { name: string; id: string }) => [t.name, t]));
    expect(saved.tiles.map((t: { type: string }) => t.type).sort()).toEqual(['createLead', 'email', 'email', 'segmentGroup', 'trigger']);
    expect(saved.tiles[0].type).toBe('segmentGroup');
    expect(byName['Segment group 1'].next).toBe(byName['Email 1'].id);
    expect(byName['Email 1'].next).toBe(byName['Trigger 1'].id);
    expect(byName['Trigger 1']).toMatchObject({ onTrue: byName['Create lead 1'].id, onFalse: byName['Email 2'].id });

    await page.reload();
    for (const name of ['Segment group tile: Segment group 1', 'Email tile: Email 1', 'Trigger tile: Trigger 1', 'Create lead tile: Create lead 1', 'Email tile: Email 2']) {
      await tile(name).waitFor();
    }
    await expect.poll(() => tile('Trigger tile: Trigger 1').textContent(), SLOW).toMatch(/Waiting\s*0.*True\s*0.*False\s*0/);
  });

  it('drops a tile dragged from the toolbox onto an insertion point', async () => {
    const source = page.getByRole('button', { name: 'Scheduler', exact: true });
    await source.hover();
    await page.mouse.down();
    await page.mouse.move(600, 400, { steps: 5 });
    const target = page.getByRole('button', { name: 'Insert here: after Email 1' });
    await target.waitFor();
    await target.hover();
    await page.mouse.up();
    await tile('Scheduler tile: Scheduler 1').waitFor();
    await expect.poll(() => page.getByRole('button', { name: /^Insert here/ }).count(), SLOW).toBe(0);
  });

  it('copies, pastes, deletes and undoes with the keyboard', async () => {
    await tile('Scheduler tile: Scheduler 1').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label')?.startsWith('Insert here:'));
    for (let i = 0; i < 12 && (await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) !== 'Insert here: after Create lead 1'; i += 1) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const copy = tile('Scheduler tile: Scheduler 1 (copy)');
    await copy.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')), SLOW).toBe('Scheduler tile: Scheduler 1 (copy)');
    await page.keyboard.press('Delete');
    await copy.waitFor({ state: 'detached' });
    await page.keyboard.press('Control+z');
    await copy.waitFor();
    await page.keyboard.press('Control+z');
    await copy.waitFor({ state: 'detached' });
  });

  it('edits tile properties: a name and an email chosen by lookup', async () => {
    await tile('Email tile: Email 1').click();
    const properties = page.getByRole('tabpanel', { name: 'Properties' });
    await properties.getByRole('textbox', { name: 'Tile name' }).fill('White paper');
    await tile('Email tile: White paper').waitFor();
    const lookup = properties.getByRole('combobox', { name: 'Email' });
    await lookup.fill('spring');
    await properties.getByRole('option', { name: /Spring white paper/ }).click();
    await expect.poll(() => lookup.inputValue(), SLOW).toBe('Spring white paper');
    await expect.poll(() => tile('Email tile: White paper').textContent(), SLOW).toContain('Spring white paper');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('All changes saved').waitFor();
    const saved = await journey();
    expect(saved.tiles.find((t: { name: string }) => t.name === 'White paper')).toMatchObject({ type: 'email', emailId });
    const scheduler = saved.tiles.find((t: { type: string }) => t.type === 'scheduler');
    expect(saved.tiles.find((t: { name: string }) => t.name === 'White paper').next).toBe(scheduler.id);
    // Undo takes the last edit back (the email), redo puts it back.
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => lookup.inputValue(), SLOW).toBe('');
    await page.getByRole('button', { name: 'Redo' }).click();
    await expect.poll(() => lookup.inputValue(), SLOW).toBe('Spring white paper');
  });

  it('checks for errors: the Errors list names each tile and its problem, and the tiles are marked', async () => {
    await page.getByRole('button', { name: 'Check for errors' }).click();
    const errors = page.getByRole('list', { name: 'Errors' });
    await errors.waitFor();
    const items = await errors.getByRole('listitem').allTextContents();
    expect(items).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Email 2.*no email selected/),
        expect.stringMatching(/Segment group 1.*segment/i),
        expect.stringMatching(/Trigger 1.*rule/i),
        expect.stringMatching(/White paper.*not published/i),
      ]),
    );
    await expect.poll(() => tile('Email tile: Email 2').textContent(), SLOW).toContain('1 error');
    // Going live answers 422 with the same errors.
    await page.getByRole('button', { name: 'Go live' }).click();
    await page.getByText(/Not live/).waitFor();
    expect((await journey()).status).toBe('draft');
    await screenshot(page, 'designer-errors');
  });

  it('has no serious or critical accessibility violation on the designer, its tabs and dialogs', async () => {
    const report: Record<string, unknown> = {};
    report.design = await seriousViolations(page);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('menuitem', { name: 'Condition' }).click();
    report.adding = await seriousViolations(page);
    await page.keyboard.press('Escape');
    await page.getByRole('tab', { name: 'General' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).waitFor();
    report.general = await seriousViolations(page);
    await screenshot(page, 'designer-general');
    await page.getByRole('tab', { name: 'Insights' }).click();
    await page.getByRole('list', { name: 'Milestones' }).waitFor();
    report.insights = await seriousViolations(page);
    await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    report.shortcuts = await seriousViolations(page);
    await page.keyboard.press('Escape');
    await page.getByRole('tab', { name: 'Design' }).click();
    await tile('Email tile: Email 2').click();
    await page.getByRole('button', { name: 'New email' }).click();
    await page.getByRole('dialog', { name: 'New email' }).waitFor();
    report.quickCreate = await seriousViolations(page);
    expect(report).toEqual({ design: [], adding: [], general: [], insights: [], shortcuts: [], quickCreate: [] });
  });

  it('creates an email in the quick-create flyout and links it to the tile', async () => {
    const dialog = page.getByRole('dialog', { name: 'New email' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Reminder');
    await dialog.getByRole('textbox', { name: 'Subject' }).fill('Still interested?');
    await dialog.getByRole('button', { name: 'Create email' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByRole('combobox', { name: 'Email' }).inputValue(), SLOW).toBe('Reminder');
    const emails = (await server.api('GET', '/emails?q=Reminder')).body.items;
    expect(emails).toEqual([expect.objectContaining({ name: 'Reminder', status: 'live' })]);
    expect((page as Page & { problems?: string[] }).problems).toEqual([]);
  });
});
