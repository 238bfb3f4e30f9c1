import { describe, it, expect } from 'vitest';
import { DateTime } from 'luxon';
import type { SchedulerTile, Window } from './schema.ts';
import { localToInstant, nextInWindow, schedulerReleaseAt } from './time.ts';

const NEW_YORK = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const LORD_HOWE = 'Australia/Lord_Howe';

function scheduler(wait: SchedulerTile['wait'], window?: Window): SchedulerTile {
  return { id: 'wait', type: 'scheduler', wait, window, next: null };
}

/** The wall-clock reading of an instant in a zone, to assert "09:00 local" directly. */
function wallClock(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat("yyyy-MM-dd'T'HH:mm ccc");
}

const OFFICE: Window = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' };
const EVERY_DAY_FROM_NINE: Window = { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '09:00', to: '17:00' };

describe('localToInstant', () => {
  it('reads a local time in the given zone', () => {
    expect(localToInstant('2024-01-15T09:00', BERLIN).toISOString()).toBe('2024-01-15T08:00:00.000Z');
    expect(localToInstant('2024-07-15T09:00:30', BERLIN).toISOString()).toBe('2024-07-15T07:00:30.000Z');
  });

  it('moves a time skipped by spring-forward to the same distance after the jump', () => {
    // 02:30 does not exist in Berlin on 2024-03-31; it becomes 03:30 CEST.
    expect(localToInstant('2024-03-31T02:30', BERLIN).toISOString()).toBe('2024-03-31T01:30:00.000Z');
  });

  it('throws for a date that does not exist', () => {
    expect(() => localToInstant('2024-02-30T09:00', BERLIN)).toThrow(/invalid local date-time/);
  });
});

describe('schedulerReleaseAt: wait for', () => {
  it('keeps the local time across a DST change for P7D in New York', () => {
    const entered = new Date('2024-03-07T14:00:00Z'); // Thursday 09:00 EST; clocks spring forward on 10 March
    const release = schedulerReleaseAt(scheduler({ for: 'P7D' }), entered, NEW_YORK);
    expect(release.toISOString()).toBe('2024-03-14T13:00:00.000Z');
    expect(wallClock(release, NEW_YORK)).toBe('2024-03-14T09:00 Thu');
  });

  it('counts exact hours for PT168H, so it lands an hour later on the wall clock', () => {
    const entered = new Date('2024-03-07T14:00:00Z');
    const release = schedulerReleaseAt(scheduler({ for: 'PT168H' }), entered, NEW_YORK);
    expect(release.toISOString()).toBe('2024-03-14T14:00:00.000Z');
  });

  it('keeps the local time across fall-back too', () => {
    const entered = new Date('2024-10-31T13:00:00Z'); // Thursday 09:00 EDT; clocks fall back on 3 November
    const release = schedulerReleaseAt(scheduler({ for: 'P7D' }), entered, NEW_YORK);
    expect(release.toISOString()).toBe('2024-11-07T14:00:00.000Z');
  });
});

describe('schedulerReleaseAt: wait until', () => {
  it('releases at the local time in the journey zone', () => {
    const entered = new Date('2024-04-01T00:00:00Z');
    expect(schedulerReleaseAt(scheduler({ until: '2024-05-01T10:30' }), entered, BERLIN).toISOString()).toBe('2024-05-01T08:30:00.000Z');
    expect(schedulerReleaseAt(scheduler({ until: '2024-05-01T10:30' }), entered, NEW_YORK).toISOString()).toBe('2024-05-01T14:30:00.000Z');
  });

  it('releases at once when the moment has already passed', () => {
    const entered = new Date('2024-06-01T12:00:00Z');
    expect(schedulerReleaseAt(scheduler({ until: '2024-05-01T10:30' }), entered, BERLIN)).toEqual(entered);
  });

  it('still respects the window when the moment has passed', () => {
    const entered = new Date('2024-06-01T12:00:00Z'); // Saturday
    const release = schedulerReleaseAt(scheduler({ until: '2024-05-01T10:30' }, OFFICE), entered, BERLIN);
    expect(wallClock(release, BERLIN)).toBe('2024-06-03T09:00 Mon');
  });
});

describe('windows', () => {
  it('moves a release at 18:00 Friday to Monday 09:00 local (across the New York DST change)', () => {
    const friday1800 = new Date('2024-03-08T23:00:00Z'); // 18:00 EST
    const moved = nextInWindow(friday1800, OFFICE, NEW_YORK);
    expect(moved.toISOString()).toBe('2024-03-11T13:00:00.000Z'); // 09:00 EDT
    expect(wallClock(moved, NEW_YORK)).toBe('2024-03-11T09:00 Mon');
  });

  it('applies the window to the end of a scheduler wait', () => {
    const friday1700 = new Date('2024-03-08T22:00:00Z');
    const release = schedulerReleaseAt(scheduler({ for: 'PT1H' }, OFFICE), friday1700, NEW_YORK);
    expect(wallClock(release, NEW_YORK)).toBe('2024-03-11T09:00 Mon');
  });

  it('keeps a time inside the window and moves an early one to the opening', () => {
    const tuesday1015 = new Date('2024-03-12T14:15:00Z');
    expect(nextInWindow(tuesday1015, OFFICE, NEW_YORK)).toEqual(tuesday1015);
    const tuesday0700 = new Date('2024-03-12T11:00:00Z');
    expect(wallClock(nextInWindow(tuesday0700, OFFICE, NEW_YORK), NEW_YORK)).toBe('2024-03-12T09:00 Tue');
  });

  it('treats the closing time as outside the window', () => {
    const tuesday1700 = new Date('2024-03-12T21:00:00Z');
    expect(wallClock(nextInWindow(tuesday1700, OFFICE, NEW_YORK), NEW_YORK)).toBe('2024-03-13T09:00 Wed');
  });

  it('runs a window whose end is before its start past midnight', () => {
    const fridayNights: Window = { days: ['fri'], from: '22:00', to: '06:00' };
    const saturday0100 = DateTime.fromISO('2024-03-16T01:00', { zone: BERLIN }).toJSDate();
    expect(nextInWindow(saturday0100, fridayNights, BERLIN)).toEqual(saturday0100);
    const saturday0700 = DateTime.fromISO('2024-03-16T07:00', { zone: BERLIN }).toJSDate();
    expect(wallClock(nextInWindow(saturday0700, fridayNights, BERLIN), BERLIN)).toBe('2024-03-22T22:00 Fri');
  });

  it('reads the weekday in the journey zone, not in UTC', () => {
    // 2024-03-16T02:00Z is Saturday in UTC but still Friday 22:00 in New York.
    const fridayInNewYork = new Date('2024-03-16T02:00:00Z');
    const evenings: Window = { days: ['fri'], from: '20:00', to: '23:00' };
    expect(nextInWindow(fridayInNewYork, evenings, NEW_YORK)).toEqual(fridayInNewYork);
  });
});

describe('a wait until 09:00 local on DST change days', () => {
  const cases = [
    { zone: LORD_HOWE, day: '2024-10-06', expected: '2024-10-05T22:00:00.000Z', dayBefore09: '2024-10-04T22:30:00.000Z', what: 'Lord Howe: +10:30 → +11 at 02:00' },
    { zone: LORD_HOWE, day: '2024-04-07', expected: '2024-04-06T22:30:00.000Z', dayBefore09: '2024-04-05T22:00:00.000Z', what: 'Lord Howe: +11 → +10:30 at 02:00' },
    { zone: BERLIN, day: '2024-03-31', expected: '2024-03-31T07:00:00.000Z', dayBefore09: '2024-03-30T08:00:00.000Z', what: 'Berlin spring-forward' },
    { zone: BERLIN, day: '2024-10-27', expected: '2024-10-27T08:00:00.000Z', dayBefore09: '2024-10-26T07:00:00.000Z', what: 'Berlin fall-back' },
  ];

  for (const { zone, day, expected, dayBefore09, what } of cases) {
    describe(what, () => {
      it('wait until 09:00 gives 09:00 local', () => {
        const entered = DateTime.fromISO(`${day}T00:15`, { zone }).toJSDate();
        const release = schedulerReleaseAt(scheduler({ until: `${day}T09:00` }), entered, zone);
        expect(release.toISOString()).toBe(expected);
        expect(wallClock(release, zone).slice(0, 16)).toBe(`${day}T09:00`);
      });

      it('a window opening at 09:00 opens at 09:00 local', () => {
        const entered = DateTime.fromISO(`${day}T00:15`, { zone }).toJSDate();
        const release = schedulerReleaseAt(scheduler({ for: 'PT1M' }, EVERY_DAY_FROM_NINE), entered, zone);
        expect(release.toISOString()).toBe(expected);
      });

      it('P1D from 09:00 the day before gives 09:00 local', () => {
        const release = schedulerReleaseAt(scheduler({ for: 'P1D' }), new Date(dayBefore09), zone);
        expect(release.toISOString()).toBe(expected);
      });
    });
  }
});
