import type { ConsentLevel } from '@waymark/core';
import type { Queryable } from './db/database.ts';
import { recordEvents } from './events.ts';
import { admitToInboundJourneys } from './queries/admitToInboundJourneys.ts';
import { joinLists } from './queries/joinLists.ts';
import { recordPageVisit } from './queries/recordPageVisit.ts';
import { upsertFormContact } from './queries/upsertFormContact.ts';

export interface FormSubmission {
  formId: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  attributes: Record<string, string | number | boolean>;
  /** The consent the submitter gave (a ticked consent box), or null. */
  consent: ConsentLevel | null;
  /** Subscription lists the submitter joins. */
  listIds: string[];
  /** Every submitted value, as the form_submitted event keeps it. */
  fields: Record<string, string | number | boolean | null>;
}

export interface SubmissionResult {
  contactId: string;
  created: boolean;
  /** Inbound journeys the contact entered with this submission. */
  journeyIds: string[];
}

/**
 * Takes one form submission, inside the caller's transaction: the contact is created or updated
 * by email, joins the lists it chose, a `form_submitted` event is recorded (waking triggers on the
 * form), and the contact enters the live journeys that start with this form.
 */
export async function submitForm(tx: Queryable, submission: FormSubmission, now: Date): Promise<SubmissionResult> {
  const contact = await upsertFormContact(tx, submission, now);
  await joinLists(tx, contact.id, submission.listIds, now);
  await recordEvents(tx, [{ contactId: contact.id, type: 'form_submitted', occurredAt: now, properties: { formId: submission.formId, fields: submission.fields } }], now);
  const journeyIds = await admitToInboundJourneys(tx, submission.formId, contact.id, now);
  return { contactId: contact.id, created: contact.created, journeyIds };
}

export interface PageVisit {
  pageId: string;
  /** The visitor, when known (a signed link from an email); anonymous visits are only counted. */
  contactId: string | null;
  /** The email the visitor came from, when known. */
  outboxId: number | null;
}

/**
 * Counts a visit to a page and, for a known visitor, records `page_visited` (with the journey and
 * email tile it came from), which wakes triggers waiting for the visit. Returns whether the
 * visitor was known (an erased contact is not).
 */
export async function visitPage(tx: Queryable, visit: PageVisit, now: Date): Promise<boolean> {
  const origin = await recordPageVisit(tx, visit, now);
  if (!origin) return false;
  const from = origin.journey_id ? { journeyId: origin.journey_id, tileId: origin.tile_id, iteration: origin.iteration, outboxId: visit.outboxId } : {};
  await recordEvents(tx, [{ contactId: origin.contact_id, type: 'page_visited', occurredAt: now, properties: { pageId: visit.pageId, ...from } }], now);
  return true;
}
