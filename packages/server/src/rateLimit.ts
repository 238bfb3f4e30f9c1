/**
 * Fixed-window counters in memory: how many times each key (an IP address, a form) was used in
 * the current window. One process holds them; a restart forgets them, which for abuse limits on
 * public forms is acceptable. The map is bounded: once it is full, windows that ended go first.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one use of `key`; answers how long to wait (seconds) when it is over `limit`, else 0. */
  take(key: string, limit: number): number {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      if (!window && this.windows.size >= this.maxKeys) this.sweep(now);
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return window.count > limit ? Math.max(1, Math.ceil((window.startedAt + this.windowMs - now) / 1000)) : 0;
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (now - window.startedAt >= this.windowMs) this.windows.delete(key);
    // Still full: a flood of distinct keys. Forgetting them all is safer than growing without bound.
    if (this.windows.size >= this.maxKeys) this.windows.clear();
  }
}
