import { describe, expect, it } from 'vitest';
import type { ContactFacts } from './facts.ts';
import type { Tile } from './schema.ts';
import { simulatePath, type PathSimulation } from './simulate.ts';

const FROM = new Date('2026-03-02T14:00:00Z');
const hours = (n: number) => new Date(FROM.getTime() + n * 3_600_000);
const facts: ContactFacts = { id: 'c1', email: 'c1@example.com', consent: 'marketing', attributes: {}, lists: new Set(), segments: new Set(), events: [] };

function simulation(tiles: Tile[], overrides: Partial<PathSimulation> = {}): PathSimulation {
  return { journeyId: 'j1', iteration: 1, timeZone: 'UTC', tiles: new Map(tiles.map((tile) => [tile.id, tile])), contactId: 'c1', tileId: tiles[0]!.id, enteredAt: FROM, from: FROM, until: hours(48), facts, events: [], ...overrides };
}

const deliveredTrigger: Tile[] = [
  { id: 'mail', type: 'email', emailId: 'e1', next: 'got' },
  { id: 'got', type: 'trigger', rules: [{ tile: 'mail', on: 'delivered' }], match: 'any', basis: 'contact', timeout: 'PT1H', onTrue: null, onFalse: null },
];

describe('simulatePath', () => {
  it('delivers a sent message at once, so a trigger on delivery holds', () => {
    const result = simulatePath(simulation(deliveredTrigger));
    expect(result.path.map((step) => `${step.tileId}:${step.outcome}`)).toEqual(['mail:sent', 'got:true']);
    expect(result.effects).toEqual([{ tileId: 'mail', at: FROM, effect: { kind: 'email', emailId: 'e1' } }]);
  });

  it('delivers nothing a send-time block stops, and counts no click on it', () => {
    const click = { type: 'email_clicked', occurredAt: hours(0.5), properties: { journeyId: 'j1', tileId: 'mail', iteration: 1 } };
    const tiles: Tile[] = [deliveredTrigger[0]!, { ...(deliveredTrigger[1] as Extract<Tile, { type: 'trigger' }>), rules: [{ tile: 'mail', on: 'clicked' }] }];
    const result = simulatePath(simulation(tiles, { messagesBlocked: 'suppression', events: [click] }));
    expect(result.effects[0]!.blocked).toBe('suppression');
    expect(result.path.map((step) => `${step.tileId}:${step.outcome}@${step.at.toISOString()}`)).toEqual([`mail:sent@${FROM.toISOString()}`, `got:false@${hours(1).toISOString()}`]);
  });

  it('wakes a waiting trigger at the next event, and leaves a scheduler to its time', () => {
    const tiles: Tile[] = [
      { id: 'wait', type: 'scheduler', wait: { for: 'PT2H' }, next: 'buy' },
      { id: 'buy', type: 'trigger', rules: [{ event: 'purchase' }], match: 'any', basis: 'contact', timeout: 'P1D', onTrue: null, onFalse: null },
    ];
    const result = simulatePath(simulation(tiles, { events: [{ type: 'purchase', occurredAt: hours(1), properties: {} }, { type: 'purchase', occurredAt: hours(5), properties: {} }] }));
    // The purchase during the wait happened before the trigger was reached: only the later one counts.
    expect(result.path.map((step) => `${step.tileId}:${step.outcome}@${step.at.toISOString()}`)).toEqual([`wait:waited@${hours(2).toISOString()}`, `buy:true@${hours(5).toISOString()}`]);
  });

  it('stops at the horizon, waiting, and on a loop a draft may hold', () => {
    expect(simulatePath(simulation(deliveredTrigger.slice(0, 1).concat([{ id: 'got', type: 'scheduler', wait: { for: 'P3D' }, next: null }])))).toMatchObject({ status: 'waiting', tileId: 'got' });
    const loop: Tile[] = [
      { id: 'a', type: 'createLead', perAccount: false, next: 'b' },
      { id: 'b', type: 'createLead', perAccount: false, next: 'a' },
    ];
    expect(simulatePath(simulation(loop))).toMatchObject({ status: 'exited', reason: 'tooManySteps' });
  });
});
