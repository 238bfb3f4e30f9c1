import type { Queryable } from '../db/database.ts';

/** A page query for the server's pager: `select ... from <table> t ... where ...`, with its parameters. */
export interface ListQuery {
  sql: string;
  params: unknown[];
}

export interface MessageFilter {
  status?: 'pending' | 'sent' | 'failed';
  journeyId?: string;
  contactId?: string;
}

export interface MessageRow {
  id: string;
  status: string;
  journeyId: string;
  contactId: string | null;
  to: string | null;
}

const COLUMNS = `t.id::text as id, t.status, t.journey_id as "journeyId", t.tile_id as "tileId", t.iteration, t.contact_id as "contactId",
  c.email as "to", e.id as "emailId", e.name as "emailName", t.attempts, t.last_error as "lastError", t.failure_reason as reason, t.next_attempt_at as "nextAttemptAt",
  t.created_at as "createdAt", t.sent_at as "sentAt", t.journey_version as "journeyVersion",
  coalesce(t.email_revision, e.revision) as "emailRevision"`;
const FROM = `from outbox t left join contacts c on c.id = t.contact_id left join emails e on e.id = t.target_id where t.kind = 'email'`;
/** A message belongs to its recipient's business unit; `$n` is the unit, or null for every unit. */
const inUnit = (n: number) => `($${n}::text is null or c.business_unit_id = $${n})`;

/** The email outbox, filtered, of the recipients of `unit` (null: every unit's). */
export function messageList(filter: MessageFilter, unit: string | null): ListQuery {
  const params: unknown[] = [unit];
  const where = [inUnit(1)];
  for (const [column, value] of [
    ['t.status', filter.status],
    ['t.journey_id', filter.journeyId],
    ['t.contact_id', filter.contactId],
  ] as const) {
    if (value === undefined) continue;
    params.push(value);
    where.push(`${column} = $${params.length}`);
  }
  return { sql: `select ${COLUMNS} ${FROM} and ${where.join(' and ')}`, params };
}

/** One email message, if its recipient is of `unit` (null: any unit). */
export async function getMessage(db: Queryable, id: number, unit: string | null): Promise<MessageRow | null> {
  const [row] = await db.query<MessageRow>(`select ${COLUMNS} ${FROM} and t.id = $1 and ${inUnit(2)}`, [id, unit]);
  return row ?? null;
}
