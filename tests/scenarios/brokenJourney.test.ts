/**
 * One journey whose stored definition no longer parses (edited by hand in the database, or written
 * by another version) must not stop the engine: it is marked `failed` with a milestone saying why,
 * its contacts stay where they stand, and every other journey keeps running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('a journey with a corrupted stored definition beside a healthy one', () => {
  let server: TestServer;
  const ids: Record<string, string> = {};

  const post = async (path: string, body: unknown) => {
    const response = await server.api('POST', path, body);
    expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
    return response.body;
  };
  const waitingJourney = async (name: string) =>
    (
      await post('/journeys', {
        name,
        target: 'contacts',
        startAt: '2026-03-02T00:00:00Z',
        endAt: '2026-06-01T00:00:00Z',
        timeZone: 'UTC',
        tiles: [
          { id: 'all', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: ids.segment, mode: 'include' }], next: 'wait' },
          { id: 'wait', type: 'scheduler', wait: { for: 'P1D' }, next: null },
        ],
      })
    ).id as string;
  const positions = async (journey: string) => (await server.api('GET', `/journeys/${journey}/insights`)).body.contacts;

  beforeAll(async () => {
    server = await startTestServer({ now: '2026-03-02T14:00:00Z' });
    ids.segment = (await post('/segments', { name: 'Everyone', kind: 'static' })).id;
    const contacts = await Promise.all(['ann', 'bob'].map(async (name) => (await post('/contacts', { email: `${name}@example.com`, consent: 'marketing' })).id));
    await post(`/segments/${ids.segment}/members`, { add: contacts });
    ids.healthy = await waitingJourney('Healthy');
    ids.broken = await waitingJourney('Broken');
    for (const journey of [ids.healthy, ids.broken]) await post(`/journeys/${journey}/go-live`, {});
    await server.drain();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('marks the broken journey failed with a milestone, and runs the healthy one to its end', async () => {
    expect(await positions(ids.broken!)).toMatchObject({ entered: 2, active: 2 });
    // Someone edits the stored definition by hand: a tile type no version of Waymark knows.
    await server.database.db.query(`update journeys set definition = jsonb_set(definition, '{tiles,1,type}', '"teleport"') where id = $1`, [ids.broken]);

    await server.advance('P1D');

    expect(await positions(ids.healthy!)).toMatchObject({ entered: 2, active: 0, completed: 2 });
    const failed = await server.api('GET', '/journeys?status=failed');
    expect(failed.status).toBe(200);
    expect(failed.body.items.map((journey: { id: string; status: string }) => [journey.id, journey.status])).toEqual([[ids.broken, 'failed']]);
    const milestones = (await server.api('GET', `/journeys/${ids.broken}/milestones`)).body.items;
    expect(milestones.at(-1)).toMatchObject({ kind: 'failed', detail: { reason: 'definitionInvalid' } });
    expect(milestones.at(-1).detail.error).toContain('tiles');
    // Its contacts stay where they stood: nothing about them is lost.
    expect(await positions(ids.broken!)).toMatchObject({ entered: 2, active: 2, completed: 0 });
  });

  it('keeps running the rest on later ticks, without failing the journey twice', async () => {
    const healthyLater = await waitingJourney('Healthy later');
    await post(`/journeys/${healthyLater}/go-live`, {});
    await server.drain();
    expect(await positions(healthyLater)).toMatchObject({ entered: 2, active: 2 });
    await server.advance('P1D');
    expect(await positions(healthyLater)).toMatchObject({ entered: 2, completed: 2 });
    const milestones = (await server.api('GET', `/journeys/${ids.broken}/milestones`)).body.items;
    expect(milestones.filter((milestone: { kind: string }) => milestone.kind === 'failed')).toHaveLength(1);
  });
});
