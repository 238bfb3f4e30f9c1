import { DateTime, Duration as LuxonDuration } from 'luxon';
import { z } from 'zod';

/** An ISO-8601 duration such as P7D or PT1H30M; zero or negative durations are rejected. */
export const Duration = z.string().max(64).refine((text) => {
  const parsed = LuxonDuration.fromISO(text);
  return parsed.isValid && parsed.toMillis() > 0;
}, 'expected a positive ISO-8601 duration such as P7D or PT1H');
export type Duration = z.infer<typeof Duration>;

/** Milliseconds in an ISO duration, with calendar units at their nominal length (P1M = 30 days). */
export function durationToMillis(iso: string): number {
  const parsed = LuxonDuration.fromISO(iso);
  if (!parsed.isValid) throw new Error(`invalid duration ${iso}`);
  return parsed.toMillis();
}

/**
 * Adds an ISO duration to an instant in a time zone, so that P1D means "same local time tomorrow"
 * across daylight-saving changes, while PT24H means exactly 24 hours.
 */
export function addDuration(at: Date, iso: string, timeZone: string): Date {
  const parsed = LuxonDuration.fromISO(iso);
  if (!parsed.isValid) throw new Error(`invalid duration ${iso}`);
  return DateTime.fromJSDate(at, { zone: timeZone }).plus(parsed).toJSDate();
}
