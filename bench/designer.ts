// `npm run bench:designer`: how long the designer takes to open a 300-tile journey (target < 1.5 s),
// and the frame time while a tile is dragged across it, in Debian's chromium on this machine.
// Prints a small table, then one JSON line (as the other benchmarks do).
import type { Tile } from '@waymark/core';
import { startTestServer } from '../tests/support/testServer.ts';
import { ensureWebBuilt, launchBrowser, signedInPage } from '../tests/web/support/browser.ts';

const TILES = Number(process.argv[2] ?? 300);
const RUNS = 5;

/** A long, branching journey: blocks of email → trigger (true: the next block, false: a lead) or splitter. */
function bigJourney(size: number): Tile[] {
  const tiles: Tile[] = [{ id: 't0', type: 'segmentGroup', name: 'Audience', combine: 'union', segments: [], next: null }];
  let tail: { tile: Tile; field: 'next' | 'onTrue' | 'branch0' } = { tile: tiles[0]!, field: 'next' };
  const link = (id: string) => {
    const t = tail.tile as Record<string, unknown>;
    if (tail.field === 'branch0') (t.branches as { next: string | null }[])[0]!.next = id;
    else t[tail.field] = id;
  };
  for (let block = 1; tiles.length < size; block += 1) {
    const email: Tile = { id: `e${block}`, type: 'email', name: `Email ${block}`, emailId: null, next: null };
    link(email.id);
    tiles.push(email);
    if (tiles.length >= size) break;
    if (block % 2 === 1) {
      const side: Tile = { id: `l${block}`, type: 'createLead', name: `Lead ${block}`, perAccount: false, next: null };
      const trigger: Tile = { id: `g${block}`, type: 'trigger', name: `Opened ${block}?`, rules: [{ tile: email.id, on: 'opened' }], match: 'any', timeout: 'P3D', basis: 'contact', onTrue: null, onFalse: side.id };
      email.next = trigger.id;
      tiles.push(trigger, side);
      tail = { tile: trigger, field: 'onTrue' };
    } else {
      const side: Tile = { id: `a${block}`, type: 'activity', name: `Call ${block}`, activityType: 'phoneCall', subject: 'Call', assignTo: 'journeyOwner', perAccount: false, next: null };
      const split: Tile = { id: `s${block}`, type: 'splitter', name: `Split ${block}`, mode: 'percentage', branches: [{ share: 50, next: null }, { share: 50, next: side.id }] };
      email.next = split.id;
      tiles.push(split, side);
      tail = { tile: split, field: 'branch0' };
    }
  }
  return tiles.slice(0, size);
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

ensureWebBuilt();
const server = await startTestServer();
const browser = await launchBrowser();
try {
  const created = await server.api('POST', '/journeys', { name: `${TILES} tiles`, target: 'contacts', startAt: '2026-01-01T00:00:00Z', endAt: '2026-12-31T00:00:00Z', timeZone: 'UTC', tiles: bigJourney(TILES) });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  const id = created.body.id as string;
  const page = await signedInPage(browser, server.url);
  // tsx keeps function names with a helper the page does not have.
  await page.context().addInitScript('window.__name = (f) => f');

  // Opening: from navigation start until the tiles are on the canvas (bundle, API, layout, render).
  const opens: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    await page.goto(`/journeys/${id}`);
    opens.push(await page.evaluate(() => new Promise<number>((resolve) => {
      const check = () => (document.querySelectorAll('.react-flow__node').length > 0 ? requestAnimationFrame(() => resolve(performance.now())) : requestAnimationFrame(check));
      check();
    })));
  }

  // Dragging: a visible tile moved in 60 steps; frame intervals recorded with requestAnimationFrame.
  const pane = (await page.locator('.react-flow').boundingBox())!;
  let box: { x: number; y: number; width: number; height: number } | null = null;
  for (const node of await page.locator('.react-flow__node').all()) {
    const at = await node.boundingBox();
    if (at && at.x > pane.x + 20 && at.y > pane.y + 20 && at.x + at.width < pane.x + pane.width - 300 && at.y + at.height < pane.y + pane.height - 200) {
      box = at;
      break;
    }
  }
  if (!box) throw new Error('no tile in view to drag');
  await page.evaluate(() => {
    const w = window as unknown as { frames_: number[]; recording: boolean };
    w.frames_ = [];
    w.recording = true;
    let last = performance.now();
    const tick = (now: number) => {
      w.frames_.push(now - last);
      last = now;
      if (w.recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.mouse.move(box.x + box.width / 2, box.y + 20);
  await page.mouse.down();
  for (let step = 1; step <= 60; step += 1) await page.mouse.move(box.x + box.width / 2 + step * 4, box.y + 20 + step * 2);
  await page.mouse.up();
  const frames = await page.evaluate(() => {
    const w = window as unknown as { frames_: number[]; recording: boolean };
    w.recording = false;
    return w.frames_.slice(1);
  });
  const rendered = await page.locator('.react-flow__node').count();

  const result = {
    tiles: TILES,
    renderedTiles: rendered,
    openMsMedian: Math.round(percentile(opens, 50)),
    openMsMax: Math.round(Math.max(...opens)),
    dragFrameMsMedian: Math.round(percentile(frames, 50) * 10) / 10,
    dragFrameMsP95: Math.round(percentile(frames, 95) * 10) / 10,
    dragFrames: frames.length,
  };
  console.log(`| designer, ${TILES} tiles | measured | target |`);
  console.log('|---|---|---|');
  console.log(`| open (median of ${RUNS}, max) | ${result.openMsMedian} ms (${result.openMsMax} ms) | < 1500 ms |`);
  console.log(`| drag frame time (median, p95) | ${result.dragFrameMsMedian} ms, ${result.dragFrameMsP95} ms | ~16.7 ms (60 fps) |`);
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  await server.close();
}
