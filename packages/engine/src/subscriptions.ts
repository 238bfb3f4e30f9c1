import { ConsentLevel } from '@waymark/core';
import type { Queryable } from './db/database.ts';
import { recordEvents, type NewEvent } from './events.ts';

/** What the subscription center shows one contact. */
export interface SubscriptionCenterView {
  contact: { id: string; email: string; firstName: string | null; consent: ConsentLevel };
  lists: { id: string; name: string; subscribed: boolean }[];
  /** The contact opted out of all marketing (consent below `subscriptions`). */
  optedOut: boolean;
}

/** A contact's own change, made in the subscription center or by a one-click unsubscribe. */
export interface SubscriptionChange {
  contactId: string;
  subscribe?: readonly string[];
  unsubscribe?: readonly string[];
  /** Leave every list and all marketing. */
  optOut?: boolean;
  source: 'subscriptionCenter' | 'oneClick';
  /** The message whose link was used, when known. */
  outboxId?: number | null;
}

export interface SubscriptionOutcome {
  subscribed: string[];
  unsubscribed: string[];
  optedOut: boolean;
  /** Journey rows the contact left because of it. */
  exitedJourneys: number;
}

const MARKETING = ConsentLevel.options.indexOf('subscriptions');

export async function loadSubscriptionCenter(db: Queryable, contactId: string): Promise<SubscriptionCenterView | null> {
  const [contact] = await db.query<SubscriptionCenterView['contact']>('select id, email, first_name as "firstName", consent from contacts where id = $1', [contactId]);
  if (!contact) return null;
  const lists = await db.query<SubscriptionCenterView['lists'][number]>(
    `select l.id, l.name, exists (select 1 from list_members m where m.list_id = l.id and m.contact_id = $1) as subscribed
       from subscription_lists l order by l.name, l.id`,
    [contactId],
  );
  return { contact, lists, optedOut: ConsentLevel.options.indexOf(contact.consent) < MARKETING };
}

/** The lists a message's journey targets (include sources of its entry tile). */
export async function listsTargetedByMessage(db: Queryable, outboxId: number): Promise<string[]> {
  const rows = await db.query<{ list_id: string }>(
    `select distinct s ->> 'listId' as list_id
       from outbox o join journeys j on j.id = o.journey_id,
            jsonb_array_elements(coalesce(j.definition -> 'tiles' -> 0 -> 'segments', '[]'::jsonb)) s
      where o.id = $1 and s ->> 'source' = 'subscriptionList' and coalesce(s ->> 'mode', 'include') = 'include'
        and exists (select 1 from subscription_lists l where l.id = s ->> 'listId')`,
    [outboxId],
  );
  return rows.map((row) => row.list_id);
}

/**
 * Applies a contact's own subscription change, set-based, in the caller's transaction. Leaving a
 * list this way (unlike a staff member's removal) takes the contact off every journey whose entry
 * targets that list before its next step, and cancels that journey's emails still queued for it
 * (contract §5.4). A global opt-out leaves every list (and every journey that targets one), lowers
 * consent to `transactional`, and so also leaves journeys that ask for more consent than that. Each list left is an `unsubscribed`
 * event, each list joined a `subscribed` one. Returns null for a contact that no longer exists.
 */
export async function applySubscriptionChange(tx: Queryable, change: SubscriptionChange, now: Date): Promise<SubscriptionOutcome | null> {
  const [contact] = await tx.query<{ consent: ConsentLevel }>('select consent from contacts where id = $1 for update', [change.contactId]);
  if (!contact) return null;
  const optOut = change.optOut === true;
  const leaving = optOut ? null : [...new Set(change.unsubscribe ?? [])];
  const removed = await tx.query<{ list_id: string }>(
    `delete from list_members where contact_id = $1 and ($2::text[] is null or list_id = any($2::text[])) returning list_id`,
    [change.contactId, leaving],
  );
  const joining = optOut ? [] : [...new Set(change.subscribe ?? [])].filter((id) => !(leaving ?? []).includes(id));
  const added = await tx.query<{ list_id: string }>(
    `insert into list_members (list_id, contact_id, added_at)
     select l.id, $1, $3 from subscription_lists l where l.id = any($2::text[])
     on conflict do nothing returning list_id`,
    [change.contactId, joining, now],
  );
  let consent = ConsentLevel.options.indexOf(contact.consent);
  // Saying it again changes nothing and is not another event.
  const optingOut = optOut && (consent >= MARKETING || removed.length > 0);
  if (optOut && consent >= MARKETING) consent = ConsentLevel.options.indexOf('transactional');
  // Asking for a list is consent to receive it.
  if (added.length > 0 && consent < MARKETING) consent = MARKETING;
  if (ConsentLevel.options[consent] !== contact.consent) {
    await tx.query('update contacts set consent = $2, updated_at = $3 where id = $1', [change.contactId, ConsentLevel.options[consent], now]);
  }

  const unsubscribed = removed.map((row) => row.list_id);
  // The contact's own wish decides, not the list's state: someone a staff member already took off
  // a list is still on its journey, and asking to leave the list takes them off that too.
  const leavingJourneysOf = [...new Set([...unsubscribed, ...(leaving ?? [])])];
  const [exits] = await tx.query<{ exited: number }>(
    `with exited as (
       update journey_contacts jc
          set status = 'exited', reason = 'unsubscribed', due_at = null, waits_for_events = false, finished_at = $3, version = jc.version + 1
         from journeys j
        where jc.journey_id = j.id and jc.contact_id = $1 and jc.status = 'active'
          and (exists (select 1 from jsonb_array_elements(coalesce(j.definition -> 'tiles' -> 0 -> 'segments', '[]'::jsonb)) s
                        where s ->> 'source' = 'subscriptionList' and coalesce(s ->> 'mode', 'include') = 'include'
                          and ($4 or s ->> 'listId' = any($2::text[])))
               or ($4 and array_position($5::text[], coalesce(j.definition ->> 'minimumConsent', 'none')) > $6::int))
       returning jc.journey_id, jc.iteration),
     cancelled as (
       update outbox o set status = 'failed', last_error = 'the contact unsubscribed', locked_until = null
         from exited x
        where o.contact_id = $1 and o.status = 'pending' and o.kind = 'email' and o.journey_id = x.journey_id and o.iteration = x.iteration
       returning 1)
     select (select count(*) from exited)::int as exited, (select count(*) from cancelled)::int as cancelled`,
    [change.contactId, leavingJourneysOf, now, optOut, ConsentLevel.options, consent + 1],
  );

  const base = { source: change.source, outboxId: change.outboxId ?? null };
  const events: NewEvent[] = [
    ...unsubscribed.map((listId) => ({ contactId: change.contactId, type: 'unsubscribed', occurredAt: now, properties: { ...base, listId } })),
    ...(optingOut ? [{ contactId: change.contactId, type: 'unsubscribed', occurredAt: now, properties: { ...base, global: true } }] : []),
    ...added.map((row) => ({ contactId: change.contactId, type: 'subscribed', occurredAt: now, properties: { ...base, listId: row.list_id } })),
  ];
  await recordEvents(tx, events, now);
  return { subscribed: added.map((row) => row.list_id), unsubscribed, optedOut: optOut, exitedJourneys: exits?.exited ?? 0 };
}
