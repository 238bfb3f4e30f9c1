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
  // A batch moves thousands of contacts that arrived at the same instant; zone arithmetic is the
  // costly part of a step, so identical questions are answered once. The cache is bounded.
  const key = `${at.getTime()}|${iso}|${timeZone}`;
  const cached = additions.get(key);
  if (cached !== undefined) return new Date(cached);
  const parsed = LuxonDuration.fromISO(iso);
  if (!parsed.isValid) throw new Error(`invalid duration ${iso}`);
  const result = DateTime.fromJSDate(at, { zone: timeZone }).plus(parsed).toJSDate();
  if (additions.size >= ADDITION_CACHE_SIZE) additions.clear();
  additions.set(key, result.getTime());
  return result;
}

const ADDITION_CACHE_SIZE = 10_000;
const additions = new Map<string, number>();
