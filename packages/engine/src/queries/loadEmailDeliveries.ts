import type { Queryable } from '../db/database.ts';

export interface EmailDelivery {
  outbox_id: number;
  contact: { id: string; email: string; firstName: string | null; lastName: string | null; consent: string; attributes: Record<string, unknown> } | null;
  account: { id: string; name: string; attributes: Record<string, unknown> } | null;
  email: { id: string; version: number; revision: number; subject: string; html: string; text: string | null; fromName: string | null; fromAddress: string | null } | null;
  content: { name: string; postalAddress: string; subscriptionCenterUrl: string | null; forwardToFriendUrl: string | null; socialLinks: Record<string, string> } | null;
}

/**
 * The contact, account, email and content settings for a batch of queued emails, in one statement.
 * A suppressed address (an erased person, re-imported) reads as no contact: it is never mailed.
 */
export function loadEmailDeliveries(db: Queryable, outboxIds: number[]): Promise<EmailDelivery[]> {
  return db.query<EmailDelivery>(
    `select o.id as outbox_id,
            (select jsonb_build_object('id', c.id, 'email', c.email, 'firstName', c.first_name, 'lastName', c.last_name,
                                       'consent', c.consent, 'attributes', c.attributes)
               from contacts c where c.id = o.contact_id and not c.suppressed) as contact,
            (select jsonb_build_object('id', a.id, 'name', a.name, 'attributes', a.attributes)
               from contacts c join accounts a on a.id = c.account_id where c.id = o.contact_id) as account,
            (select jsonb_build_object('id', e.id, 'version', e.version, 'revision', e.revision, 'subject', e.subject, 'html', e.html, 'text', e.text,
                                       'fromName', e.from_name, 'fromAddress', e.from_address)
               from emails e where e.id = o.target_id) as email,
            (select jsonb_build_object('name', cs.name, 'postalAddress', cs.postal_address, 'subscriptionCenterUrl', cs.subscription_center_url,
                                       'forwardToFriendUrl', cs.forward_to_friend_url, 'socialLinks', cs.social_links)
               from content_settings cs
              where cs.id = (j.definition ->> 'contentSettingsId') or (j.definition ->> 'contentSettingsId' is null and cs.is_default)
              order by cs.is_default limit 1) as content
       from outbox o
       join journeys j on j.id = o.journey_id
      where o.id = any($1::bigint[])`,
    [outboxIds],
  );
}
