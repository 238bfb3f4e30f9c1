import { isBuiltInEventType } from '@waymark/core';
import { recordReferencedEvents, type ReferencedEvent } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireWriter } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { badRequest, type FieldError } from '../problem.ts';
import { visibleUnit } from '../visibility.ts';

const MAX_EVENTS = 1000;
const EARLIEST_EVENT = Date.UTC(1900, 0, 1);

export const EventInput = z
  .object({
    contactId: z.string().min(1).max(200).optional(),
    // Only looked up (case-insensitively), never stored: any text that names no contact is a 400.
    email: z.string().trim().min(1).max(320).optional(),
    type: z.string().trim().min(1).max(100),
    properties: z.record(z.string().max(200), z.unknown()).optional(),
    // PostgreSQL stores years from 4713 BC, JavaScript prints year 0 in a form it refuses: keep to plausible times.
    occurredAt: z.iso
      .datetime({ offset: true })
      .refine((at) => Date.parse(at) >= EARLIEST_EVENT, 'must be in 1900 or later')
      .optional(),
    messageId: z.string().min(1).max(200).optional(),
  })
  .strict()
  .superRefine((event, ctx) => {
    if ((event.contactId === undefined) === (event.email === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['contactId'], message: 'give exactly one of contactId or email' });
    }
    if (isBuiltInEventType(event.type)) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: `${event.type} is a built-in event type that only Waymark records; name your own event type` });
    }
  });
export type EventInput = z.infer<typeof EventInput>;
export const EventBatch = z.object({ events: z.array(EventInput).min(1).max(MAX_EVENTS) }).strict();
/** NDJSON bodies carry bulk loads: one event per line, up to this many. */
const MAX_NDJSON_EVENTS = 10_000;
const NdjsonEvents = z.array(EventInput).min(1).max(MAX_NDJSON_EVENTS);

/** A body sent as application/x-ndjson: one JSON value per non-empty line. */
class NdjsonBody {
  constructor(readonly items: unknown[]) {}
}

function parseNdjson(text: string): NdjsonBody {
  const items: unknown[] = [];
  const errors: FieldError[] = [];
  const lines = text.split('\n');
  // Counted before any line is parsed: a 16 MiB body can hold millions of tiny lines.
  if (lines.length > MAX_NDJSON_EVENTS && lines.filter((line) => line.trim() !== '').length > MAX_NDJSON_EVENTS) {
    throw badRequest(`At most ${MAX_NDJSON_EVENTS} events a request`, [{ path: 'events', message: `at most ${MAX_NDJSON_EVENTS} lines` }]);
  }
  lines.forEach((line, n) => {
    if (line.trim() === '') return;
    try {
      items.push(JSON.parse(line));
    } catch {
      errors.push({ path: `events.${items.length}`, message: `line ${n + 1} is not valid JSON` });
      items.push(null);
    }
  });
  if (errors.length > 0) throw badRequest('Malformed NDJSON', errors.slice(0, 1000));
  return new NdjsonBody(items);
}

export function eventRoutes(app: FastifyInstance, { db, clock, worker }: ServerContext): void {
  for (const type of ['application/x-ndjson', 'application/jsonl']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_request, text, done) => {
      try {
        done(null, parseNdjson(text as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
  }

  // One event, `{events: [...]}`, or NDJSON (one event a line): checked as a whole first, so a bad one stores none.
  app.post('/events', async (request, reply) => {
    requireWriter(request.caller);
    const raw = body(request.body);
    const ndjson = raw instanceof NdjsonBody;
    const batch = ndjson || (typeof raw === 'object' && !Array.isArray(raw) && Object.hasOwn(raw as object, 'events'));
    const events = ndjson ? decode(NdjsonEvents, raw.items, 'events') : batch ? decode(EventBatch, raw).events : [decode(EventInput, raw)];
    const now = clock.now();
    // One statement, all or nothing: contacts resolved by id or email (any case), events stored,
    // and the contacts waiting in triggers for them woken.
    const { unknown } = await recordReferencedEvents(
      db,
      events.map((event): ReferencedEvent => {
        const common = { type: event.type, occurredAt: event.occurredAt ? new Date(event.occurredAt) : now, properties: event.properties ?? {}, messageId: event.messageId ?? null };
        return event.contactId !== undefined ? { ...common, contactId: event.contactId } : { ...common, email: event.email! };
      }),
      now,
      visibleUnit(request.caller),
    );
    if (unknown.length > 0) {
      const errors: FieldError[] = unknown.slice(0, 1000).map((index) => ({
        path: `${batch ? `events.${index}.` : ''}${events[index]!.contactId !== undefined ? 'contactId' : 'email'}`,
        message: 'no contact with this id or email',
      }));
      throw badRequest('Unknown contacts', errors);
    }
    worker.poke();
    return reply.status(202).send({ accepted: events.length });
  });
}
