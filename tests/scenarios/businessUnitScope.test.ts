/**
 * A business-unit-scoped journey processes only contacts of its owner's business unit, even when
 * its list holds contacts of other units; an organization-scoped one processes them all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('business-unit scope', () => {
  let server: TestServer;
  let listId: string;
  const contacts: Record<string, string> = {};
  const units: Record<string, string> = {};
  let eastKey: string;

  beforeAll(async () => {
    server = await startTestServer();
    const post = async (path: string, body: unknown, key?: string) => (await server.api('POST', path, body, key ? { key } : {})).body;
    units.east = (await post('/business-units', { name: 'East' })).id;
    units.west = (await post('/business-units', { name: 'West' })).id;
    const marketer = await post('/users', { name: 'Eve', email: 'eve@corp.example', businessUnitId: units.east, role: 'marketer', level: 'businessUnit' });
    eastKey = (await post('/api-keys', { userId: marketer.id })).key;
    listId = (await post('/subscription-lists', { name: 'Everyone' })).id;
    for (const [name, unit] of [['east1', 'east'], ['east2', 'east'], ['west1', 'west']] as const) {
      contacts[name] = (await post('/contacts', { email: `${name}@example.com`, consent: 'marketing', businessUnitId: units[unit] })).id;
    }
    await post(`/subscription-lists/${listId}/members`, { add: Object.values(contacts) });
  });
  afterAll(() => server.close());

  const runJourney = async (scope: 'businessUnit' | 'organization', key?: string) => {
    const journey = await server.api(
      'POST',
      '/journeys',
      {
        name: `${scope} journey`,
        scope,
        startAt: '2026-01-01T00:00:00Z',
        endAt: '2026-02-01T00:00:00Z',
        timeZone: 'UTC',
        tiles: [
          { id: 'in', type: 'segmentGroup', segments: [{ source: 'subscriptionList', listId, mode: 'include' }], next: 'lead' },
          { id: 'lead', type: 'createLead', next: null },
        ],
      },
      key ? { key } : {},
    );
    expect(journey.status).toBe(201);
    expect((await server.api('POST', `/journeys/${journey.body.id}/go-live`, undefined, key ? { key } : {})).body).toEqual({ status: 'live' });
    await server.drain();
    return journey.body.id as string;
  };

  it("admits only the owner's unit on a business-unit-scoped journey, and counts the rest as excluded by scope", async () => {
    const journeyId = await runJourney('businessUnit', eastKey);
    const leads = (await server.api('GET', `/leads?journeyId=${journeyId}`)).body.items.map((lead: { contactId: string }) => lead.contactId).sort();
    expect(leads).toEqual([contacts.east1, contacts.east2].sort());
    const insights = (await server.api('GET', `/journeys/${journeyId}/insights`)).body;
    expect(insights.contacts).toMatchObject({ entered: 2, excluded: { scope: 1 } });
  });

  it('admits everyone on an organization-scoped journey', async () => {
    const journeyId = await runJourney('organization');
    expect((await server.api('GET', `/leads?journeyId=${journeyId}`)).body.items).toHaveLength(3);
  });
});
