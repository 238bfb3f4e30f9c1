import { getMessage, loadEmailDeliveries, messageList, previewLinks, TemplateRenderError, templateVariables } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { notFound } from '../problem.ts';
import { visibleUnit } from '../visibility.ts';

const IdParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const MessageFilter = z.object({
  status: z.enum(['pending', 'sent', 'failed']).optional(),
  journeyId: z.string().min(1).max(200).optional(),
  contactId: z.string().min(1).max(200).optional(),
});

/**
 * The email outbox as people see it: every message a journey queued, sent or not, to the contacts
 * the caller sees. Without SMTP configured, this is where the mail waits, never lost.
 */
export function messageRoutes(app: FastifyInstance, { db, renderer, config }: ServerContext): void {
  app.get('/messages', async (request) => {
    const { sql, params } = messageList(decode(MessageFilter, request.query), visibleUnit(request.caller));
    return listPage(db, request.query, sql, params);
  });

  /**
   * One message, rendered as it is (or will be) sent, except for its links: those carry no token
   * (the recipient's capability to click, open or unsubscribe is not for staff to read).
   */
  app.get('/messages/:id', async (request) => {
    const { id } = decode(IdParams, request.params);
    const message = await getMessage(db, id, visibleUnit(request.caller));
    if (!message) throw notFound('Message', String(id));
    const [delivery] = await loadEmailDeliveries(db, [id]);
    if (!delivery?.contact || !delivery.email) return { ...message, rendered: null };
    const links = previewLinks(config);
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
