import { recordEvents, type NewEvent, type Queryable } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireWriter } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { badRequest, type FieldError } from '../problem.ts';

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
  text.split('\n').forEach((line, n) => {
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

/** The contact id of each event, or a field error naming the event's contactId/email when there is none. */
async function resolveContacts(db: Queryable, events: readonly EventInput[], pathOf: (index: number) => string): Promise<{ ids: string[]; errors: FieldError[] }> {
  const byId = events.map((event) => event.contactId).filter((id): id is string => id !== undefined);
  const byEmail = events.map((event) => event.email).filter((email): email is string => email !== undefined);
  const ids = await db.query<{ id: string }>('select id from contacts where id = any($1::text[])', [[...new Set(byId)]]);
  const emails = await db.query<{ given: string; id: string }>('select e.given, c.id from unnest($1::text[]) as e(given) join contacts c on lower(c.email) = lower(e.given)', [
    [...new Set(byEmail)],
  ]);
  const knownIds = new Set(ids.map((row) => row.id));
  const emailIds = new Map(emails.map((row) => [row.given, row.id]));
  const errors: FieldError[] = [];
  const resolved = events.map((event, index) => {
    const id = event.contactId !== undefined ? (knownIds.has(event.contactId) ? event.contactId : undefined) : emailIds.get(event.email!);
    if (!id) errors.push({ path: `${pathOf(index)}${event.contactId !== undefined ? 'contactId' : 'email'}`, message: 'no contact with this id or email' });
    return id ?? '';
  });
  return { ids: resolved, errors };
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
    await db.transaction(async (tx) => {
      const { ids, errors } = await resolveContacts(tx, events, (index) => (batch ? `events.${index}.` : ''));
      if (errors.length > 0) throw badRequest('Unknown contacts', errors);
      const stored: NewEvent[] = events.map((event, index) => ({
        contactId: ids[index]!,
        type: event.type,
        occurredAt: event.occurredAt ? new Date(event.occurredAt) : now,
        properties: event.properties ?? {},
        messageId: event.messageId ?? null,
      }));
      // Also wakes the contacts waiting in triggers for these events.
      await recordEvents(tx, stored, now);
    });
    worker.poke();
    return reply.status(202).send({ accepted: events.length });
  });
}
