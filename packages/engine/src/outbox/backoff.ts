/**
 * Exponential backoff: 30 s, 1 min, 2 min, ... capped at one hour between tries, giving up once the
 * next try would fall more than `giveUpAfterMs` after the first.
 */
export function nextRetryAt(now: Date, attempts: number, firstAttemptAt: Date, giveUpAfterMs = 24 * 3_600_000): Date | null {
  const delay = Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
  const retryAt = new Date(now.getTime() + delay);
  return retryAt.getTime() - firstAttemptAt.getTime() > giveUpAfterMs ? null : retryAt;
}
