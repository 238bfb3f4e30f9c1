import { DateTime } from 'luxon';
import type { JourneyDefinition, Tile } from '@waymark/core';

export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** A new draft: starts now, runs 30 days, in the browser's time zone. */
export function draftDefinition(name: string, tiles: Tile[] = []): JourneyDefinition {
  const zone = browserTimeZone();
  const start = DateTime.now().setZone(zone).startOf('minute');
  return {
    name,
    target: 'contacts',
    scope: 'organization',
    startAt: start.toISO({ suppressMilliseconds: true })!,
    endAt: start.plus({ days: 30 }).toISO({ suppressMilliseconds: true })!,
    timeZone: zone,
    tiles,
  };
}
