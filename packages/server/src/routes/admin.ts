import { addDuration, Duration } from '@waymark/core';
import { ManualClock } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireAdmin } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { notFound } from '../problem.ts';
import { requireOrganizationLevel } from '../visibility.ts';

// One object rather than a union of two, so a bad value is reported at its own field (`set`, `advance`).
export const ClockChange = z
  .object({ set: z.iso.datetime({ offset: true }).optional(), advance: Duration.optional() })
  .strict()
  .superRefine((change, ctx) => {
    if ((change.set === undefined) === (change.advance === undefined)) ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of set or advance' });
  });

/**
 * The manual clock and drain (contract §6); they exist only when WAYMARK_CLOCK=manual. They move
 * time and run the engine for every unit, so only organization-level admins use them.
 */
export function adminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const manualClock = () => {
    if (!(ctx.clock instanceof ManualClock)) throw notFound('The manual clock (start with WAYMARK_CLOCK=manual)');
    return ctx.clock;
  };

  app.get('/admin/clock', async () => ({ now: manualClock().now().toISOString() }));

  app.post('/admin/clock', async (request) => {
    const clock = manualClock();
    requireAdmin(request.caller);
    requireOrganizationLevel(request.caller, 'The clock is the whole organization\'s');
    const change = decode(ClockChange, body(request.body));
    const next = change.set !== undefined ? new Date(change.set) : addDuration(clock.now(), change.advance!, 'UTC');
    await clock.set(next);
    return { now: clock.now().toISOString() };
  });

  app.post('/admin/drain', async (request) => {
    manualClock();
    requireAdmin(request.caller);
    requireOrganizationLevel(request.caller, 'A drain runs the engine for every business unit');
    const result = await ctx.worker.drain();
    return { steps: result.steps, admitted: result.admitted, sent: result.sent };
  });
}
