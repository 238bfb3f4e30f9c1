import type { Queryable } from '../db/database.ts';

/** Notes on each sent message the email revision it was rendered from, in one statement. */
export async function recordEmailRevisions(db: Queryable, sent: { outboxId: number; revision: number }[]): Promise<void> {
  if (sent.length === 0) return;
  await db.query(
    `update outbox o set email_revision = u.revision from unnest($1::bigint[], $2::int[]) as u(id, revision) where o.id = u.id`,
    [sent.map((s) => s.outboxId), sent.map((s) => s.revision)],
  );
}
