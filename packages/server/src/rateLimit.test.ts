import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rateLimit.ts';

describe('RateLimiter', () => {
  it('allows `limit` uses per window and tells how long to wait after that', () => {
    let now = 0;
    const limiter = new RateLimiter(60_000, () => now);
    expect([1, 2, 3].map(() => limiter.take('ip', 3))).toEqual([0, 0, 0]);
    expect(limiter.take('ip', 3)).toBe(60);
    now = 45_500;
    expect(limiter.take('ip', 3)).toBe(15);
    expect(limiter.take('other', 3)).toBe(0);
    now = 60_000;
    expect(limiter.take('ip', 3)).toBe(0);
  });

  it('stays bounded under a flood of distinct keys', () => {
    let now = 0;
    const limiter = new RateLimiter(1_000, () => now, 100);
    for (let n = 0; n < 1_000; n += 1) {
      now += 1;
      limiter.take(`k${n}`, 1);
    }
    expect((limiter as unknown as { windows: Map<string, unknown> }).windows.size).toBeLessThanOrEqual(100);
  });
});
