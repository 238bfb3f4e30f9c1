import type { JourneyDefinition, JourneyStatus, Tile, TileType } from '@waymark/core';

export type { CheckError, JourneyDefinition, JourneyStatus, Tile, TileType } from '@waymark/core';

/** A journey as GET /journeys/{id} answers it: the definition, flattened, with identity and status. */
export interface Journey extends JourneyDefinition {
  id: string;
  status: JourneyStatus;
  ownerUserId?: string;
  businessUnitId?: string;
  currentIteration?: number;
  /** The published version it runs: 1 from the first go-live, null while never live. */
  version?: number | null;
  createdAt: string;
  updatedAt: string;
}

export type TileOf<T extends TileType> = Extract<Tile, { type: T }>;

export interface TileInsight {
  entered: number;
  waiting: number;
  completed: number;
  /** Email tiles: waiting in the outbox, not yet accepted by the mail server. */
  queued?: number;
  /** Email tiles: accepted by the mail server. */
  sent?: number;
  /** Email tiles: given up on (rejected, expired, hard bounce...). */
  failed?: number;
  delivered?: number;
  opened?: number;
  clicked?: number;
  onTrue?: number;
  onFalse?: number;
  branches?: number[];
}

export interface JourneyInsights {
  contacts: { entered: number; active: number; completed: number; exited?: number; excluded: Record<string, number> };
  tiles: Record<string, TileInsight>;
}

export interface Milestone {
  at: string;
  kind: string;
  detail?: unknown;
}

/** The fields PUT /journeys/{id} takes: the definition without identity and status. */
export function definitionOf(journey: JourneyDefinition): JourneyDefinition {
  const { name, description, target, minimumConsent, scope, startAt, endAt, timeZone, contentSettingsId, suppressionSegmentId, recurrence, ownerUserId, tiles } = journey;
  const def: JourneyDefinition = { name, target, scope, startAt, endAt, timeZone, tiles };
  if (description !== undefined && description !== null) def.description = description;
  if (minimumConsent) def.minimumConsent = minimumConsent;
  if (contentSettingsId) def.contentSettingsId = contentSettingsId;
  if (suppressionSegmentId) def.suppressionSegmentId = suppressionSegmentId;
  if (recurrence) def.recurrence = recurrence;
  if (ownerUserId) def.ownerUserId = ownerUserId;
  return def;
}
