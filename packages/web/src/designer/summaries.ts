import { assertNever, type Tile } from '@waymark/core';
import { describeDuration } from '../components/DurationInput.tsx';
import type { RecordKind } from '../records.tsx';
import { tileName } from '../journey/tileTypes.ts';

type NameOf = (kind: RecordKind, id: string | null | undefined) => string | undefined;

/** One line on a tile saying how it is set up, in a marketer's words. */
export function summarize(tile: Tile, tiles: readonly Tile[], nameOf: NameOf): string {
  switch (tile.type) {
    case 'segmentGroup': {
      if (tile.segments.length === 0) return 'No segment chosen';
      const names = tile.segments.map((s) => (s.source === 'segment' ? `${s.mode === 'exclude' ? 'not ' : ''}${nameOf('segment', s.segmentId) ?? 'a segment'}` : (nameOf('subscriptionList', s.listId) ?? 'a list')));
      return names.join(tile.combine === 'union' ? ' or ' : ' and ');
    }
    case 'formSubmitted':
      return tile.formId ? (nameOf('form', tile.formId) ?? 'Unknown form') : 'No form chosen';
    case 'email':
      return tile.emailId ? (nameOf('email', tile.emailId) ?? 'Unknown email') : 'No email chosen';
    case 'scheduler':
      return 'for' in tile.wait ? `Wait ${describeDuration(tile.wait.for)}${tile.window ? ', in window' : ''}` : `Until ${tile.wait.until.replace('T', ' ')}`;
    case 'trigger': {
      if (tile.rules.length === 0) return 'No rule yet';
      const byId = new Map(tiles.map((t) => [t.id, t]));
      const first = tile.rules[0]!;
      const text = 'tile' in first ? `${first.on} ${byId.get(first.tile) ? tileName(byId.get(first.tile)!) : 'email'}` : 'formId' in first ? `submits ${nameOf('form', first.formId) ?? 'a form'}` : 'pageId' in first ? 'visits a page' : `event ${first.event}`;
      return `${text}${tile.rules.length > 1 ? ` +${tile.rules.length - 1}` : ''} · ${describeDuration(tile.timeout)}`;
    }
    case 'splitter':
      return tile.branches.map((b) => `${b.share}${tile.mode === 'percentage' ? '%' : ''}`).join(' / ');
    case 'condition':
      return 'Contact matches a query';
    case 'activity':
      return `${tile.activityType === 'phoneCall' ? 'Phone call' : tile.activityType === 'appointment' ? 'Appointment' : 'Task'}: ${tile.subject}`;
    case 'launchWorkflow':
      return tile.workflowId ? (nameOf('workflow', tile.workflowId) ?? 'Unknown workflow') : 'No workflow chosen';
    case 'createLead':
      return tile.topic ? `Topic: ${tile.topic}` : 'New lead';
    default:
      return assertNever(tile);
  }
}

/**
 * The nested tiles of a container tile, as the canvas lists them when it is expanded: for a segment
 * group, each segment or subscription list it loads, with include or exclude.
 */
export function nestedItems(tile: Tile, nameOf: NameOf): string[] {
  if (tile.type !== 'segmentGroup') return [];
  return tile.segments.map((source) =>
    source.source === 'segment'
      ? `${source.mode === 'exclude' ? 'Exclude' : 'Include'} segment: ${nameOf('segment', source.segmentId) ?? 'unknown segment'}`
      : `Include subscription list: ${nameOf('subscriptionList', source.listId) ?? 'unknown list'}`,
  );
}
