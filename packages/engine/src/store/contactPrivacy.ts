import type { Queryable } from '../db/database.ts';

/**
 * GDPR erasure: the person's row and every row about them in any table with a `contact_id`
 * column (events, journey rows and history, queued and sent messages, activities, leads and their
 * scores, memberships, and whatever later migrations add) go, in the caller's transaction, and so
 * does the hard-bounce record of their address (its reason is the mail server's text, which
 * often quotes the address and the person's name). Only the SHA-256 of the lower-cased address
 * stays, in `suppressed_emails`, so a contact re-imported with it is kept but never admitted to a
 * journey nor mailed (which also covers what the bounce record did). Returns false for an unknown
 * contact. tests/scenarios/erasureLeavesNothing.test.ts greps a dump of every table to prove it.
 */
export async function eraseContact(tx: Queryable, contactId: string, now: Date): Promise<boolean> {
  const [contact] = await tx.query<{ email: string }>('select email from contacts where id = $1 for update', [contactId]);
  if (!contact) return false;
  await tx.query(`insert into suppressed_emails (email_hash, reason, suppressed_at) values (waymark_email_hash($1), 'erased', $2) on conflict do nothing`, [
    contact.email,
    now,
  ]);
  await tx.query('select waymark_erase_contact($1)', [contactId]);
  await tx.query('delete from bounced_emails where email_hash = waymark_email_hash($1)', [contact.email]);
  // Removing the memberships queued the contact for segment evaluation again: that queue entry
  // would name them until a worker took it.
  await tx.query('delete from segment_dirty_contacts where contact_id = $1', [contactId]);
  return true;
}

/** Whether an address belongs to an erased person (compared by hash, case-insensitively). */
export async function isSuppressed(db: Queryable, email: string): Promise<boolean> {
  return (await db.query('select 1 from suppressed_emails where email_hash = waymark_email_hash($1)', [email])).length > 0;
}

export interface ContactExport {
  /** The address belongs to an erased person: it is kept, never admitted to a journey nor mailed. */
  suppressed: boolean;
  account: { id: string; name: string; attributes: Record<string, unknown> } | null;
  subscriptions: { listId: string; name: string; since: Date }[];
  segments: { segmentId: string; name: string; kind: 'static' | 'dynamic'; since: Date }[];
  journeys: {
    journeyId: string;
    name: string;
    iteration: number;
    status: string;
    tileId: string | null;
    reason: string | null;
    enteredAt: Date;
    finishedAt: Date | null;
    history: { tileId: string; at: Date; outcome: string }[];
  }[];
  messages: { id: number; journeyId: string; tileId: string; emailId: string; subject: string | null; status: string; createdAt: Date; sentAt: Date | null }[];
  events: { type: string; occurredAt: Date; properties: Record<string, unknown> }[];
  /** The hard bounce that stopped mail to the address, as the mail server reported it. */
  bounce: { reason: string; bouncedAt: Date } | null;
  /** The score of each of the person's leads under each scoring model. */
  leadScores: { leadId: string; modelId: string; modelName: string; score: number; salesReadyAt: Date | null; computedAt: Date }[];
  /** Every stored row that names the contact, table by table, exactly as held. */
  records: Record<string, unknown[]>;
}

/** Everything held about one contact besides the contact record itself (GDPR access / portability). */
export async function exportContact(db: Queryable, contactId: string): Promise<ContactExport> {
  const [flags] = await db.query<{ suppressed: boolean }>('select suppressed from contacts where id = $1', [contactId]);
  const [account] = await db.query<ContactExport['account'] & object>(
    'select a.id, a.name, a.attributes from contacts c join accounts a on a.id = c.account_id where c.id = $1',
    [contactId],
  );
  const subscriptions = await db.query<ContactExport['subscriptions'][number]>(
    `select m.list_id as "listId", l.name, m.added_at as since from list_members m join subscription_lists l on l.id = m.list_id where m.contact_id = $1 order by m.added_at`,
    [contactId],
  );
  const segments = await db.query<ContactExport['segments'][number]>(
    `select s.id as "segmentId", s.name, s.kind, x.since
       from (select segment_id, added_at as since from segment_members where contact_id = $1
             union all select segment_id, entered_at from segment_membership where contact_id = $1) x
       join segments s on s.id = x.segment_id
      order by x.since`,
    [contactId],
  );
  const journeys = await db.query<ContactExport['journeys'][number]>(
    `select jc.journey_id as "journeyId", j.name, jc.iteration, jc.status, jc.tile_id as "tileId", jc.reason, jc.entered_at as "enteredAt",
            jc.finished_at as "finishedAt",
            coalesce((select jsonb_agg(jsonb_build_object('tileId', h.tile_id, 'at', h.at, 'outcome', h.outcome) order by h.seq)
                        from journey_history h where h.journey_id = jc.journey_id and h.iteration = jc.iteration and h.contact_id = jc.contact_id), '[]') as history
       from journey_contacts jc join journeys j on j.id = jc.journey_id
      where jc.contact_id = $1
      order by jc.entered_at`,
    [contactId],
  );
  const messages = await db.query<ContactExport['messages'][number]>(
    `select o.id, o.journey_id as "journeyId", o.tile_id as "tileId", o.target_id as "emailId", e.subject, o.status, o.created_at as "createdAt", o.sent_at as "sentAt"
       from outbox o left join emails e on e.id = o.target_id
      where o.contact_id = $1 and o.kind = 'email'
      order by o.id`,
    [contactId],
  );
  const events = await db.query<ContactExport['events'][number]>(
    'select type, occurred_at as "occurredAt", properties from events where contact_id = $1 order by occurred_at, id',
    [contactId],
  );
  const [bounce] = await db.query<NonNullable<ContactExport['bounce']>>(
    `select b.reason, b.bounced_at as "bouncedAt" from contacts c join bounced_emails b on b.email_hash = waymark_email_hash(c.email) where c.id = $1`,
    [contactId],
  );
  const leadScores = await db.query<ContactExport['leadScores'][number]>(
    `select s.lead_id as "leadId", s.model_id as "modelId", m.name as "modelName", s.score, s.sales_ready_at as "salesReadyAt", s.computed_at as "computedAt"
       from leads l join lead_scores s on s.lead_id = l.id join scoring_models m on m.id = s.model_id
      where l.contact_id = $1
      order by s.computed_at, s.lead_id, s.model_id`,
    [contactId],
  );
  const [all] = await db.query<{ records: Record<string, unknown[]> }>('select waymark_contact_records($1) as records', [contactId]);
  // The queue of contacts awaiting segment evaluation is bookkeeping, not data about the person.
  const { segment_dirty_contacts: _queue, ...records } = all?.records ?? {};
  return { suppressed: flags?.suppressed ?? false, account: account ?? null, subscriptions, segments, journeys, messages, events, bounce: bounce ?? null, leadScores, records };
}
