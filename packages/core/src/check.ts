import { DateTime } from 'luxon';
import { assertNever, isEntryTile, type CheckError, type JourneyDefinition, type Tile, type TileType, type TriggerTile } from './schema.ts';
import { localToInstant } from './time.ts';

/**
 * Check-for-errors: everything that stops a journey from going live, as a list. A user mistake is
 * never thrown; it becomes one entry with a stable `code`, the `tileId` and `field` it concerns, and
 * a message that names the tile the way the marketer sees it.
 *
 * Codes
 * - Journey: `endNotAfterStart` (endAt), `invalidDateTime` (startAt/endAt), `recurrenceTooLong`
 *   (recurrence), `contentSettingsUnknown` (contentSettingsId), `suppressionSegmentUnknown`
 *   (suppressionSegmentId).
 * - Shape: `noEntryTile` (no tiles, or the first tile is not a segment group or form),
 *   `multipleEntryTiles` (an entry-type tile after the first), `duplicateTileId` (id),
 *   `danglingNext` (next / onTrue / onFalse / branches.N.next names no tile), `pointsToEntry`,
 *   `unreachableTile`, `cycle`.
 * - Tiles: `emailMissing`, `emailUnknown`, `emailNotPublished` (emailId); `formMissing`,
 *   `formUnknown`, `formNotPublished` (formId, or rules.N.formId in a trigger); `pageUnknown`,
 *   `pageNotPublished` (rules.N.pageId in a trigger); `segmentsMissing`,
 *   `onlyExcludeSegments` (segments), `segmentUnknown` (segments.N.segmentId),
 *   `subscriptionListUnknown` (segments.N.listId); `workflowMissing`, `workflowUnknown`
 *   (workflowId); `triggerNoRules` (rules); `triggerRuleUnknownTile`, `triggerRuleNotEmail`,
 *   `triggerRuleNotUpstream` (rules.N.tile); `splitterTooFewBranches`, `splitterSharesNot100`
 *   (branches), `splitterShareNotWhole` (branches.N.share); `schedulerInvalidUntil` (wait.until).
 */
export interface ReferenceLookup {
  emails: ReadonlyMap<string, { status: 'draft' | 'live' }>;
  forms: ReadonlyMap<string, { status: 'draft' | 'live' }>;
  /** Marketing pages; absent means none are known, so every page a rule names is unknown. */
  pages?: ReadonlyMap<string, { status: 'draft' | 'live' }>;
  segments: ReadonlySet<string>;
  subscriptionLists: ReadonlySet<string>;
  workflows: ReadonlySet<string>;
  contentSettings: ReadonlySet<string>;
}

/** Percentages are floats from a UI; 33.3 + 33.3 + 33.4 must count as 100. */
const SHARE_TOLERANCE = 1e-9;

const TYPE_LABELS: Record<TileType, string> = {
  segmentGroup: 'Segment group',
  formSubmitted: 'Form submitted',
  email: 'Email',
  scheduler: 'Scheduler',
  trigger: 'Trigger',
  splitter: 'Splitter',
  condition: 'Condition',
  activity: 'Activity',
  launchWorkflow: 'Launch workflow',
  createLead: 'Create lead',
};

/** How a marketer recognises a tile: by its name when it has one, else by its id. */
export function tileLabel(tile: Tile): string {
  const kind = TYPE_LABELS[tile.type] ?? 'Unknown';
  return tile.name ? `${kind} tile "${tile.name}"` : `${kind} tile ${tile.id}`;
}

/** One way out of a tile: the field that holds it and the tile id it names (null ends the path). */
export interface TileExit {
  field: string;
  target: string | null;
}

export function tileExits(tile: Tile): TileExit[] {
  switch (tile.type) {
    case 'segmentGroup':
    case 'formSubmitted':
    case 'email':
    case 'scheduler':
    case 'activity':
    case 'launchWorkflow':
    case 'createLead':
      return [{ field: 'next', target: tile.next }];
    case 'trigger':
    case 'condition':
      return [
        { field: 'onTrue', target: tile.onTrue },
        { field: 'onFalse', target: tile.onFalse },
      ];
    case 'splitter':
      return tile.branches.map((branch, index) => ({ field: `branches.${index}.next`, target: branch.next }));
    default:
      return assertNever(tile);
  }
}

export function checkJourney(def: JourneyDefinition, refs: ReferenceLookup): CheckError[] {
  const graph = buildGraph(def.tiles);
  return [
    ...checkSchedule(def),
    ...checkSettings(def, refs),
    ...checkEntry(def.tiles),
    ...graph.errors,
    ...checkReachability(graph),
    ...checkCycles(graph),
    ...def.tiles.flatMap((tile, index) => checkTile(tile, index, graph, refs, def.timeZone)),
  ];
}

// ---------------------------------------------------------------------------------------------
// Journey-level settings

function checkSchedule(def: JourneyDefinition): CheckError[] {
  const start = parseInstant(def.startAt, def.timeZone);
  const end = parseInstant(def.endAt, def.timeZone);
  const errors: CheckError[] = [];
  if (!start) errors.push({ field: 'startAt', code: 'invalidDateTime', message: `The start date "${def.startAt}" is not a valid date and time` });
  if (!end) errors.push({ field: 'endAt', code: 'invalidDateTime', message: `The end date "${def.endAt}" is not a valid date and time` });
  if (!start || !end) return errors;
  if (end <= start) {
    errors.push({ field: 'endAt', code: 'endNotAfterStart', message: 'The journey must end after it starts: endAt is at or before startAt' });
    return errors;
  }
  const recurrence = def.recurrence;
  if (recurrence) {
    const totalDays = recurrence.intervalDays * recurrence.count;
    // Calendar days in the journey's zone, so a schedule spanning a DST change is not an hour short.
    if (start.plus({ days: totalDays }) > end) {
      const spanDays = Math.round(end.diff(start, 'days').days * 10) / 10;
      errors.push({
        field: 'recurrence',
        code: 'recurrenceTooLong',
        message: `The journey repeats ${recurrence.count} times every ${recurrence.intervalDays} days (${totalDays} days), longer than its schedule of ${spanDays} days`,
      });
    }
  }
  return errors;
}

/** An instant read in the journey's zone; an unknown zone still gives the instant, read in its own offset. */
function parseInstant(text: string, timeZone: string): DateTime | null {
  const inZone = DateTime.fromISO(text, { zone: timeZone });
  if (inZone.isValid) return inZone;
  const own = DateTime.fromISO(text, { setZone: true });
  return own.isValid ? own : null;
}

function checkSettings(def: JourneyDefinition, refs: ReferenceLookup): CheckError[] {
  const errors: CheckError[] = [];
  if (def.contentSettingsId && !refs.contentSettings.has(def.contentSettingsId)) {
    errors.push({ field: 'contentSettingsId', code: 'contentSettingsUnknown', message: `The content settings "${def.contentSettingsId}" do not exist` });
  }
  if (def.suppressionSegmentId && !refs.segments.has(def.suppressionSegmentId)) {
    errors.push({ field: 'suppressionSegmentId', code: 'suppressionSegmentUnknown', message: `The suppression segment "${def.suppressionSegmentId}" does not exist` });
  }
  return errors;
}

function checkEntry(tiles: readonly Tile[]): CheckError[] {
  const first = tiles[0];
  if (!first) return [{ code: 'noEntryTile', message: 'The journey has no tiles: start it with a segment group or a form submitted tile' }];
  const errors: CheckError[] = [];
  if (!isEntryTile(first)) {
    errors.push({
      tileId: first.id,
      code: 'noEntryTile',
      message: `The first tile must be the entry (a segment group or a form submitted tile), but it is ${tileLabel(first)}`,
    });
  }
  tiles.forEach((tile, index) => {
    if (index > 0 && isEntryTile(tile)) {
      errors.push({ tileId: tile.id, code: 'multipleEntryTiles', message: `${tileLabel(tile)} is a second entry tile: only the first tile may be an entry` });
    }
  });
  return errors;
}

// ---------------------------------------------------------------------------------------------
// The tile graph. Nodes are tile positions; the first tile is the entry. A duplicated id resolves to
// its first tile, so later copies are reported once as duplicates and not again as unreachable.

interface Edge {
  field: string;
  to: number;
}

interface Graph {
  tiles: readonly Tile[];
  indexById: ReadonlyMap<string, number>;
  duplicates: ReadonlySet<number>;
  out: Edge[][];
  into: number[][];
  /** Positions reachable from the entry; filled by checkReachability. */
  reachable: boolean[];
  errors: CheckError[];
}

function buildGraph(tiles: readonly Tile[]): Graph {
  const indexById = new Map<string, number>();
  const duplicates = new Set<number>();
  const errors: CheckError[] = [];
  tiles.forEach((tile, index) => {
    const earlier = indexById.get(tile.id);
    if (earlier === undefined) {
      indexById.set(tile.id, index);
      return;
    }
    duplicates.add(index);
    errors.push({
      tileId: tile.id,
      field: 'id',
      code: 'duplicateTileId',
      message: `${tileLabel(tile)} has the id "${tile.id}", which ${tileLabel(tiles[earlier]!)} already uses: tile ids must be unique`,
    });
  });

  const entryId = tiles[0]?.id;
  const out: Edge[][] = tiles.map(() => []);
  const into: number[][] = tiles.map(() => []);
  tiles.forEach((tile, index) => {
    for (const exit of tileExits(tile)) {
      if (exit.target === null) continue;
      const to = indexById.get(exit.target);
      if (to === undefined) {
        errors.push({ tileId: tile.id, field: exit.field, code: 'danglingNext', message: `${tileLabel(tile)} leads to tile "${exit.target}", which does not exist` });
        continue;
      }
      if (exit.target === entryId) {
        // Reported here rather than as a cycle: contacts enter a journey once, through the entry only.
        errors.push({
          tileId: tile.id,
          field: exit.field,
          code: 'pointsToEntry',
          message: `${tileLabel(tile)} leads back to the entry tile ${tileLabel(tiles[0]!)}: contacts can only enter through it`,
        });
        continue;
      }
      out[index]!.push({ field: exit.field, to });
      into[to]!.push(index);
    }
  });
  return { tiles, indexById, duplicates, out, into, reachable: tiles.map(() => false), errors };
}

function checkReachability(graph: Graph): CheckError[] {
  if (graph.tiles.length === 0) return [];
  const stack = [0];
  graph.reachable[0] = true;
  while (stack.length > 0) {
    const at = stack.pop()!;
    for (const edge of graph.out[at]!) {
      if (graph.reachable[edge.to]) continue;
      graph.reachable[edge.to] = true;
      stack.push(edge.to);
    }
  }
  return graph.tiles.flatMap((tile, index) =>
    graph.reachable[index] || graph.duplicates.has(index)
      ? []
      : [{ tileId: tile.id, code: 'unreachableTile', message: `${tileLabel(tile)} cannot be reached from the entry tile` }],
  );
}

const WHITE = 0;
const ON_PATH = 1;
const DONE = 2;

/** Iterative depth-first search: every edge back to a tile on the current path closes a loop. */
function checkCycles(graph: Graph): CheckError[] {
  const errors: CheckError[] = [];
  const colour = graph.tiles.map(() => WHITE);
  for (let root = 0; root < graph.tiles.length; root += 1) {
    if (colour[root] !== WHITE) continue;
    const path: Array<{ node: number; edge: number }> = [{ node: root, edge: 0 }];
    colour[root] = ON_PATH;
    while (path.length > 0) {
      const frame = path[path.length - 1]!;
      const edge = graph.out[frame.node]![frame.edge];
      if (!edge) {
        colour[frame.node] = DONE;
        path.pop();
        continue;
      }
      frame.edge += 1;
      if (colour[edge.to] === ON_PATH) {
        const from = graph.tiles[frame.node]!;
        errors.push({
          tileId: from.id,
          field: edge.field,
          code: 'cycle',
          message: `${tileLabel(from)} leads back to ${tileLabel(graph.tiles[edge.to]!)}, making a loop`,
        });
      } else if (colour[edge.to] === WHITE) {
        colour[edge.to] = ON_PATH;
        path.push({ node: edge.to, edge: 0 });
      }
    }
  }
  return errors;
}

/**
 * Whether each wanted tile lies on some path from the entry to `target`: a backwards walk from the
 * target over reachable tiles, stopping once all are found. At most O(tiles + links) per trigger.
 */
function upstreamOf(graph: Graph, target: number, wanted: ReadonlySet<number>): Set<number> {
  const found = new Set<number>();
  const seen = new Set<number>([target]);
  const stack = [target];
  while (stack.length > 0 && found.size < wanted.size) {
    const at = stack.pop()!;
    for (const from of graph.into[at]!) {
      if (seen.has(from) || !graph.reachable[from]) continue;
      seen.add(from);
      if (wanted.has(from)) found.add(from);
      stack.push(from);
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Per-tile checks

function checkTile(tile: Tile, index: number, graph: Graph, refs: ReferenceLookup, timeZone: string): CheckError[] {
  const label = tileLabel(tile);
  const error = (code: string, field: string | undefined, message: string): CheckError =>
    field === undefined ? { tileId: tile.id, code, message } : { tileId: tile.id, field, code, message };
  switch (tile.type) {
    case 'segmentGroup': {
      if (tile.segments.length === 0) return [error('segmentsMissing', 'segments', `${label} has no segments or subscription lists selected`)];
      const errors: CheckError[] = [];
      tile.segments.forEach((source, n) => {
        if (source.source === 'segment' && !refs.segments.has(source.segmentId)) {
          errors.push(error('segmentUnknown', `segments.${n}.segmentId`, `${label} uses segment "${source.segmentId}", which does not exist`));
        }
        if (source.source === 'subscriptionList' && !refs.subscriptionLists.has(source.listId)) {
          errors.push(error('subscriptionListUnknown', `segments.${n}.listId`, `${label} uses subscription list "${source.listId}", which does not exist`));
        }
      });
      if (tile.segments.every((source) => source.mode === 'exclude')) {
        errors.push(error('onlyExcludeSegments', 'segments', `${label} only excludes segments: include at least one segment or subscription list`));
      }
      return errors;
    }
    case 'formSubmitted':
      return checkForm(tile.formId, 'formId', label, refs.forms, error);
    case 'email': {
      if (!tile.emailId) return [error('emailMissing', 'emailId', `${label} has no email selected`)];
      const email = refs.emails.get(tile.emailId);
      if (!email) return [error('emailUnknown', 'emailId', `${label} uses email "${tile.emailId}", which does not exist`)];
      if (email.status !== 'live') return [error('emailNotPublished', 'emailId', `${label} uses email "${tile.emailId}", which is not published`)];
      return [];
    }
    case 'scheduler': {
      if (!('until' in tile.wait)) return [];
      try {
        localToInstant(tile.wait.until, timeZone);
        return [];
      } catch {
        return [error('schedulerInvalidUntil', 'wait.until', `${label} waits until "${tile.wait.until}", which is not a valid local date and time`)];
      }
    }
    case 'trigger':
      return checkTrigger(tile, index, graph, refs, error);
    case 'splitter':
      return checkSplitter(tile.mode, tile.branches, label, error);
    case 'launchWorkflow':
      if (!tile.workflowId) return [error('workflowMissing', 'workflowId', `${label} has no workflow selected`)];
      if (!refs.workflows.has(tile.workflowId)) return [error('workflowUnknown', 'workflowId', `${label} launches workflow "${tile.workflowId}", which does not exist`)];
      return [];
    case 'condition':
    case 'activity':
    case 'createLead':
      return [];
    default:
      return assertNever(tile);
  }
}

type MakeError = (code: string, field: string | undefined, message: string) => CheckError;

function checkForm(formId: string | null | undefined, field: string, subject: string, forms: ReferenceLookup['forms'], error: MakeError): CheckError[] {
  if (!formId) return [error('formMissing', field, `${subject} has no form selected`)];
  const form = forms.get(formId);
  if (!form) return [error('formUnknown', field, `${subject} uses form "${formId}", which does not exist`)];
  if (form.status !== 'live') return [error('formNotPublished', field, `${subject} uses form "${formId}", which is not published`)];
  return [];
}

function checkPage(pageId: string, field: string, subject: string, pages: NonNullable<ReferenceLookup['pages']>, error: MakeError): CheckError[] {
  const page = pages.get(pageId);
  if (!page) return [error('pageUnknown', field, `${subject} waits for a visit to page "${pageId}", which does not exist`)];
  if (page.status !== 'live') return [error('pageNotPublished', field, `${subject} waits for a visit to page "${pageId}", which is not published`)];
  return [];
}

function checkTrigger(tile: TriggerTile, index: number, graph: Graph, refs: ReferenceLookup, error: MakeError): CheckError[] {
  const label = tileLabel(tile);
  if (tile.rules.length === 0) return [error('triggerNoRules', 'rules', `${label} has no rules: add at least one`)];
  const errors: CheckError[] = [];
  // Email rules are checked for upstream-ness together so the backwards walk runs once per trigger.
  const emailRules: Array<{ n: number; at: number }> = [];
  tile.rules.forEach((rule, n) => {
    const subject = `${label} rule ${n + 1}`;
    if ('formId' in rule) {
      errors.push(...checkForm(rule.formId, `rules.${n}.formId`, subject, refs.forms, error));
      return;
    }
    if ('pageId' in rule) {
      errors.push(...checkPage(rule.pageId, `rules.${n}.pageId`, subject, refs.pages ?? new Map(), error));
      return;
    }
    if (!('tile' in rule)) return;
    const at = graph.indexById.get(rule.tile);
    const target = at === undefined ? undefined : graph.tiles[at];
    if (at === undefined || !target) {
      errors.push(error('triggerRuleUnknownTile', `rules.${n}.tile`, `${subject} waits on tile "${rule.tile}", which does not exist`));
    } else if (target.type !== 'email') {
      errors.push(error('triggerRuleNotEmail', `rules.${n}.tile`, `${subject} waits on ${tileLabel(target)}, which is not an email tile`));
    } else {
      emailRules.push({ n, at });
    }
  });
  // An unreachable trigger is already reported; every rule on it would only repeat that.
  if (emailRules.length > 0 && graph.reachable[index]) {
    const upstream = upstreamOf(graph, index, new Set(emailRules.map((rule) => rule.at)));
    for (const { n, at } of emailRules) {
      if (upstream.has(at)) continue;
      errors.push(
        error(
          'triggerRuleNotUpstream',
          `rules.${n}.tile`,
          `${label} rule ${n + 1} waits on ${tileLabel(graph.tiles[at]!)}, which does not come before the trigger on any path from the entry`,
        ),
      );
    }
  }
  return errors;
}

function checkSplitter(mode: 'percentage' | 'count', branches: ReadonlyArray<{ share: number }>, label: string, error: MakeError): CheckError[] {
  const errors: CheckError[] = [];
  if (branches.length < 2) errors.push(error('splitterTooFewBranches', 'branches', `${label} needs at least 2 branches`));
  if (mode === 'percentage') {
    const sum = branches.reduce((total, branch) => total + branch.share, 0);
    if (!(Math.abs(sum - 100) <= SHARE_TOLERANCE)) {
      errors.push(error('splitterSharesNot100', 'branches', `${label} shares add up to ${Number(sum.toFixed(6))}%, not 100%`));
    }
  } else {
    branches.forEach((branch, n) => {
      if (!Number.isInteger(branch.share)) {
        errors.push(error('splitterShareNotWhole', `branches.${n}.share`, `${label} branch ${n + 1} takes ${branch.share} contacts: counts must be whole numbers`));
      }
    });
  }
  return errors;
}
