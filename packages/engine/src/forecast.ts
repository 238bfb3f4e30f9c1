import { addDuration, forecastJourney, type ForecastRequest, type JourneyForecast } from '@waymark/core';
import type { Queryable } from './db/database.ts';
import type { PreviewedJourney } from './preview.ts';
import { countForecastAudience, type ForecastAudience } from './queries/countForecastAudience.ts';
import { loadSegments } from './queries/loadSegments.ts';

export type Forecast = JourneyForecast & { excluded: ForecastAudience['excluded'] };

/**
 * Expected counts per tile over a horizon for the audience the journey would admit now: counted in
 * one SQL statement, then carried through the tile graph by the core with the assumed rates. A
 * form-entry journey has no standing audience to count: its forecast is empty. Reads only.
 */
export async function forecastAudience(db: Queryable, journey: PreviewedJourney, request: ForecastRequest, now: Date): Promise<Forecast> {
  const def = journey.definition;
  const startAt = new Date(def.startAt);
  const from = startAt > now ? startAt : now;
  const horizonEnd = addDuration(from, request.horizon, def.timeZone);
  const endAt = new Date(def.endAt);
  const entry = def.tiles[0];
  const audience: ForecastAudience =
    entry?.type === 'segmentGroup'
      ? await countForecastAudience(db, journey, entry, await loadSegments(db), now)
      : { contacts: 0, excluded: { consent: 0, scope: 0 }, blocked: 0, conditions: new Map() };
  const share = (count: number) => (audience.contacts > 0 ? count / audience.contacts : 0);
  const forecast = forecastJourney({
    journeyId: journey.id,
    timeZone: def.timeZone,
    tiles: def.tiles,
    from,
    // Processing stops at the journey's end, wherever contacts are.
    until: horizonEnd < endAt ? horizonEnd : new Date(endAt.getTime() - 1),
    audience: {
      contacts: audience.contacts,
      // With nobody to count, a condition splits evenly.
      conditionShares: new Map([...audience.conditions].map(([tileId, count]) => [tileId, audience.contacts > 0 ? share(count) : 0.5])),
      blockedShare: share(audience.blocked),
    },
    rates: request.rates ?? {},
    byDay: request.byDay ?? false,
  });
  return { ...forecast, excluded: audience.excluded };
}
