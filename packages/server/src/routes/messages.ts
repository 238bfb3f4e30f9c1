import { loadEmailDeliveries, TemplateRenderError, templateVariables, trackingLinks } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { notFound } from '../problem.ts';

const IdParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const MessageFilter = z.object({
  status: z.enum(['pending', 'sent', 'failed']).optional(),
  journeyId: z.string().min(1).max(200).optional(),
  contactId: z.string().min(1).max(200).optional(),
});

const COLUMNS = `t.id::text as id, t.status, t.journey_id as "journeyId", t.tile_id as "tileId", t.iteration, t.contact_id as "contactId",
  c.email as "to", e.id as "emailId", e.name as "emailName", t.attempts, t.last_error as "lastError", t.next_attempt_at as "nextAttemptAt",
  t.created_at as "createdAt", t.sent_at as "sentAt"`;

/**
 * The email outbox as people see it: every message a journey queued, sent or not. Without SMTP
 * configured, this is where the mail waits, never lost.
 */
export function messageRoutes(app: FastifyInstance, { db, renderer, config }: ServerContext): void {
  app.get('/messages', async (request) => {
    const filter = decode(MessageFilter, request.query);
    const params: unknown[] = [];
    const where = ["t.kind = 'email'"];
    for (const [column, value] of [['t.status', filter.status], ['t.journey_id', filter.journeyId], ['t.contact_id', filter.contactId]] as const) {
      if (value === undefined) continue;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    }
    return listPage(db, request.query, `select ${COLUMNS} from outbox t left join contacts c on c.id = t.contact_id left join emails e on e.id = t.target_id where ${where.join(' and ')}`, params);
  });

  /** One message, rendered exactly as it is (or will be) sent. */
  app.get('/messages/:id', async (request) => {
    const { id } = decode(IdParams, request.params);
    const [message] = await db.query<{ id: string; contactId: string | null }>(
      `select ${COLUMNS} from outbox t left join contacts c on c.id = t.contact_id left join emails e on e.id = t.target_id where t.kind = 'email' and t.id = $1`,
      [id],
    );
    if (!message) throw notFound('Message', String(id));
    const [delivery] = await loadEmailDeliveries(db, [id]);
    if (!delivery?.contact || !delivery.email) return { ...message, rendered: null };
    const links = trackingLinks(config, id, delivery.contact.id);
    try {
      const rendered = await renderer.render(delivery.email, templateVariables(delivery, links), links);
      return { ...message, rendered: { subject: rendered.subject, html: rendered.html, text: rendered.text } };
    } catch (error) {
      // What sending says too (the message fails with reason renderFailed), rather than a 500.
      if (!(error instanceof TemplateRenderError)) throw error;
      return { ...message, rendered: null, renderError: error.message };
    }
  });
}
