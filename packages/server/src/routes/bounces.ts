import { deleteBouncedEmail, findBouncedEmail, recordBounces, type Bounce } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { notFound } from '../problem.ts';
import { requireOrganizationWriter, visibleUnit } from '../visibility.ts';

const EARLIEST = Date.UTC(1900, 0, 1);
/** The Message-ID Waymark gives each message: `<waymark.{outbox id}@{host}>`. */
const OUR_MESSAGE_ID = /^<?waymark\.(\d{1,15})@[^<>\s]+>?$/;

export const BounceInput = z
  .object({
    email: z.email().max(320),
    type: z.enum(['hard', 'soft']),
    reason: z.string().trim().max(1000).optional(),
    /** The Message-ID of the message that bounced, as sent. */
    messageId: z.string().trim().max(500).optional(),
    occurredAt: z.iso
      .datetime({ offset: true })
      .refine((at) => Date.parse(at) >= EARLIEST, 'must be in 1900 or later')
      .optional(),
    /** The reporter's id of this report, so a report delivered twice is recorded once. */
    id: z.string().min(1).max(200).optional(),
  })
  .strict();
export const BounceBatch = z.object({ bounces: z.array(BounceInput).min(1).max(1000) }).strict();
const EmailParams = z.object({ email: z.email().max(320) });

/**
 * The inbound bounce webhook (from the mail server or email service) and the hard-bounce list.
 * A bounce is recorded as `email_bounced` for the contact holding the address; a hard bounce stops
 * all further mail to the address until it is lifted here. The list is organization-wide (an
 * address is blocked for every unit), so only organization-level writers report and lift bounces.
 */
export function bounceRoutes(app: FastifyInstance, { db, clock, worker }: ServerContext): void {
  app.post('/webhooks/bounces', async (request, reply) => {
    requireOrganizationWriter(request.caller, 'Bounces');
    const raw = body(request.body);
    const batch = typeof raw === 'object' && !Array.isArray(raw) && Object.hasOwn(raw as object, 'bounces');
    const inputs = batch ? decode(BounceBatch, raw).bounces : [decode(BounceInput, raw)];
    const now = clock.now();
    const bounces: Bounce[] = inputs.map((input) => {
      const ours = input.messageId ? OUR_MESSAGE_ID.exec(input.messageId) : null;
      return {
        email: input.email,
        type: input.type,
        reason: input.reason ?? null,
        occurredAt: input.occurredAt ? new Date(input.occurredAt) : now,
        outboxId: ours ? Number(ours[1]) : null,
        reportId: input.id ?? null,
      };
    });
    const result = await db.transaction((tx) => recordBounces(tx, bounces, now));
    worker.poke();
    return reply.status(202).send({ accepted: bounces.length, recorded: result.events, blocked: result.blocked });
  });

  app.get('/bounced-emails/:email', async (request) => {
    const { email } = decode(EmailParams, request.params);
    const found = await findBouncedEmail(db, email, visibleUnit(request.caller));
    if (!found) throw notFound('Hard bounce for address', email);
    return { email, reason: found.reason, bouncedAt: found.bounced_at };
  });

  /** The address works again (the mailbox was fixed): mail may go to it. */
  app.delete('/bounced-emails/:email', async (request, reply) => {
    requireOrganizationWriter(request.caller, 'Bounces');
    const { email } = decode(EmailParams, request.params);
    if (!(await deleteBouncedEmail(db, email))) throw notFound('Hard bounce for address', email);
    return reply.status(204).send();
  });
}
