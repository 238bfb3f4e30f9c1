/**
 * Changing a live journey in the designer: Edit opens the next version (live counts still on the
 * tiles), a tile holding contacts is deleted, "Publish changes" lists what changes and asks where
 * the waiting contacts go, and the Versions tab lists both versions and opens the first read-only.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';
import { SLOW, ensureWebBuilt, launchBrowser, seriousViolations, signedInPage } from './support/browser.ts';

describe('editing a live journey in the designer', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let journeyId: string;
  const emails: string[] = [];
  const tile = (name: string) => page.getByRole('group', { name, exact: true });
  const journey = async () => (await server.api('GET', `/journeys/${journeyId}`)).body;

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
    for (const name of ['ann', 'bob', 'cat']) await create('/contacts', { email: `${name}@example.com`, firstName: name, consent: 'marketing' });
    const segment = await create('/segments', { name: 'Everyone', kind: 'dynamic', query: { attribute: 'email', op: 'exists' } });
    for (const name of ['Welcome', 'Thanks']) {
      emails.push(await create('/emails', { name, subject: name, html: '<p>Hi</p><p>{{ content.postalAddress }} <a href="{{ content.subscriptionCenterUrl }}">prefs</a></p>' }));
      await server.api('POST', `/emails/${emails.at(-1)}/publish`);
    }
    journeyId = await create('/journeys', {
      name: 'Onboarding',
      startAt: new Date(now.getTime() - 3_600_000).toISOString(),
      endAt: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
      timeZone: 'UTC',
      tiles: [
        { id: 'audience', type: 'segmentGroup', name: 'Everyone', combine: 'union', segments: [{ source: 'segment', segmentId: segment, mode: 'include' }], next: 'welcome' },
        { id: 'welcome', type: 'email', name: 'Welcome', emailId: emails[0], next: 'week' },
        { id: 'week', type: 'scheduler', name: 'Wait a week', wait: { for: 'P7D' }, next: 'thanks' },
        { id: 'thanks', type: 'email', name: 'Thanks', emailId: emails[1], next: null },
      ],
    });
    await server.api('POST', `/journeys/${journeyId}/go-live`);
    await server.drain();
    page = await signedInPage(browser, server.url, `/journeys/${journeyId}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens the next version with Edit, keeping the live counts on the tiles', async () => {
    await tile('Scheduler tile: Wait a week').waitFor();
    await expect.poll(async () => ((await tile('Scheduler tile: Wait a week').textContent()) ?? '').replace(/\s+/g, ' '), SLOW).toMatch(/Waiting 3/);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByText('You are editing version 2').waitFor();
    expect((await server.api('GET', `/journeys/${journeyId}/draft`)).body.basedOnVersion).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: 'Add', exact: true }).isEnabled(), SLOW).toBe(true);
    // Still the running version's counts while editing.
    expect(((await tile('Scheduler tile: Wait a week').textContent()) ?? '').replace(/\s+/g, ' ')).toMatch(/Waiting 3/);
  });

  it('deletes the wait that holds contacts and publishes with a move, chosen in the "Publish changes" dialog', async () => {
    await tile('Scheduler tile: Wait a week').click();
    await page.getByRole('toolbar', { name: 'Journey commands' }).getByRole('button', { name: 'Delete tile' }).click();
    await tile('Scheduler tile: Wait a week').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Publish changes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish changes' });
    await dialog.waitFor();
    await expect.poll(() => dialog.textContent(), SLOW).toContain('Wait a week: 3 contacts waiting');
    expect(await dialog.getByRole('list', { name: 'Changed tiles' }).textContent()).toContain('Welcome');
    expect(await seriousViolations(page)).toEqual([]);
    // Publishing without saying where they go is refused in the dialog.
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Choose where the contacts' }).waitFor();
    expect((await journey()).version).toBe(1);

    const move = dialog.getByRole('combobox', { name: 'Move contacts from Wait a week' });
    await move.focus();
    await move.selectOption({ label: 'Thanks' });
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Version 2 published').waitFor();
    expect((await journey()).version).toBe(2);
    await server.drain();
    const messages = (await server.api('GET', `/messages?journeyId=${journeyId}`)).body.items;
    expect(messages.filter((m: { emailName: string }) => m.emailName === 'Thanks')).toHaveLength(3);
    await expect.poll(() => page.getByRole('button', { name: 'Edit', exact: true }).count(), SLOW).toBe(1);
  });

  it('lists the versions with their changes in the Versions tab and opens version 1 read-only', async () => {
    await page.getByRole('tab', { name: 'Versions' }).click();
    const list = page.getByRole('list', { name: 'Versions' });
    await list.waitFor();
    await expect.poll(() => list.textContent(), SLOW).toContain('Removed: Wait a week (3 contacts moved to Thanks)');
    expect(await list.textContent()).toContain('Version 1');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Open version 1' }).press('Enter');
    await page.getByText('You are looking at version 1, read-only.').waitFor();
    await tile('Scheduler tile: Wait a week').waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Add', exact: true }).isDisabled(), SLOW).toBe(true);
    await page.getByRole('button', { name: 'Back to the running version' }).click();
    await tile('Scheduler tile: Wait a week').waitFor({ state: 'detached' });
  });

  it('changes a live email as a revision, naming the journeys that send it before publishing', async () => {
    await page.goto(`/emails/${emails[1]}`);
    await page.getByText('This email is live (revision 1)').waitFor();
    await page.getByRole('textbox', { name: 'Subject' }).fill('Thank you!');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Changes saved.').waitFor();
    // Saved as the next revision: what goes out is unchanged until it is published.
    expect((await server.api('GET', `/emails/${emails[1]}`)).body).toMatchObject({ subject: 'Thanks', revision: 1, hasDraft: true });
    await page.getByRole('button', { name: 'Publish changes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish email change' });
    await expect.poll(() => dialog.getByRole('list', { name: 'Journeys that send this email' }).textContent(), SLOW).toBe('Onboarding (live)');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByText('Revision 2 published').waitFor();
    expect((await server.api('GET', `/emails/${emails[1]}`)).body).toMatchObject({ subject: 'Thank you!', revision: 2, hasDraft: false });
  });
});
