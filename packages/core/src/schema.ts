/**
 * The journey definition: the single source of truth for what a journey is.
 *
 * Glossary
 * - journey: a pipeline of tiles that contacts move through, with a schedule and settings.
 * - tile: one square of the board game: an entry (segment group, form), a message (email), a wait
 *   (scheduler, trigger), a decision (splitter, condition) or an internal action (activity, lead, workflow).
 * - iteration: one run of a recurring journey; a non-recurring journey has exactly iteration 1.
 * - admission: a contact entering a journey from its entry tile (once per iteration).
 * - step: moving one contact from its current tile, by that tile's pure step function.
 * - effect: something a step asks the outside world to do (send an email, call a workflow); effects
 *   are data, written to the outbox in the same transaction as the step, executed after commit.
 * - outbox: the table of effects with unique idempotency keys, drained by the senders.
 */
import { z } from 'zod';
import { Duration } from './duration.ts';
import { SegmentQuery } from './segmentQuery.ts';

export const TileId = z.string().min(1).max(100);
/** Where a path goes next: another tile's id, or null to end that path. */
export const NextTile = TileId.nullable();

export const ConsentLevel = z.enum(['none', 'consentGiven', 'transactional', 'subscriptions', 'marketing', 'profiling']);
export type ConsentLevel = z.infer<typeof ConsentLevel>;

const tileBase = { id: TileId, name: z.string().max(200).optional() };

export const SegmentSource = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('segment'), segmentId: z.string().min(1), mode: z.enum(['include', 'exclude']) }),
  z.strictObject({ source: z.literal('subscriptionList'), listId: z.string().min(1), mode: z.enum(['include', 'exclude']).default('include') }),
]);
export type SegmentSource = z.infer<typeof SegmentSource>;

export const SegmentGroupTile = z.strictObject({
  ...tileBase,
  type: z.literal('segmentGroup'),
  combine: z.enum(['union', 'intersection']).default('union'),
  segments: z.array(SegmentSource).max(100),
  next: NextTile,
});
export type SegmentGroupTile = z.infer<typeof SegmentGroupTile>;

// The form may be chosen later, like an email tile's email: check-for-errors reports it missing.
export const FormSubmittedTile = z.strictObject({ ...tileBase, type: z.literal('formSubmitted'), formId: z.string().min(1).nullable().optional(), next: NextTile });
export type FormSubmittedTile = z.infer<typeof FormSubmittedTile>;

export const EmailTile = z.strictObject({ ...tileBase, type: z.literal('email'), emailId: z.string().min(1).nullable().optional(), next: NextTile });
export type EmailTile = z.infer<typeof EmailTile>;

export const Weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
export type Weekday = z.infer<typeof Weekday>;
const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');
/** A local date-time without offset, read in the journey's time zone. */
export const LocalDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'expected YYYY-MM-DDTHH:MM[:SS] (local time, no offset)');

export const Window = z.strictObject({ days: z.array(Weekday).min(1), from: ClockTime, to: ClockTime });
export type Window = z.infer<typeof Window>;

export const SchedulerTile = z.strictObject({
  ...tileBase,
  type: z.literal('scheduler'),
  wait: z.union([z.object({ for: Duration }).strict(), z.object({ until: LocalDateTime }).strict()]),
  window: Window.optional(),
  next: NextTile,
});
export type SchedulerTile = z.infer<typeof SchedulerTile>;

export const TriggerRule = z.union([
  z.object({ tile: TileId, on: z.enum(['delivered', 'opened', 'clicked', 'bounced']), link: z.string().max(2000).optional() }).strict(),
  z.object({ formId: z.string().min(1), on: z.literal('submitted') }).strict(),
  /** A visit to a marketing page by an identified contact (e.g. through a tracked link in an email). */
  z.object({ pageId: z.string().min(1), on: z.literal('visited') }).strict(),
  z.object({ event: z.string().min(1).max(100), where: z.record(z.string(), z.unknown()).optional() }).strict(),
]);
export type TriggerRule = z.infer<typeof TriggerRule>;

export const TriggerTile = z.strictObject({
  ...tileBase,
  type: z.literal('trigger'),
  rules: z.array(TriggerRule).max(50),
  match: z.enum(['all', 'any']).default('any'),
  timeout: Duration,
  basis: z.enum(['contact', 'account']).default('contact'),
  onTrue: NextTile,
  onFalse: NextTile,
});
export type TriggerTile = z.infer<typeof TriggerTile>;

export const SplitterTile = z.strictObject({
  ...tileBase,
  type: z.literal('splitter'),
  mode: z.enum(['percentage', 'count']),
  branches: z.array(z.strictObject({ share: z.number().nonnegative(), next: NextTile })).min(1).max(20),
});
export type SplitterTile = z.infer<typeof SplitterTile>;

export const ConditionTile = z.strictObject({ ...tileBase, type: z.literal('condition'), query: SegmentQuery, onTrue: NextTile, onFalse: NextTile });
export type ConditionTile = z.infer<typeof ConditionTile>;

export const ActivityTile = z.strictObject({
  ...tileBase,
  type: z.literal('activity'),
  activityType: z.enum(['task', 'phoneCall', 'appointment']),
  subject: z.string().min(1).max(500),
  dueIn: Duration.optional(),
  assignTo: z.enum(['contactOwner', 'journeyOwner', 'accountOwner']).default('journeyOwner'),
  perAccount: z.boolean().default(false),
  next: NextTile,
});
export type ActivityTile = z.infer<typeof ActivityTile>;

export const LaunchWorkflowTile = z.strictObject({
  ...tileBase,
  type: z.literal('launchWorkflow'),
  workflowId: z.string().min(1).nullable().optional(),
  perAccount: z.boolean().default(false),
  next: NextTile,
});
export type LaunchWorkflowTile = z.infer<typeof LaunchWorkflowTile>;

export const CreateLeadTile = z.strictObject({
  ...tileBase,
  type: z.literal('createLead'),
  perAccount: z.boolean().default(false),
  topic: z.string().max(500).optional(),
  next: NextTile,
});
export type CreateLeadTile = z.infer<typeof CreateLeadTile>;

export const Tile = z.discriminatedUnion('type', [
  SegmentGroupTile,
  FormSubmittedTile,
  EmailTile,
  SchedulerTile,
  TriggerTile,
  SplitterTile,
  ConditionTile,
  ActivityTile,
  LaunchWorkflowTile,
  CreateLeadTile,
]);
export type Tile = z.infer<typeof Tile>;
export type TileType = Tile['type'];

export const ENTRY_TILE_TYPES = ['segmentGroup', 'formSubmitted'] as const satisfies readonly TileType[];
export function isEntryTile(tile: Tile): tile is SegmentGroupTile | FormSubmittedTile {
  return tile.type === 'segmentGroup' || tile.type === 'formSubmitted';
}

export const Recurrence = z.strictObject({ intervalDays: z.number().int().positive().max(3650), count: z.number().int().positive().max(1000) });
export type Recurrence = z.infer<typeof Recurrence>;

const isoWithOffset = z.iso.datetime({ offset: true });

export const TimeZone = z.string().min(1).refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'unknown IANA time zone');

/**
 * The body of POST/PUT /journeys: what a marketer designs. Strict, like every part of it: a
 * misspelt field (`supressionSegmentId`) is refused, naming it, rather than silently dropped.
 */
export const JourneyDefinition = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).optional(),
  target: z.enum(['contacts', 'accounts']).default('contacts'),
  minimumConsent: ConsentLevel.optional(),
  scope: z.enum(['organization', 'businessUnit']).default('organization'),
  startAt: isoWithOffset,
  endAt: isoWithOffset,
  timeZone: TimeZone,
  contentSettingsId: z.string().min(1).nullable().optional(),
  suppressionSegmentId: z.string().min(1).nullable().optional(),
  recurrence: Recurrence.nullable().optional(),
  ownerUserId: z.string().min(1).optional(),
  tiles: z.array(Tile).max(1000),
});
export type JourneyDefinition = z.infer<typeof JourneyDefinition>;

export const JourneyStatus = z.enum(['draft', 'live', 'stopped', 'ended', 'failed']);
export type JourneyStatus = z.infer<typeof JourneyStatus>;

/** One finding of check-for-errors. Never thrown: a list of these is the answer. */
export interface CheckError {
  tileId?: string;
  field?: string;
  code: string;
  message: string;
}

/** Exhaustiveness guard for switches over discriminated unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
