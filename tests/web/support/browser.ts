import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_KEY } from '../../support/testServer.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WEB = join(ROOT, 'packages/web');
const DIST_INDEX = join(WEB, 'dist/index.html');
export const CHROMIUM = process.env.WAYMARK_CHROMIUM ?? '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the designer when its build is missing or older than its sources (a fresh clone whose
 * postinstall did not run, or an edit since). Test files run in parallel: a lock directory makes
 * one build at a time, and the others wait for it.
 */
export function ensureWebBuilt(): void {
  const stale = () => !existsSync(DIST_INDEX) || statSync(DIST_INDEX).mtimeMs < Math.max(newestSource(join(WEB, 'src')), statSync(join(WEB, 'index.html')).mtimeMs);
  if (!stale()) return;
  const lock = join(WEB, '.build-lock');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Someone else is building; a lock older than a minute is left over from a crash.
      if (Date.now() > deadline || Date.now() - statSync(lock).mtimeMs > 60_000) rmSync(lock, { recursive: true, force: true });
      else execFileSync('sleep', ['0.2']);
    }
  }
  try {
    if (stale()) execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: WEB, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Debian's chromium, driven by playwright-core. A missing browser fails the suite: CI installs it. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the browser tests need it (apt-get install -y chromium). They never download a browser.`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
}

/** A fresh page signed in with the test server's admin key, at `path`. */
export async function signedInPage(browser: Browser, baseUrl: string, path = '/'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: baseUrl });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto('/');
  // Email and password come first; the API key is one step away.
  await page.getByRole('button', { name: 'Use an API key' }).click();
  await page.getByRole('textbox', { name: 'API key' }).fill(ADMIN_KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'New journey' }).waitFor();
  if (path !== '/') await page.goto(path);
  (page as Page & { problems?: string[] }).problems = problems;
  return page;
}

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; html: string }[];
}

/** Runs axe-core in the page; answers the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol: a <script> tag added to the page would be refused by the
  // designer's Content-Security-Policy, which allows no inline script.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(readFileSync(AXE_PATH, 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, html: n.html.slice(0, 200) })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.WAYMARK_SCREENSHOTS) await page.screenshot({ path: join(process.env.WAYMARK_SCREENSHOTS, `${name}.png`) });
}

const focusedLabel = (page: Page) => page.evaluate(() => {
  const element = document.activeElement as HTMLElement | null;
  return element?.getAttribute('aria-label') ?? element?.textContent?.trim() ?? '';
});

/**
 * Adds a tile with the keyboard alone, as the contract describes: focus Add, Enter opens the menu,
 * arrow keys reach the tile type, Enter chooses it (focus moves to the first insertion point),
 * arrow keys reach the insertion point, Enter drops.
 */
export async function addTileByKeyboard(page: Page, typeLabel: string, insertionLabel: string): Promise<void> {
  await page.getByRole('button', { name: 'Add', exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('menu', { name: 'Add' }).waitFor();
  await arrowTo(page, typeLabel, 12);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label')?.startsWith('Insert here:'));
  await arrowTo(page, insertionLabel, 40);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.querySelector('.insert-point, .start-drop'));
}

/**
 * Presses ArrowDown until `label` has the focus. After each press it waits for the focus to move:
 * React moves it after rendering, and reading it too early would skip past the target.
 */
async function arrowTo(page: Page, label: string, most: number): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < most; i += 1) {
    const current = await focusedLabel(page);
    if (current === label) return;
    seen.push(current);
    await page.keyboard.press('ArrowDown');
    await page
      .waitForFunction(
        (previous) => {
          const element = document.activeElement as HTMLElement | null;
          return (element?.getAttribute('aria-label') ?? element?.textContent?.trim() ?? '') !== previous;
        },
        current,
        { timeout: 2_000 },
      )
      .catch(() => undefined); // the last item keeps the focus: the loop's end reports it
  }
  if ((await focusedLabel(page)) !== label) throw new Error(`could not reach ${label}; saw ${seen.join(' | ')}`);
}

/** expect.poll's default second is too short on a busy 2-core CI machine. */
export const SLOW = { timeout: 10_000, interval: 100 };
