import type { Queryable } from './db/database.ts';
import { recordEvents, type NewEvent } from './events.ts';
import { insertBouncedEmails, resolveBounces } from './queries/resolveBounces.ts';

export interface Bounce {
  email: string;
  type: 'hard' | 'soft';
  reason: string | null;
  occurredAt: Date;
  /** Our message that bounced, from its Message-ID, when the report names it. */
  outboxId: number | null;
  /** The reporter's id for this report: a report delivered twice is recorded once. */
  reportId: string | null;
}

/**
 * Records bounce reports, inside the caller's transaction: an `email_bounced` event for the
 * contact holding each address (with the journey and email tile when the report names our
 * message, so `bounced` trigger rules see it), and for a hard bounce a block on the address, so
 * no further mail goes to it. Returns how many events were new and how many addresses newly blocked.
 */
export async function recordBounces(tx: Queryable, bounces: readonly Bounce[], now: Date): Promise<{ events: number; blocked: number }> {
  const hard = bounces.filter((bounce) => bounce.type === 'hard');
  const blocked = await insertBouncedEmails(
    tx,
    hard.map((bounce) => bounce.email),
    hard.map((bounce) => bounce.reason ?? 'hard bounce'),
    now,
  );
  const resolved = await resolveBounces(tx, bounces);
  const events: NewEvent[] = resolved.map((row) => {
    const bounce = bounces[row.n - 1]!;
    const origin = row.journey_id ? { journeyId: row.journey_id, tileId: row.tile_id, iteration: row.iteration, outboxId: row.outbox_id } : {};
    const key = bounce.reportId ? `bounce:${bounce.reportId}:${row.contact_id}` : row.outbox_id ? `bounce:${row.outbox_id}:${bounce.type}` : null;
    return {
      contactId: row.contact_id,
      type: 'email_bounced',
      occurredAt: bounce.occurredAt,
      properties: { bounceType: bounce.type, ...(bounce.reason ? { reason: bounce.reason } : {}), ...origin },
      messageId: key,
    };
  });
  return { events: await recordEvents(tx, events, now), blocked };
}
