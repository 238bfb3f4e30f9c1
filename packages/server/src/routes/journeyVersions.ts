import { JourneyDefinition, TileId } from '@waymark/core';
import {
  discardJourneyDraft,
  getJourney,
  getJourneyDraft,
  getJourneyVersion,
  listJourneyVersions,
  publishJourneyDraft,
  reviewDraft,
  saveJourneyDraft,
  type Queryable,
} from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireWriter } from '../auth.ts';
import type { Caller, ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { conflict, notFound, unprocessable } from '../problem.ts';
import { assertOwnerKnown, assertScopeAllowed } from './journeys.ts';
import { canSee, visibleUnit } from '../visibility.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
const VersionParams = z.object({ n: z.coerce.number().int().positive().max(1_000_000) });
/** Where the contacts of each removed tile go: a tile of the new version, or null to let them exit. */
export const Moves = z.record(TileId, TileId.nullable()).refine((moves) => Object.keys(moves).length <= 1000, 'at most 1000 moves');
export const PublishBody = z.object({ moves: Moves.optional() }).strict();

/**
 * Editing a live journey: its next version is a draft beside the running one, checked against the
 * contacts under way and published as a new version they carry over to (see docs/versions.md).
 */
export function journeyVersionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db, clock } = ctx;

  const load = async (caller: Caller, id: string, tx: Queryable = db, forUpdate = false) => {
    const journey = await getJourney(tx, id, { forUpdate });
    if (!journey || !canSee(caller, journey.businessUnitId)) throw notFound('Journey', id);
    return journey;
  };

  const draftOf = async (journeyId: string) => {
    const draft = await getJourneyDraft(db, journeyId);
    if (!draft) throw notFound('Draft of journey', journeyId);
    return draft;
  };

  app.put('/journeys/:id/draft', async (request) => {
    requireWriter(request.caller);
    const { id } = decode(IdParams, request.params);
    const def = decode(JourneyDefinition, body(request.body));
    assertScopeAllowed(request.caller, def);
    return db.transaction(async (tx) => {
      const journey = await load(request.caller, id, tx, true);
      await assertOwnerKnown(tx, request.caller, def);
      if (journey.status === 'draft') throw conflict('The journey has never gone live: PUT /journeys/{id} edits it directly');
      if (journey.status === 'ended') throw conflict('The journey has ended; extend endAt to run it again before changing it');
      await saveJourneyDraft(tx, id, def, journey.version, clock.now());
      return { ...def, basedOnVersion: journey.version };
    });
  });

  app.get('/journeys/:id/draft', async (request) => {
    const journey = await load(request.caller, decode(IdParams, request.params).id);
    const draft = await draftOf(journey.id);
    return { ...draft.definition, basedOnVersion: draft.basedOnVersion };
  });

  app.delete('/journeys/:id/draft', async (request, reply) => {
    requireWriter(request.caller);
    const journey = await load(request.caller, decode(IdParams, request.params).id);
    if (!(await discardJourneyDraft(db, journey.id))) throw notFound('Draft of journey', journey.id);
    return reply.status(204).send();
  });

  app.post('/journeys/:id/draft/check', async (request) => {
    const journey = await load(request.caller, decode(IdParams, request.params).id);
    // The moves the user has chosen so far, when it has: a check of the publish to come.
    const { moves } = decode(PublishBody, request.body === undefined ? {} : request.body);
    const draft = await draftOf(journey.id);
    return reviewDraft(db, journey.id, journey.definition, draft.definition, moves, visibleUnit(request.caller));
  });

  app.post('/journeys/:id/draft/publish', async (request) => {
    requireWriter(request.caller);
    const { id } = decode(IdParams, request.params);
    const { moves = {} } = decode(PublishBody, request.body === undefined ? {} : request.body);
    await load(request.caller, id);
    const outcome = await db.transaction((tx) => publishJourneyDraft(tx, id, moves, { userId: request.caller.userId, unit: visibleUnit(request.caller) }, clock.now()));
    switch (outcome.kind) {
      case 'noDraft':
        throw conflict('There is no draft to publish: it was published or discarded already, or never saved');
      case 'notRunning':
        throw conflict(`The journey is ${outcome.status}; only a live or stopped journey publishes versions`);
      case 'invalid':
        throw unprocessable(`The draft cannot be published: ${outcome.errors.length} error(s)`, { errors: outcome.errors, changes: outcome.changes });
      case 'published':
        ctx.worker.poke();
        return { version: outcome.version, changes: outcome.changes };
    }
  });

  app.get('/journeys/:id/versions', async (request) => {
    const journey = await load(request.caller, decode(IdParams, request.params).id);
    return { items: await listJourneyVersions(db, journey.id), nextCursor: null };
  });

  app.get('/journeys/:id/versions/:n', async (request) => {
    // The journey first: an unknown journey is 404 whatever version is asked for.
    const journey = await load(request.caller, decode(IdParams, request.params).id);
    const { n } = decode(VersionParams, request.params);
    const version = await getJourneyVersion(db, journey.id, n);
    if (!version) throw notFound(`Version ${n} of journey`, journey.id);
    const { definition, ...about } = version;
    return { ...definition, ...about };
  });
}
