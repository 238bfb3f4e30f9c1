import { describe, expect, it } from 'vitest';
import { forecastJourney, type ForecastInput } from './forecast.ts';
import type { Tile } from './schema.ts';

const FROM = new Date('2026-03-02T14:00:00Z');

function input(tiles: Tile[], overrides: Partial<ForecastInput> = {}): ForecastInput {
  return {
    journeyId: 'j1',
    timeZone: 'UTC',
    tiles,
    from: FROM,
    until: new Date('2026-04-01T00:00:00Z'),
    audience: { contacts: 10, conditionShares: new Map(), blockedShare: 0 },
    rates: {},
    byDay: false,
    ...overrides,
  };
}

const entry = (next: string): Tile => ({ id: 'in', type: 'segmentGroup', combine: 'union', segments: [], next });

describe('forecastJourney', () => {
  it('fills count-mode splitter branches in arrival order, the last taking the rest', () => {
    const tiles: Tile[] = [
      entry('split'),
      { id: 'split', type: 'splitter', mode: 'count', branches: [{ share: 3, next: 'a' }, { share: 4, next: 'b' }, { share: 0, next: 'c' }] },
      { id: 'a', type: 'createLead', perAccount: false, next: null },
      { id: 'b', type: 'createLead', perAccount: false, next: null },
      { id: 'c', type: 'createLead', perAccount: false, next: null },
    ];
    expect(forecastJourney(input(tiles)).tiles).toMatchObject({ a: { entered: 3 }, b: { entered: 4 }, c: { entered: 3 } });
  });

  it('splits a condition evenly when the engine could not count it, and combines trigger rules', () => {
    const tiles: Tile[] = [
      entry('cond'),
      { id: 'cond', type: 'condition', query: { attribute: 'city', op: 'exists' }, onTrue: 'any', onFalse: 'all' },
      { id: 'any', type: 'trigger', rules: [{ event: 'x' }, { event: 'y' }], match: 'any', basis: 'contact', timeout: 'P1D', onTrue: 'anyTrue', onFalse: null },
      { id: 'all', type: 'trigger', rules: [{ event: 'x' }, { event: 'y' }], match: 'all', basis: 'contact', timeout: 'P1D', onTrue: 'allTrue', onFalse: null },
      { id: 'anyTrue', type: 'createLead', perAccount: false, next: null },
      { id: 'allTrue', type: 'createLead', perAccount: false, next: null },
    ];
    const result = forecastJourney(input(tiles, { rates: { events: { x: 0.5, y: 0.2 } } }));
    expect(result.tiles).toMatchObject({ any: { entered: 5 }, all: { entered: 5 }, anyTrue: { entered: 3 }, allTrue: { entered: 0.5 } });
  });

  it('counts nobody past the end of the horizon', () => {
    const tiles: Tile[] = [entry('wait'), { id: 'wait', type: 'scheduler', wait: { for: 'P2D' }, next: 'after' }, { id: 'after', type: 'createLead', perAccount: false, next: null }];
    expect(forecastJourney(input(tiles, { until: new Date('2026-03-03T14:00:00Z') })).tiles).toMatchObject({ wait: { entered: 10 }, after: { entered: 0 } });
  });
});
