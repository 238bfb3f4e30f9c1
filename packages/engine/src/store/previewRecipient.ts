import type { Queryable } from '../db/database.ts';
import type { EmailDelivery } from '../queries/loadEmailDeliveries.ts';

export type PreviewRecipient = Pick<EmailDelivery, 'contact' | 'account' | 'content'>;

const NOBODY: NonNullable<EmailDelivery['contact']> = { id: 'preview', email: 'preview@example.com', firstName: null, lastName: null, consent: 'none', attributes: {} };

/**
 * Whom an email preview is rendered for: the contact (with its account) if it is of `unit` (null:
 * any unit), else null; without a contact id, nobody in particular. Either way with the default
 * content settings, as a journey without its own would send it.
 */
export async function loadPreviewRecipient(db: Queryable, contactId: string | undefined, unit: string | null): Promise<PreviewRecipient | null> {
  const [row] = await db.query<PreviewRecipient & { found: boolean }>(
    `select c.id is not null as found,
            case when c.id is null then null
                 else jsonb_build_object('id', c.id, 'email', c.email, 'firstName', c.first_name, 'lastName', c.last_name, 'consent', c.consent, 'attributes', c.attributes) end as contact,
            case when a.id is null then null else jsonb_build_object('id', a.id, 'name', a.name, 'attributes', a.attributes) end as account,
            (select jsonb_build_object('name', s.name, 'postalAddress', s.postal_address, 'subscriptionCenterUrl', s.subscription_center_url,
                                       'forwardToFriendUrl', s.forward_to_friend_url, 'socialLinks', s.social_links)
               from content_settings s where s.is_default limit 1) as content
       from (select 1) one
       left join contacts c on c.id = $1 and ($2::text is null or c.business_unit_id = $2)
       left join accounts a on a.id = c.account_id`,
    [contactId ?? null, unit],
  );
  if (!row || (contactId !== undefined && !row.found)) return null;
  return { contact: row.contact ?? NOBODY, account: row.account, content: row.content };
}
