import type { Queryable } from '../db/database.ts';

/**
 * Effects still waiting in the outbox, by kind (email, workflow): what has not gone out yet.
 * Read at each metrics scrape; it walks only the partial index of pending rows.
 */
export async function countPendingEffects(db: Queryable): Promise<Map<string, number>> {
  const rows = await db.query<{ kind: string; pending: number }>(`select kind, count(*)::int as pending from outbox where status = 'pending' group by kind`);
  return new Map(rows.map((row) => [row.kind, row.pending]));
}
