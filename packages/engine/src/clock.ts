import type { Queryable } from './db/database.ts';

/** The engine's only source of time. */
export interface Clock {
  readonly manual: boolean;
  now(): Date;
}

export const systemClock: Clock = { manual: false, now: () => new Date() };

const CLOCK_KEY = 'manualClock';

/**
 * Time that stands still until moved (WAYMARK_CLOCK=manual). It lives in the database so that
 * every process, server and extra workers alike, sees the same "now".
 */
export class ManualClock implements Clock {
  readonly manual = true;
  private current: Date;

  private constructor(
    private readonly db: Queryable,
    start: Date,
  ) {
    this.current = start;
  }

  static async open(db: Queryable, start = new Date()): Promise<ManualClock> {
    const clock = new ManualClock(db, start);
    const stored = await clock.read();
    if (stored) clock.current = stored;
    else await clock.set(start);
    return clock;
  }

  now(): Date {
    return new Date(this.current);
  }

  async set(at: Date): Promise<void> {
    this.current = new Date(at);
    await this.db.query('insert into settings (key, value) values ($1, $2) on conflict (key) do update set value = excluded.value', [CLOCK_KEY, at.toISOString()]);
  }

  /** Picks up a move made by another process. */
  async refresh(): Promise<void> {
    const stored = await this.read();
    if (stored) this.current = stored;
  }

  private async read(): Promise<Date | null> {
    const rows = await this.db.query<{ value: string }>('select value from settings where key = $1', [CLOCK_KEY]);
    return rows[0] ? new Date(rows[0].value) : null;
  }
}
