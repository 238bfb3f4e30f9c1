import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('starting a journey from a template', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ now: '2026-05-01T12:00:00Z' });
  });
  afterAll(() => server.close());

  it('lists and searches the catalog', async () => {
    const all = await server.api('GET', '/journey-templates');
    expect(all.body.items.length).toBeGreaterThanOrEqual(8);
    expect(all.body.items[0]).toEqual(expect.objectContaining({ id: expect.any(String), name: expect.any(String), category: expect.any(String), description: expect.any(String) }));
    const found = await server.api('GET', '/journey-templates?q=event');
    expect(found.body.items.map((t: { id: string }) => t.id)).toEqual(['event-invitation']);
    expect((await server.api('GET', '/journey-templates/nope')).status).toBe(404);
  });

  it('creates a draft with the template pipeline, settings and the default content settings, to be configured', async () => {
    const settings = await server.api('POST', '/content-settings', { name: 'Main', postalAddress: '1 Road', isDefault: true });
    const created = await server.api('POST', '/journeys', { templateId: 'newsletter', name: 'May newsletter', timeZone: 'Europe/Berlin' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'draft',
      name: 'May newsletter',
      timeZone: 'Europe/Berlin',
      recurrence: { intervalDays: 30, count: 12 },
      contentSettingsId: settings.body.id,
      startAt: '2026-05-01T12:00:00.000Z',
    });
    expect(created.body.tiles.map((t: { type: string }) => t.type)).toEqual(['segmentGroup', 'email']);
    // A year of monthly issues fits the schedule the template chose.
    expect(Date.parse(created.body.endAt) - Date.parse(created.body.startAt)).toBeGreaterThanOrEqual(360 * 86_400_000);
    const check = await server.api('POST', `/journeys/${created.body.id}/check`);
    expect(check.body.errors.map((e: { code: string }) => e.code).sort()).toEqual(['emailMissing', 'segmentsMissing']);
    const unknown = await server.api('POST', '/journeys', { templateId: 'nope', name: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].path).toBe('templateId');
  });
});
