import { describe, it, expect } from 'vitest';
import { checkJourney, type ReferenceLookup } from './check.ts';
import { JourneyDefinition, type CheckError, type Tile } from './schema.ts';

const refs: ReferenceLookup = {
  emails: new Map([
    ['em-newsletter', { status: 'live' }],
    ['em-reminder', { status: 'live' }],
    ['em-draft', { status: 'draft' }],
  ]),
  forms: new Map([
    ['form-webinar', { status: 'live' }],
    ['form-draft', { status: 'draft' }],
  ]),
  pages: new Map([
    ['page-offer', { status: 'live' }],
    ['page-draft', { status: 'draft' }],
  ]),
  segments: new Set(['seg-subscribers', 'seg-bounced', 'seg-suppress']),
  subscriptionLists: new Set(['list-news']),
  workflows: new Set(['wf-crm']),
  contentSettings: new Set(['cs-default']),
};

/** A monthly newsletter: send, wait, follow up the clickers, remind half of the others. */
function newsletter(): JourneyDefinition {
  return JourneyDefinition.parse({
    name: 'Monthly newsletter',
    startAt: '2024-03-01T09:00:00+01:00',
    endAt: '2024-07-01T09:00:00+02:00',
    timeZone: 'Europe/Berlin',
    contentSettingsId: 'cs-default',
    suppressionSegmentId: 'seg-suppress',
    recurrence: { intervalDays: 30, count: 4 },
    tiles: [
      {
        id: 'entry',
        type: 'segmentGroup',
        name: 'Subscribers',
        segments: [
          { source: 'segment', segmentId: 'seg-subscribers', mode: 'include' },
          { source: 'subscriptionList', listId: 'list-news', mode: 'include' },
          { source: 'segment', segmentId: 'seg-bounced', mode: 'exclude' },
        ],
        next: 'send',
      },
      { id: 'send', type: 'email', name: 'Newsletter', emailId: 'em-newsletter', next: 'wait' },
      { id: 'wait', type: 'scheduler', wait: { for: 'P2D' }, window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }, next: 'clicked' },
      {
        id: 'clicked',
        type: 'trigger',
        name: 'Clicked?',
        rules: [{ tile: 'send', on: 'clicked' }, { event: 'page_viewed', where: { path: '/pricing' } }],
        match: 'any',
        timeout: 'P3D',
        onTrue: 'call',
        onFalse: 'split',
      },
      { id: 'call', type: 'activity', activityType: 'phoneCall', subject: 'Call about the newsletter', dueIn: 'P1D', next: 'lead' },
      { id: 'lead', type: 'createLead', topic: 'Newsletter interest', next: null },
      { id: 'split', type: 'splitter', mode: 'percentage', branches: [{ share: 50, next: 'remind' }, { share: 50, next: 'vip' }] },
      { id: 'remind', type: 'email', name: 'Reminder', emailId: 'em-reminder', next: null },
      { id: 'vip', type: 'condition', query: { attribute: 'tier', op: 'eq', value: 'gold' }, onTrue: 'crm', onFalse: null },
      { id: 'crm', type: 'launchWorkflow', workflowId: 'wf-crm', next: null },
    ],
  });
}

/** A copy of the newsletter with one tile changed; `patch` edits the copy of the tile with that id. */
function withTile(id: string, patch: (tile: any) => void): JourneyDefinition {
  const def = newsletter();
  const tile = def.tiles.find((candidate) => candidate.id === id);
  if (!tile) throw new Error(`no tile ${id}`);
  patch(tile);
  return def;
}

function codes(errors: CheckError[]): string[] {
  return errors.map((error) => error.code);
}

function only(errors: CheckError[], code: string): CheckError {
  const matching = errors.filter((error) => error.code === code);
  expect(matching, `errors: ${JSON.stringify(errors)}`).toHaveLength(1);
  return matching[0]!;
}

describe('checkJourney', () => {
  it('finds nothing wrong with a correct newsletter journey', () => {
    expect(checkJourney(newsletter(), refs)).toEqual([]);
  });

  describe('entry', () => {
    it('reports a journey with no tiles', () => {
      const def = { ...newsletter(), tiles: [] };
      expect(codes(checkJourney(def, refs))).toEqual(['noEntryTile']);
    });

    it('reports a first tile that is not an entry tile', () => {
      const def = newsletter();
      def.tiles = def.tiles.slice(1);
      const error = only(checkJourney(def, refs), 'noEntryTile');
      expect(error.tileId).toBe('send');
      expect(error.message).toContain('Email tile "Newsletter"');
    });

    it('accepts a form as the entry', () => {
      const def = newsletter();
      def.tiles[0] = { id: 'entry', type: 'formSubmitted', formId: 'form-webinar', next: 'send' };
      expect(checkJourney(def, refs)).toEqual([]);
    });

    it('reports every entry-type tile after the first', () => {
      const def = newsletter();
      def.tiles.push({ id: 'second', type: 'formSubmitted', name: 'Webinar', formId: 'form-webinar', next: 'send' });
      const error = only(checkJourney(def, refs), 'multipleEntryTiles');
      expect(error).toMatchObject({ tileId: 'second' });
      expect(error.message).toContain('Form submitted tile "Webinar"');
    });
  });

  describe('graph', () => {
    it('reports a duplicated tile id once, on the later tile', () => {
      const def = newsletter();
      def.tiles.push({ id: 'lead', type: 'createLead', perAccount: false, next: null });
      const error = only(checkJourney(def, refs), 'duplicateTileId');
      expect(error).toMatchObject({ tileId: 'lead', field: 'id' });
      // The copy cannot be targeted, but the duplicate error already says so.
      expect(codes(checkJourney(def, refs))).not.toContain('unreachableTile');
    });

    it('reports next, onTrue, onFalse and branch links to tiles that do not exist', () => {
      const def = newsletter();
      const byId = (id: string) => def.tiles.find((tile) => tile.id === id) as any;
      byId('send').next = 'nowhere';
      byId('clicked').onFalse = 'gone';
      byId('vip').onTrue = 'missing';
      byId('split').branches[1].next = 'lost';
      const dangling = checkJourney(def, refs).filter((error) => error.code === 'danglingNext');
      expect(dangling.map(({ tileId, field }) => ({ tileId, field }))).toEqual([
        { tileId: 'send', field: 'next' },
        { tileId: 'clicked', field: 'onFalse' },
        { tileId: 'split', field: 'branches.1.next' },
        { tileId: 'vip', field: 'onTrue' },
      ]);
      expect(dangling[0]!.message).toBe('Email tile "Newsletter" leads to tile "nowhere", which does not exist');
    });

    it('reports a tile nothing leads to', () => {
      const def = newsletter();
      def.tiles.push({ id: 'orphan', type: 'email', name: 'Orphan', emailId: 'em-reminder', next: null });
      const error = only(checkJourney(def, refs), 'unreachableTile');
      expect(error).toMatchObject({ tileId: 'orphan' });
      expect(error.message).toBe('Email tile "Orphan" cannot be reached from the entry tile');
    });

    it('reports tiles reachable only from an unreachable tile', () => {
      const def = withTile('clicked', (tile) => {
        tile.onTrue = null;
      });
      // call is cut off, and lead with it: lead's only way in is through call.
      expect(checkJourney(def, refs).filter((error) => error.code === 'unreachableTile').map((error) => error.tileId)).toEqual(['call', 'lead']);
    });

    it('reports a loop back to an earlier tile', () => {
      const def = withTile('remind', (tile) => {
        tile.next = 'wait';
      });
      const error = only(checkJourney(def, refs), 'cycle');
      expect(error).toMatchObject({ tileId: 'remind', field: 'next' });
      expect(error.message).toContain('Email tile "Reminder" leads back to Scheduler tile wait');
    });

    it('reports a tile that leads to itself', () => {
      const def = withTile('lead', (tile) => {
        tile.next = 'lead';
      });
      expect(only(checkJourney(def, refs), 'cycle')).toMatchObject({ tileId: 'lead', field: 'next' });
    });

    it('does not mistake two paths meeting again for a loop', () => {
      const def = newsletter();
      const vip = def.tiles.find((tile) => tile.id === 'vip') as any;
      vip.onFalse = 'crm';
      const remind = def.tiles.find((tile) => tile.id === 'remind') as any;
      remind.next = 'crm';
      expect(checkJourney(def, refs)).toEqual([]);
    });

    it('reports a tile that leads back to the entry, not as a plain loop', () => {
      const def = withTile('lead', (tile) => {
        tile.next = 'entry';
      });
      const errors = checkJourney(def, refs);
      expect(only(errors, 'pointsToEntry')).toMatchObject({ tileId: 'lead', field: 'next' });
      expect(codes(errors)).not.toContain('cycle');
    });
  });

  describe('emails and forms', () => {
    it('reports an email tile without an email, naming the tile', () => {
      const def = withTile('send', (tile) => {
        tile.name = 'White paper';
        tile.emailId = null;
      });
      expect(checkJourney(def, refs)).toEqual([{ tileId: 'send', field: 'emailId', code: 'emailMissing', message: 'Email tile "White paper" has no email selected' }]);
    });

    it('names an unnamed tile by its id', () => {
      const def = withTile('remind', (tile) => {
        delete tile.name;
        tile.emailId = undefined;
      });
      expect(only(checkJourney(def, refs), 'emailMissing').message).toBe('Email tile remind has no email selected');
    });

    it('reports an unknown and an unpublished email', () => {
      const unknown = withTile('send', (tile) => {
        tile.emailId = 'em-nope';
      });
      expect(only(checkJourney(unknown, refs), 'emailUnknown')).toMatchObject({ tileId: 'send', field: 'emailId' });
      const draft = withTile('send', (tile) => {
        tile.emailId = 'em-draft';
      });
      expect(codes(checkJourney(draft, refs))).toEqual(['emailNotPublished']);
    });

    it('reports an unknown and an unpublished entry form', () => {
      const def = newsletter();
      def.tiles[0] = { id: 'entry', type: 'formSubmitted', formId: 'form-nope', next: 'send' };
      expect(only(checkJourney(def, refs), 'formUnknown')).toMatchObject({ tileId: 'entry', field: 'formId' });
      def.tiles[0] = { id: 'entry', type: 'formSubmitted', formId: 'form-draft', next: 'send' };
      expect(codes(checkJourney(def, refs))).toEqual(['formNotPublished']);
    });
  });

  describe('segment group', () => {
    it('reports a group without segments', () => {
      const def = withTile('entry', (tile) => {
        tile.segments = [];
      });
      expect(codes(checkJourney(def, refs))).toEqual(['segmentsMissing']);
    });

    it('reports unknown segments and subscription lists by position', () => {
      const def = withTile('entry', (tile) => {
        tile.segments = [
          { source: 'segment', segmentId: 'seg-subscribers', mode: 'include' },
          { source: 'segment', segmentId: 'seg-nope', mode: 'include' },
          { source: 'subscriptionList', listId: 'list-nope', mode: 'include' },
        ];
      });
      const errors = checkJourney(def, refs);
      expect(only(errors, 'segmentUnknown')).toMatchObject({ tileId: 'entry', field: 'segments.1.segmentId' });
      expect(only(errors, 'subscriptionListUnknown')).toMatchObject({ tileId: 'entry', field: 'segments.2.listId' });
    });

    it('reports a group that only excludes', () => {
      const def = withTile('entry', (tile) => {
        tile.segments = [{ source: 'segment', segmentId: 'seg-bounced', mode: 'exclude' }];
      });
      expect(only(checkJourney(def, refs), 'onlyExcludeSegments')).toMatchObject({ tileId: 'entry', field: 'segments' });
    });
  });

  describe('launch workflow', () => {
    it('reports a missing and an unknown workflow', () => {
      const missing = withTile('crm', (tile) => {
        tile.workflowId = null;
      });
      expect(only(checkJourney(missing, refs), 'workflowMissing')).toMatchObject({ tileId: 'crm', field: 'workflowId' });
      const unknown = withTile('crm', (tile) => {
        tile.workflowId = 'wf-nope';
      });
      expect(codes(checkJourney(unknown, refs))).toEqual(['workflowUnknown']);
    });
  });

  describe('trigger', () => {
    it('reports a trigger without rules', () => {
      const def = withTile('clicked', (tile) => {
        tile.rules = [];
      });
      expect(only(checkJourney(def, refs), 'triggerNoRules')).toMatchObject({ tileId: 'clicked', field: 'rules' });
    });

    it('reports a rule on an email tile that comes after the trigger', () => {
      const def = withTile('clicked', (tile) => {
        tile.rules = [{ tile: 'remind', on: 'opened' }];
      });
      const error = only(checkJourney(def, refs), 'triggerRuleNotUpstream');
      expect(error).toMatchObject({ tileId: 'clicked', field: 'rules.0.tile' });
      expect(error.message).toContain('Email tile "Reminder"');
    });

    it('reports a rule on an email tile on a parallel branch', () => {
      // split → remind and split → vip → crm: remind is not before a trigger placed after crm.
      const def = withTile('crm', (tile) => {
        tile.next = 'late';
      });
      def.tiles.push({ id: 'late', type: 'trigger', rules: [{ tile: 'remind', on: 'clicked' }], match: 'any', timeout: 'P1D', basis: 'contact', onTrue: null, onFalse: null });
      expect(only(checkJourney(def, refs), 'triggerRuleNotUpstream')).toMatchObject({ tileId: 'late', field: 'rules.0.tile' });
    });

    it('accepts an email tile upstream on only one of several paths', () => {
      // late is reached both through remind and through vip → crm; one path through remind is enough.
      const def = withTile('crm', (tile) => {
        tile.next = 'late';
      });
      (def.tiles.find((tile) => tile.id === 'remind') as any).next = 'late';
      def.tiles.push({ id: 'late', type: 'trigger', rules: [{ tile: 'remind', on: 'clicked' }], match: 'any', timeout: 'P1D', basis: 'contact', onTrue: null, onFalse: null });
      expect(checkJourney(def, refs)).toEqual([]);
    });

    it('does not count an unreachable email tile that leads into the trigger as upstream', () => {
      const def = withTile('clicked', (tile) => {
        tile.rules = [{ tile: 'side', on: 'opened' }];
      });
      def.tiles.push({ id: 'side', type: 'email', name: 'Side door', emailId: 'em-reminder', next: 'clicked' });
      const errors = checkJourney(def, refs);
      expect(only(errors, 'unreachableTile')).toMatchObject({ tileId: 'side' });
      expect(only(errors, 'triggerRuleNotUpstream')).toMatchObject({ tileId: 'clicked', field: 'rules.0.tile' });
    });

    it('does not repeat rule errors for a trigger that is itself unreachable', () => {
      const def = newsletter();
      def.tiles.push({ id: 'stray', type: 'trigger', rules: [{ tile: 'remind', on: 'opened' }], match: 'any', timeout: 'P1D', basis: 'contact', onTrue: null, onFalse: null });
      expect(codes(checkJourney(def, refs))).toEqual(['unreachableTile']);
    });

    it('reports a rule on a tile that is not an email or does not exist', () => {
      const def = withTile('clicked', (tile) => {
        tile.rules = [
          { tile: 'wait', on: 'clicked' },
          { tile: 'ghost', on: 'opened' },
        ];
      });
      const errors = checkJourney(def, refs);
      expect(only(errors, 'triggerRuleNotEmail')).toMatchObject({ field: 'rules.0.tile' });
      expect(only(errors, 'triggerRuleUnknownTile')).toMatchObject({ field: 'rules.1.tile' });
    });

    it('reports a form rule on an unknown or unpublished form', () => {
      const def = withTile('clicked', (tile) => {
        tile.rules = [
          { formId: 'form-webinar', on: 'submitted' },
          { formId: 'form-nope', on: 'submitted' },
          { formId: 'form-draft', on: 'submitted' },
        ];
      });
      const errors = checkJourney(def, refs);
      expect(only(errors, 'formUnknown')).toMatchObject({ tileId: 'clicked', field: 'rules.1.formId' });
      expect(only(errors, 'formNotPublished')).toMatchObject({ tileId: 'clicked', field: 'rules.2.formId' });
    });

    it('reports a page rule on an unknown or unpublished page', () => {
      const def = withTile('clicked', (tile) => {
        tile.rules = [
          { pageId: 'page-offer', on: 'visited' },
          { pageId: 'page-nope', on: 'visited' },
          { pageId: 'page-draft', on: 'visited' },
        ];
      });
      const errors = checkJourney(def, refs);
      expect(only(errors, 'pageUnknown')).toMatchObject({ tileId: 'clicked', field: 'rules.1.pageId' });
      expect(only(errors, 'pageNotPublished')).toMatchObject({ tileId: 'clicked', field: 'rules.2.pageId' });
      expect(only(errors, 'pageNotPublished').message).toContain('page-draft');
      // Without any pages known, every page a rule names is unknown.
      const { pages: _pages, ...withoutPages } = refs;
      expect(codes(checkJourney(def, withoutPages)).filter((code) => code.startsWith('page'))).toEqual(['pageUnknown', 'pageUnknown', 'pageUnknown']);
    });

    it('parses a page rule and refuses a page rule with another verb', () => {
      const base = newsletter();
      const trigger = base.tiles.find((tile) => tile.id === 'clicked')!;
      expect(() => JourneyDefinition.parse({ ...base, tiles: base.tiles.map((tile) => (tile === trigger ? { ...tile, rules: [{ pageId: 'p', on: 'visited' }] } : tile)) })).not.toThrow();
      expect(() => JourneyDefinition.parse({ ...base, tiles: base.tiles.map((tile) => (tile === trigger ? { ...tile, rules: [{ pageId: 'p', on: 'submitted' }] } : tile)) })).toThrow();
    });
  });

  describe('splitter', () => {
    it('reports percentage shares that do not add up to 100', () => {
      const def = withTile('split', (tile) => {
        tile.branches[1].share = 40;
      });
      const error = only(checkJourney(def, refs), 'splitterSharesNot100');
      expect(error).toMatchObject({ tileId: 'split', field: 'branches' });
      expect(error.message).toContain('90%');
    });

    it('tolerates floating-point sums such as 0.1 + 64.1 + 35.8 (99.99999999999999 in doubles)', () => {
      expect(0.1 + 64.1 + 35.8).not.toBe(100);
      const def = withTile('split', (tile) => {
        tile.branches = [
          { share: 0.1, next: 'remind' },
          { share: 64.1, next: 'vip' },
          { share: 35.8, next: null },
        ];
      });
      expect(checkJourney(def, refs)).toEqual([]);
    });

    it('does not tolerate a real shortfall such as 99.99', () => {
      const def = withTile('split', (tile) => {
        tile.branches[1].share = 49.99;
      });
      expect(codes(checkJourney(def, refs))).toEqual(['splitterSharesNot100']);
    });

    it('reports fractional counts in count mode but not a sum other than 100', () => {
      const def = withTile('split', (tile) => {
        tile.mode = 'count';
        tile.branches = [
          { share: 10.5, next: 'remind' },
          { share: 7, next: 'vip' },
        ];
      });
      expect(checkJourney(def, refs)).toEqual([
        { tileId: 'split', field: 'branches.0.share', code: 'splitterShareNotWhole', message: expect.stringContaining('10.5') },
      ]);
    });

    it('reports a splitter with one branch', () => {
      const def = withTile('split', (tile) => {
        tile.branches = [{ share: 100, next: 'remind' }];
      });
      const errors = checkJourney(def, refs);
      expect(only(errors, 'splitterTooFewBranches')).toMatchObject({ tileId: 'split', field: 'branches' });
      expect(errors.filter((error) => error.code === 'unreachableTile').map((error) => error.tileId)).toEqual(['vip', 'crm']);
    });
  });

  describe('schedule and settings', () => {
    it('reports an end at or before the start', () => {
      const def = { ...newsletter(), recurrence: null, endAt: '2024-03-01T08:00:00Z' };
      expect(checkJourney(def, refs)).toEqual([{ field: 'endAt', code: 'endNotAfterStart', message: expect.any(String) }]);
    });

    it('reports recurrences that outlast the schedule', () => {
      const def = { ...newsletter(), recurrence: { intervalDays: 31, count: 4 } };
      expect(only(checkJourney(def, refs), 'recurrenceTooLong')).toMatchObject({ field: 'recurrence' });
    });

    it('counts recurrence in calendar days, so a DST change does not cost an hour', () => {
      // 2024-03-01 → 2024-03-31 local is 30 days but 719 hours in Berlin.
      const def = { ...newsletter(), endAt: '2024-03-31T09:00:00+02:00', recurrence: { intervalDays: 10, count: 3 } };
      expect(checkJourney(def, refs)).toEqual([]);
      expect(codes(checkJourney({ ...def, recurrence: { intervalDays: 10, count: 4 } }, refs))).toEqual(['recurrenceTooLong']);
    });

    it('reports unknown content settings and suppression segment', () => {
      const def = { ...newsletter(), contentSettingsId: 'cs-nope', suppressionSegmentId: 'seg-nope' };
      const errors = checkJourney(def, refs);
      expect(only(errors, 'contentSettingsUnknown')).toMatchObject({ field: 'contentSettingsId' });
      expect(only(errors, 'suppressionSegmentUnknown')).toMatchObject({ field: 'suppressionSegmentId' });
    });

    it('reports a scheduler until that is no real local time, without throwing', () => {
      const def = withTile('wait', (tile) => {
        tile.wait = { until: '2024-02-30T09:00' };
      });
      expect(only(checkJourney(def, refs), 'schedulerInvalidUntil')).toMatchObject({ tileId: 'wait', field: 'wait.until' });
      const valid = withTile('wait', (tile) => {
        tile.wait = { until: '2024-03-31T02:30' }; // in the spring-forward gap: moves forward, still valid
      });
      expect(checkJourney(valid, refs)).toEqual([]);
    });
  });

  describe('large journeys', () => {
    function chain(length: number, build: (index: number, next: string | null) => Tile): JourneyDefinition {
      const def = newsletter();
      def.recurrence = null;
      def.tiles = [{ id: 't0', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: 'seg-subscribers', mode: 'include' }], next: 't1' }];
      for (let index = 1; index < length; index += 1) def.tiles.push(build(index, index + 1 < length ? `t${index + 1}` : null));
      return def;
    }

    it('checks 1000 tiles alternating emails and triggers on the first email quickly', () => {
      const def = chain(1000, (index, next) =>
        index % 2 === 1
          ? { id: `t${index}`, type: 'email', emailId: 'em-newsletter', next }
          : { id: `t${index}`, type: 'trigger', rules: [{ tile: 't1', on: 'opened' }], match: 'any', timeout: 'P1D', basis: 'contact', onTrue: next, onFalse: next },
      );
      const started = performance.now();
      expect(checkJourney(def, refs)).toEqual([]);
      expect(performance.now() - started).toBeLessThan(1000);
    });

    it('finds a loop at the end of a 1000-tile chain without overflowing the stack', () => {
      const def = chain(1000, (index, next) => ({ id: `t${index}`, type: 'createLead', perAccount: false, next: next ?? 't1' }));
      expect(only(checkJourney(def, refs), 'cycle')).toMatchObject({ tileId: 't999' });
    });
  });
});
