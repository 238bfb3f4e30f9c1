import { DateTime } from 'luxon';
import { addDuration } from './duration.ts';
import type { SchedulerTile, Weekday, Window } from './schema.ts';

const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Reads a local date-time (no offset) in a zone; a time skipped by a DST jump moves forward. */
export function localToInstant(local: string, timeZone: string): Date {
  const parsed = DateTime.fromISO(local, { zone: timeZone });
  if (!parsed.isValid) throw new Error(`invalid local date-time ${local}`);
  return parsed.toJSDate();
}

function atClock(day: DateTime, clock: string): DateTime {
  const [hour, minute] = clock.split(':').map(Number) as [number, number];
  return day.set({ hour, minute, second: 0, millisecond: 0 });
}

/**
 * The earliest instant at or after `at` that falls inside the window, read in the zone. A window
 * whose `to` is not after `from` runs past midnight into the next day.
 */
export function nextInWindow(at: Date, window: Window, timeZone: string): Date {
  const start = DateTime.fromJSDate(at, { zone: timeZone });
  for (let offset = -1; offset <= 8; offset += 1) {
    const day = start.plus({ days: offset }).startOf('day');
    if (!window.days.includes(WEEKDAYS[day.weekday - 1]!)) continue;
    const opens = atClock(day, window.from);
    let closes = atClock(day, window.to);
    if (closes <= opens) closes = atClock(day.plus({ days: 1 }), window.to);
    if (start < closes) return (start > opens ? start : opens).toJSDate();
  }
  // Unreachable with at least one day in the window, which the schema requires.
  return at;
}

const releases = new WeakMap<SchedulerTile, Map<string, number>>();

/** When a contact that reached a scheduler tile at `enteredAt` may move on. */
export function schedulerReleaseAt(tile: SchedulerTile, enteredAt: Date, timeZone: string): Date {
  // Contacts of one batch mostly share their arrival time: compute each (tile, instant) once.
  let byInstant = releases.get(tile);
  if (!byInstant) releases.set(tile, (byInstant = new Map()));
  const key = `${enteredAt.getTime()}|${timeZone}`;
  const cached = byInstant.get(key);
  if (cached !== undefined) return new Date(cached);
  const release = computeReleaseAt(tile, enteredAt, timeZone);
  if (byInstant.size >= 10_000) byInstant.clear();
  byInstant.set(key, release.getTime());
  return release;
}

function computeReleaseAt(tile: SchedulerTile, enteredAt: Date, timeZone: string): Date {
  const waited = 'for' in tile.wait ? addDuration(enteredAt, tile.wait.for, timeZone) : localToInstant(tile.wait.until, timeZone);
  const earliest = waited < enteredAt ? enteredAt : waited;
  return tile.window ? nextInWindow(earliest, tile.window, timeZone) : earliest;
}
