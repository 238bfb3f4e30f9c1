import { checkJourney, JOURNEY_TEMPLATES, JourneyDefinition, JourneyStatus, Recurrence, searchTemplates, TimeZone, type CheckError } from '@waymark/core';
import {
  contactPath,
  deleteJourney,
  getJourney,
  insertJourney,
  insertMilestone,
  journeyInsights,
  loadReferences,
  recordFirstVersion,
  setJourneyStatus,
  updateJourneyDefinition,
  type Queryable,
  type StoredJourney,
} from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireWriter } from '../auth.ts';
import type { Caller, ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { listPage, listWhere } from '../pagination.ts';
import { badRequest, conflict, forbidden, notFound, unprocessable } from '../problem.ts';
import { canSee, unitFilter, visibleIds, visibleUnit } from '../visibility.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
const ContactParams = IdParams.extend({ contactId: z.string().min(1).max(200) });
const ListFilter = z.object({ status: JourneyStatus.optional(), q: z.string().max(200).optional() });
const PatchObject = z.record(z.string(), z.unknown());
const InsightsQuery = z.object({ accountId: z.string().min(1).max(200).optional() });
/** On a live or stopped journey only the end can move later and the recurrence count grow. */
export const LivePatch = z.object({ endAt: z.iso.datetime({ offset: true }).optional(), recurrence: Recurrence.pick({ count: true }).optional() }).strict();

const TemplateQuery = z.object({ q: z.string().max(200).optional(), category: z.string().max(100).optional() });
export const FromTemplate = z
  .object({ templateId: z.string().min(1).max(100), name: z.string().trim().min(1).max(200), timeZone: TimeZone.optional(), scope: z.enum(['organization', 'businessUnit']).optional() })
  .strict();

const DAY_MS = 86_400_000;

/**
 * A draft with the template's pipeline and settings; it starts now and runs 90 days (or as long as
 * the template's recurrence needs), and its records are left to be chosen.
 */
function draftFromTemplate(input: z.infer<typeof FromTemplate>, now: Date): JourneyDefinition {
  const template = JOURNEY_TEMPLATES.find((candidate) => candidate.id === input.templateId);
  if (!template) throw badRequest(`Unknown journey template ${JSON.stringify(input.templateId)}`, [{ path: 'templateId', message: 'no such template' }]);
  const recurrence = template.settings.recurrence ?? null;
  const days = Math.max(90, recurrence ? recurrence.intervalDays * recurrence.count : 0);
  return JourneyDefinition.parse({
    name: input.name,
    description: template.description,
    ...template.settings,
    recurrence,
    scope: input.scope ?? 'organization',
    startAt: now.toISOString(),
    endAt: new Date(now.getTime() + days * DAY_MS).toISOString(),
    timeZone: input.timeZone ?? 'UTC',
    tiles: template.tiles,
  });
}

/** The API's view of a journey: its definition, flattened, with identity and status. */
export function journeyView(journey: StoredJourney) {
  return {
    id: journey.id,
    status: journey.status,
    ...journey.definition,
    ownerUserId: journey.ownerUserId,
    businessUnitId: journey.businessUnitId,
    currentIteration: journey.currentIteration,
    version: journey.version,
    createdAt: journey.createdAt,
    updatedAt: journey.updatedAt,
  };
}

export function assertScopeAllowed(caller: Caller, def: JourneyDefinition): void {
  if (def.scope === 'organization' && caller.level === 'businessUnit') {
    throw forbidden('Only organization-level users may choose organization scope; use scope "businessUnit"');
  }
}

/** A named owner must be a user the caller can see: one of another unit answers as an unknown id does. */
export async function assertOwnerKnown(db: Queryable, caller: Caller, def: Partial<JourneyDefinition>): Promise<void> {
  if (def.ownerUserId === undefined) return;
  const [owner] = await db.query<{ businessUnitId: string | null }>('select business_unit_id as "businessUnitId" from users where id = $1', [def.ownerUserId]);
  if (!owner || !canSee(caller, owner.businessUnitId)) throw badRequest('Invalid ownerUserId', [{ path: 'ownerUserId', message: 'no user with this id' }]);
}

export function journeyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db, clock } = ctx;

  const load = async (caller: Caller, id: string, forUpdate = false, tx = db as Parameters<typeof getJourney>[0]) => {
    const journey = await getJourney(tx, id, { forUpdate });
    if (!journey || !canSee(caller, journey.businessUnitId)) throw notFound('Journey', id);
    return journey;
  };

  // Another unit's segment is as missing to a business-unit-level user as one that never existed.
  const check = async (caller: Caller, def: JourneyDefinition): Promise<CheckError[]> => checkJourney(def, await loadReferences(db, def, visibleUnit(caller)));

  app.post('/journeys', async (request, reply) => {
    requireWriter(request.caller);
    const raw = body(request.body);
    const fromTemplate = typeof raw === 'object' && raw !== null && 'templateId' in raw;
    const def = fromTemplate ? draftFromTemplate(decode(FromTemplate, raw), clock.now()) : decode(JourneyDefinition, raw);
    assertScopeAllowed(request.caller, def);
    const journey = await db.transaction(async (tx) => {
      await assertOwnerKnown(tx, request.caller, def);
      // New journeys get the default content settings, as marketers expect.
      if (def.contentSettingsId === undefined) {
        const [fallback] = await tx.query<{ id: string }>('select id from content_settings where is_default');
        if (fallback) def.contentSettingsId = fallback.id;
      }
      return insertJourney(tx, def, request.caller, clock.now());
    });
    return reply.status(201).send(journeyView(journey));
  });

  app.get('/journey-templates', async (request) => {
    const { q, category } = decode(TemplateQuery, request.query);
    return { items: searchTemplates(q, category), nextCursor: null };
  });

  app.get('/journey-templates/:id', async (request) => {
    const { id } = decode(IdParams, request.params);
    const template = JOURNEY_TEMPLATES.find((candidate) => candidate.id === id);
    if (!template) throw notFound('Journey template', id);
    return template;
  });

  app.get('/journeys', async (request) => {
    const filter = decode(ListFilter, request.query);
    const params: unknown[] = [];
    const where = listWhere(params, filter) + unitFilter(request.caller, 't.business_unit_id', params);
    const page = await listPage<StoredJourney>(
      db,
      request.query,
      `select t.id, t.status, t.definition, t.owner_user_id as "ownerUserId", t.business_unit_id as "businessUnitId",
              t.current_iteration as "currentIteration", t.version, t.created_at as "createdAt", t.updated_at as "updatedAt" from journeys t ${where}`,
      params,
    );
    return { items: page.items.map(journeyView), nextCursor: page.nextCursor };
  });

  app.get('/journeys/:id', async (request) => journeyView(await load(request.caller, decode(IdParams, request.params).id)));

  app.put('/journeys/:id', async (request) => {
    requireWriter(request.caller);
    const { id } = decode(IdParams, request.params);
    const def = decode(JourneyDefinition, body(request.body));
    assertScopeAllowed(request.caller, def);
    return db.transaction(async (tx) => {
      const journey = await load(request.caller, id, true, tx);
      if (journey.status !== 'draft') throw conflict(`Journey is ${journey.status}; only a draft can be edited`);
      await assertOwnerKnown(tx, request.caller, def);
      const updated = await updateJourneyDefinition(tx, id, def, clock.now());
      await insertMilestone(tx, id, 'updated', clock.now(), undefined, request.caller.userId);
      return journeyView(updated);
    });
  });

  app.patch('/journeys/:id', async (request) => {
    requireWriter(request.caller);
    const { id } = decode(IdParams, request.params);
    // An object, checked before it is merged: spreading an array or a string would "succeed".
    const raw = decode(PatchObject, body(request.body));
    return db.transaction(async (tx) => {
      const journey = await load(request.caller, id, true, tx);
      const now = clock.now();
      if (journey.status === 'draft') {
        const merged = decode(JourneyDefinition, { ...journey.definition, ...raw });
        assertScopeAllowed(request.caller, merged);
        await assertOwnerKnown(tx, request.caller, merged);
        return journeyView(await updateJourneyDefinition(tx, id, merged, now));
      }
      const patch = decode(LivePatch, raw);
      const def = { ...journey.definition };
      if (patch.endAt) {
        if (new Date(patch.endAt) <= new Date(def.endAt)) throw conflict('endAt may only move later on a journey that has gone live', [{ path: 'endAt', message: 'must be later than the current endAt' }]);
        def.endAt = patch.endAt;
      }
      let reopen = false;
      if (patch.recurrence) {
        if (!def.recurrence || patch.recurrence.count <= def.recurrence.count) {
          throw conflict('recurrence.count may only grow on a recurring journey that has gone live', [{ path: 'recurrence.count', message: 'must be larger than the current count' }]);
        }
        def.recurrence = { ...def.recurrence, count: patch.recurrence.count };
        reopen = journey.status === 'stopped';
      }
      const updated = await updateJourneyDefinition(tx, id, def, now);
      await insertMilestone(tx, id, 'extended', now, patch, request.caller.userId);
      if (reopen) {
        await setJourneyStatus(tx, id, 'live', now);
        await insertMilestone(tx, id, 'wentLive', now, { reason: 'recurrenceExtended' }, request.caller.userId);
        updated.status = 'live';
      }
      return journeyView(updated);
    });
  });

  app.delete('/journeys/:id', async (request, reply) => {
    requireWriter(request.caller);
    const { id } = decode(IdParams, request.params);
    await db.transaction(async (tx) => {
      const journey = await load(request.caller, id, true, tx);
      if (journey.status !== 'draft') throw conflict(`Journey is ${journey.status}; only a draft can be deleted`);
      await deleteJourney(tx, id);
    });
    return reply.status(204).send();
  });

  app.post('/journeys/:id/check', async (request) => {
    const journey = await load(request.caller, decode(IdParams, request.params).id);
    const errors = await check(request.caller, journey.definition);
    await insertMilestone(db, journey.id, 'checked', clock.now(), { errors: errors.length }, request.caller.userId);
    return { errors };
  });

  app.post('/journeys/:id/go-live', async (request) => {
    requireWriter(request.caller);
    const { id } = decode(IdParams, request.params);
    const journey = await load(request.caller, id);
    if (journey.status === 'live') return { status: 'live' };
    if (journey.status === 'ended') throw conflict('The journey has ended; extend endAt to run it again');
    const errors = await check(request.caller, journey.definition);
    if (errors.length > 0) throw unprocessable(`The journey has ${errors.length} error(s); fix them before going live`, { errors });
    return db.transaction(async (tx) => {
      const locked = await load(request.caller, id, true, tx);
      const now = clock.now();
      const recurrence = locked.definition.recurrence;
      // A recurring journey that ran its last iteration is done: restarting it changes nothing.
      if (locked.status === 'stopped' && recurrence && locked.currentIteration >= recurrence.count) {
        await insertMilestone(tx, id, 'stopped', now, { reason: 'lastIterationCompleted' }, request.caller.userId);
        return { status: 'stopped' };
      }
      await setJourneyStatus(tx, id, 'live', now);
      await recordFirstVersion(tx, id, request.caller.userId, now);
      await insertMilestone(tx, id, 'wentLive', now, undefined, request.caller.userId);
      ctx.worker.poke();
      return { status: 'live' };
    });
  });

  app.post('/journeys/:id/stop', async (request) => {
    requireWriter(request.caller);
    const { id } = decode(IdParams, request.params);
    return db.transaction(async (tx) => {
      const journey = await load(request.caller, id, true, tx);
      if (journey.status === 'draft') throw conflict('A draft journey is not running');
      if (journey.status === 'live') {
        await setJourneyStatus(tx, id, 'stopped', clock.now());
        await insertMilestone(tx, id, 'stopped', clock.now(), undefined, request.caller.userId);
      }
      return { status: journey.status === 'live' ? 'stopped' : journey.status };
    });
  });

  app.get('/journeys/:id/insights', async (request) => {
    const journey = await load(request.caller, decode(IdParams, request.params).id);
    const { accountId } = decode(InsightsQuery, request.query);
    return journeyInsights(db, journey.id, journey.definition.tiles, accountId);
  });

  app.get('/journeys/:id/milestones', async (request) => {
    const journey = await load(request.caller, decode(IdParams, request.params).id);
    const items = await db.query(`select at, kind, detail, user_id as "userId" from journey_milestones where journey_id = $1 order by id`, [journey.id]);
    return { items, nextCursor: null };
  });

  app.get('/journeys/:id/iterations', async (request) => {
    const journey = await load(request.caller, decode(IdParams, request.params).id);
    const items = await db.query(`select number, started_at as "startedAt", status from journey_iterations where journey_id = $1 order by number`, [journey.id]);
    return { items, nextCursor: null };
  });

  app.get('/journeys/:id/contacts/:contactId', async (request) => {
    const { id, contactId } = decode(ContactParams, request.params);
    await load(request.caller, id);
    const visible = await visibleIds(db, request.caller, 'contacts', [contactId]);
    const path = visible.has(contactId) ? await contactPath(db, id, contactId) : null;
    if (!path) throw notFound('Contact on this journey', contactId);
    return path;
  });
}
