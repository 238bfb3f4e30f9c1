import type { ConsentLevel } from './schema.ts';

/** A stored behavioural event, as the core sees it. */
export interface EventFact {
  type: string;
  occurredAt: Date;
  properties: Record<string, unknown>;
}

export interface AccountFacts {
  id: string;
  name: string;
  businessUnitId?: string | null;
  ownerUserId?: string | null;
  attributes: Record<string, unknown>;
}

/** Everything a condition, trigger or segment may look at for one contact. */
export interface ContactFacts {
  id: string;
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  consent: ConsentLevel;
  timeZone?: string | null;
  accountId?: string | null;
  businessUnitId?: string | null;
  ownerUserId?: string | null;
  createdAt?: string | null;
  /** The highest score of the contact's leads (and its account's account-level leads); null without any. */
  leadScore?: number | null;
  /** Whether one of those leads is sales-ready. */
  salesReady?: boolean;
  attributes: Record<string, unknown>;
  account?: AccountFacts | null;
  lists: ReadonlySet<string>;
  segments: ReadonlySet<string>;
  events: readonly EventFact[];
}
