import { addDuration } from './duration.ts';
import { eventMatchesWhere, matchesQuery } from './evaluate.ts';
import type { ContactFacts, EventFact } from './facts.ts';
import { assertNever, type Tile, type TriggerRule, type TriggerTile } from './schema.ts';
import { countBranch, percentageBranch } from './splitter.ts';
import { schedulerReleaseAt } from './time.ts';

/** Something a step asks the world to do; the engine writes it to the outbox with the step. */
export type Effect =
  | { kind: 'email'; emailId: string }
  | { kind: 'activity'; activityType: string; subject: string; dueAt: Date | null; assignTo: string; perAccount: boolean }
  | { kind: 'lead'; topic: string | null; perAccount: boolean }
  | { kind: 'workflow'; workflowId: string; perAccount: boolean };

export interface StepContext {
  journeyId: string;
  iteration: number;
  timeZone: string;
  now: Date;
}

/** What the engine knows about one contact standing on one tile. */
export interface StepInput {
  contactId: string;
  /** When the contact arrived on this tile. */
  enteredAt: Date;
  /** Loaded only for tiles that look at the contact (condition, trigger). */
  facts?: ContactFacts;
  /** For count-mode splitters: how many contacts each branch holds so far. */
  splitterAssigned?: number[];
  /**
   * Account-based triggers (basis "account") that another contact of this contact's account has
   * already satisfied in this journey and iteration: the whole account takes the true path.
   */
  accountTriggersFired?: ReadonlySet<string>;
}

export type StepResult =
  /** Leave the tile now for `next` (null ends the path), recording `outcome` in the contact's history. */
  | { kind: 'move'; next: string | null; outcome: string; branch?: number; effects: Effect[] }
  /** Stay; come back at `until`, or when an event for the contact arrives. */
  | { kind: 'wait'; until: Date };

const move = (next: string | null, outcome: string, effects: Effect[] = []): StepResult => ({ kind: 'move', next, outcome, effects });

const EMAIL_EVENT_BY_RULE = { delivered: 'email_delivered', opened: 'email_opened', clicked: 'email_clicked', bounced: 'email_bounced' } as const;

/** Whether one trigger rule holds for the contact's events since it reached the trigger. */
export function ruleHolds(rule: TriggerRule, events: readonly EventFact[], enteredAt: Date, ctx: StepContext): boolean {
  if ('tile' in rule) {
    // Email interactions belong to the message that tile sent in this journey and iteration,
    // whenever they happened, so a click before the contact reached the trigger still counts.
    const type = EMAIL_EVENT_BY_RULE[rule.on];
    return events.some(
      (event) =>
        event.type === type &&
        event.properties.journeyId === ctx.journeyId &&
        event.properties.tileId === rule.tile &&
        Number(event.properties.iteration ?? 1) === ctx.iteration &&
        (rule.link === undefined || event.properties.url === rule.link),
    );
  }
  const since = enteredAt.getTime();
  if ('formId' in rule) {
    return events.some((event) => event.type === 'form_submitted' && event.properties.formId === rule.formId && event.occurredAt.getTime() >= since);
  }
  if ('pageId' in rule) {
    return events.some((event) => event.type === 'page_visited' && event.properties.pageId === rule.pageId && event.occurredAt.getTime() >= since);
  }
  return events.some((event) => event.type === rule.event && event.occurredAt.getTime() >= since && eventMatchesWhere(event, rule.where));
}

/** The stored event type a trigger rule waits for, so the engine loads just those events. */
export function ruleEventType(rule: TriggerRule): string {
  if ('tile' in rule) return EMAIL_EVENT_BY_RULE[rule.on];
  if ('formId' in rule) return 'form_submitted';
  if ('pageId' in rule) return 'page_visited';
  return rule.event;
}

export function triggerHolds(tile: TriggerTile, events: readonly EventFact[], enteredAt: Date, ctx: StepContext): boolean {
  if (tile.rules.length === 0) return false;
  const holds = (rule: TriggerRule) => ruleHolds(rule, events, enteredAt, ctx);
  return tile.match === 'all' ? tile.rules.every(holds) : tile.rules.some(holds);
}

export function triggerTimeoutAt(tile: TriggerTile, enteredAt: Date, timeZone: string): Date {
  return addDuration(enteredAt, tile.timeout, timeZone);
}

/**
 * The pure semantics of every tile: given a contact on a tile, where it goes and what it asks for.
 * No IO, no clock: `ctx.now` is the engine's time.
 */
export function step(tile: Tile, input: StepInput, ctx: StepContext): StepResult {
  switch (tile.type) {
    case 'segmentGroup':
    case 'formSubmitted':
      return move(tile.next, 'entered');
    case 'email':
      return move(tile.next, 'sent', tile.emailId ? [{ kind: 'email', emailId: tile.emailId }] : []);
    case 'scheduler': {
      const releaseAt = schedulerReleaseAt(tile, input.enteredAt, ctx.timeZone);
      return releaseAt <= ctx.now ? move(tile.next, 'waited') : { kind: 'wait', until: releaseAt };
    }
    case 'trigger': {
      const firedForAccount = tile.basis === 'account' && (input.accountTriggersFired?.has(tile.id) ?? false);
      if (firedForAccount || triggerHolds(tile, input.facts?.events ?? [], input.enteredAt, ctx)) return move(tile.onTrue, 'true');
      const timeoutAt = triggerTimeoutAt(tile, input.enteredAt, ctx.timeZone);
      return timeoutAt <= ctx.now ? move(tile.onFalse, 'false') : { kind: 'wait', until: timeoutAt };
    }
    case 'splitter': {
      const branch = tile.mode === 'count' ? countBranch(tile, input.splitterAssigned ?? []) : percentageBranch(tile, ctx.journeyId, input.contactId);
      return { kind: 'move', next: tile.branches[branch]!.next, outcome: `branch ${branch + 1}`, branch, effects: [] };
    }
    case 'condition': {
      const holds = input.facts ? matchesQuery(tile.query, input.facts, ctx.now) : false;
      return move(holds ? tile.onTrue : tile.onFalse, holds ? 'true' : 'false');
    }
    case 'activity':
      return move(tile.next, 'created', [
        {
          kind: 'activity',
          activityType: tile.activityType,
          subject: tile.subject,
          dueAt: tile.dueIn ? addDuration(ctx.now, tile.dueIn, ctx.timeZone) : null,
          assignTo: tile.assignTo,
          perAccount: tile.perAccount,
        },
      ]);
    case 'createLead':
      return move(tile.next, 'created', [{ kind: 'lead', topic: tile.topic ?? null, perAccount: tile.perAccount }]);
    case 'launchWorkflow':
      return move(tile.next, 'launched', tile.workflowId ? [{ kind: 'workflow', workflowId: tile.workflowId, perAccount: tile.perAccount }] : []);
    default:
      return assertNever(tile);
  }
}

/** Tiles whose step needs the contact's facts loaded. */
export function needsFacts(tile: Tile): boolean {
  return tile.type === 'condition' || tile.type === 'trigger';
}
