import { ForecastRequest, PathPreviewRequest, type JourneyDefinition } from '@waymark/core';
import { forecastAudience, getJourney, previewDatabase, previewPath } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { badRequest, notFound, type FieldError } from '../problem.ts';
import { canSee } from '../visibility.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });

/** An open or click names the email tile it belongs to; anything else may not name a tile. */
function checkEventTiles(def: JourneyDefinition, events: PathPreviewRequest['events']): void {
  const emailTiles = new Set(def.tiles.filter((tile) => tile.type === 'email').map((tile) => tile.id));
  const errors: FieldError[] = events.flatMap((event, index) =>
    event.tileId !== undefined && !emailTiles.has(event.tileId) ? [{ path: `events.${index}.tileId`, message: 'not an email tile of this journey' }] : [],
  );
  if (errors.length > 0) throw badRequest('An event names a tile that is not an email tile of this journey', errors);
}

/**
 * Path preview and forecast: what a journey would do, computed, never done (contract section 12).
 * Their reads run on the small, time-bounded preview pool, like segment and email previews.
 */
export function journeyPreviewRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db, clock } = ctx;
  const previews = previewDatabase(db);

  const load = async (caller: Parameters<typeof canSee>[0], id: string) => {
    const journey = await getJourney(db, id);
    if (!journey || !canSee(caller, journey.businessUnitId)) throw notFound('Journey', id);
    return journey;
  };

  app.post('/journeys/:id/preview-path', async (request) => {
    const journey = await load(request.caller, decode(IdParams, request.params).id);
    const input = decode(PathPreviewRequest, body(request.body));
    checkEventTiles(journey.definition, input.events);
    const preview = await previewPath(previews, journey, input.contactId, input.events, input.horizon, clock.now());
    if (!preview || !canSee(request.caller, preview.contactBusinessUnitId)) throw notFound('Contact', input.contactId);
    const { contactBusinessUnitId: _unit, ...answer } = preview;
    return answer;
  });

  app.post('/journeys/:id/forecast', async (request) => {
    const journey = await load(request.caller, decode(IdParams, request.params).id);
    return forecastAudience(previews, journey, decode(ForecastRequest, body(request.body)), clock.now());
  });
}
