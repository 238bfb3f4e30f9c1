import type { Queryable } from '../db/database.ts';

export interface ContactPath {
  status: 'active' | 'completed' | 'exited' | 'excluded';
  tileId: string | null;
  iteration: number;
  reason?: string;
  enteredAt: Date;
  history: { tileId: string; at: Date; outcome: string }[];
}

/** Where a contact stands in a journey (latest iteration) and the tiles it passed on the way. */
export async function contactPath(db: Queryable, journeyId: string, contactId: string): Promise<ContactPath | null> {
  const [row] = await db.query<{ status: ContactPath['status']; tile_id: string | null; iteration: number; reason: string | null; entered_at: Date }>(
    `select status, tile_id, iteration, reason, entered_at from journey_contacts where journey_id = $1 and contact_id = $2 order by iteration desc limit 1`,
    [journeyId, contactId],
  );
  if (!row) return null;
  const history = await db.query<{ tileId: string; at: Date; outcome: string }>(
    `select tile_id as "tileId", at, outcome from journey_history where journey_id = $1 and contact_id = $2 and iteration = $3 order by seq`,
    [journeyId, contactId, row.iteration],
  );
  return { status: row.status, tileId: row.tile_id, iteration: row.iteration, ...(row.reason ? { reason: row.reason } : {}), enteredAt: row.entered_at, history };
}
