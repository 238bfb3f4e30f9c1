import type { Queryable } from '../db/database.ts';

export interface ResolvedBounce {
  /** Position of the bounce in the input. */
  n: number;
  contact_id: string;
  journey_id: string | null;
  tile_id: string | null;
  iteration: number | null;
  outbox_id: number | null;
}

/**
 * For each bounced address, the contact that holds it and, when the bounce names one of our
 * messages sent to that very contact, the journey and email tile it came from; in one statement.
 */
export function resolveBounces(db: Queryable, bounces: ReadonlyArray<{ email: string; outboxId: number | null }>): Promise<ResolvedBounce[]> {
  return db.query<ResolvedBounce>(
    `select b.n::int as n, c.id as contact_id, o.journey_id, o.tile_id, o.iteration, o.id as outbox_id
       from unnest($1::text[], $2::bigint[]) with ordinality as b(email, outbox_id, n)
       join contacts c on lower(c.email) = lower(b.email)
       left join outbox o on o.id = b.outbox_id and o.contact_id = c.id and o.kind = 'email'`,
    [bounces.map((b) => b.email), bounces.map((b) => b.outboxId)],
  );
}

/** Stops all further mail to these addresses (hashed, lower-cased); returns how many were new. */
export async function insertBouncedEmails(db: Queryable, emails: readonly string[], reasons: readonly string[], now: Date): Promise<number> {
  if (emails.length === 0) return 0;
  const rows = await db.query(
    `insert into bounced_emails (email_hash, reason, bounced_at)
     select encode(sha256(convert_to(lower(e), 'UTF8')), 'hex'), r, $3 from unnest($1::text[], $2::text[]) as u(e, r)
     on conflict (email_hash) do nothing
     returning 1`,
    [emails, reasons, now],
  );
  return rows.length;
}

/** Lifts the hard-bounce block on an address (it was fixed); returns whether there was one. */
export async function deleteBouncedEmail(db: Queryable, email: string): Promise<boolean> {
  const rows = await db.query(`delete from bounced_emails where email_hash = encode(sha256(convert_to(lower($1), 'UTF8')), 'hex') returning 1`, [email]);
  return rows.length > 0;
}

/**
 * When and why the address hard-bounced, or null. With a `unit`, only an address of one of that
 * unit's contacts: the others are nobody's business there (null: every address).
 */
export async function findBouncedEmail(db: Queryable, email: string, unit: string | null = null): Promise<{ reason: string; bounced_at: Date } | null> {
  const rows = await db.query<{ reason: string; bounced_at: Date }>(
    `select reason, bounced_at from bounced_emails
      where email_hash = encode(sha256(convert_to(lower($1), 'UTF8')), 'hex')
        and ($2::text is null or exists (select 1 from contacts c where lower(c.email) = lower($1) and c.business_unit_id = $2))`,
    [email, unit],
  );
  return rows[0] ?? null;
}
