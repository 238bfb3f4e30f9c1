/**
 * Drafts and versions of live journeys, and drafts of live emails, refuse what makes no sense
 * with a clear 4xx and change nothing: a draft of a journey that never went live, a publish with no
 * draft, moves naming tiles that are not there, two publishes at once, another unit's journey.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const FOOTER = '<p>{{ content.subscriptionCenterUrl }} {{ content.postalAddress }}</p>';

describe('journey drafts and versions: bad input', () => {
  let server: TestServer;
  const ids: Record<string, string> = {};
  let definition: Record<string, any>;

  const must = async (response: Promise<{ status: number; body: any }>, status = 201) => {
    const result = await response;
    expect(result.status, JSON.stringify(result.body)).toBe(status);
    return result.body;
  };
  const liveJourney = async (name: string) => {
    const journey = await must(server.api('POST', '/journeys', { ...definition, name }));
    await must(server.api('POST', `/journeys/${journey.id}/go-live`), 200);
    return journey.id as string;
  };

  beforeAll(async () => {
    server = await startTestServer();
    await must(server.api('POST', '/content-settings', { name: 'Default', postalAddress: '1 Main St', isDefault: true }));
    ids.list = (await must(server.api('POST', '/subscription-lists', { name: 'News' }))).id;
    ids.email = (await must(server.api('POST', '/emails', { name: 'Hello', subject: 'Hello', html: `<p>Hi</p>${FOOTER}` }))).id;
    await must(server.api('POST', `/emails/${ids.email}/publish`), 200);
    definition = {
      name: 'Base',
      startAt: '2026-01-01T00:00:00Z',
      endAt: '2026-12-01T00:00:00Z',
      timeZone: 'UTC',
      tiles: [
        { id: 'audience', type: 'segmentGroup', combine: 'union', segments: [{ source: 'subscriptionList', listId: ids.list, mode: 'include' }], next: 'hold' },
        { id: 'hold', type: 'scheduler', wait: { for: 'P5D' }, next: 'hello' },
        { id: 'hello', type: 'email', emailId: ids.email, next: null },
      ],
    };
    const contacts = await must(server.api('POST', '/contacts/batch', { contacts: [1, 2, 3].map((n) => ({ email: `c${n}@example.com`, consent: 'marketing' })) }), 200);
    await must(server.api('POST', `/subscription-lists/${ids.list}/members`, { add: contacts.ids }), 200);
  });
  afterAll(() => server.close());

  it('refuses a draft of a journey that never went live (409), and reads none (404)', async () => {
    const draftJourney = await must(server.api('POST', '/journeys', definition));
    const response = await server.api('PUT', `/journeys/${draftJourney.id}/draft`, definition);
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect((await server.api('GET', `/journeys/${draftJourney.id}/draft`)).status).toBe(404);
    expect((await server.api('GET', `/journeys/${draftJourney.id}`)).body.version).toBeNull();
    expect((await server.api('GET', `/journeys/${draftJourney.id}/versions`)).body.items).toEqual([]);
  });

  it('answers 409 to a publish with no draft, and 404 to reading or discarding a draft that is not there', async () => {
    const id = await liveJourney('No draft');
    expect((await server.api('POST', `/journeys/${id}/draft/publish`, {})).status).toBe(409);
    expect((await server.api('GET', `/journeys/${id}/draft`)).status).toBe(404);
    expect((await server.api('DELETE', `/journeys/${id}/draft`)).status).toBe(404);
    expect((await server.api('POST', `/journeys/${id}/draft/check`)).status).toBe(404);
    expect((await server.api('GET', `/journeys/${id}/versions/2`)).status).toBe(404);
    expect((await server.api('GET', `/journeys/${id}/versions/zero`)).status).toBe(400);
  });

  it('refuses moves that name tiles not removed, or tiles the new version lacks (422), and a malformed body (400)', async () => {
    const id = await liveJourney('Bad moves');
    await server.drain();
    const draft = { ...definition, tiles: [{ ...definition.tiles[0], next: 'hello' }, definition.tiles[2]] };
    await must(server.api('PUT', `/journeys/${id}/draft`, draft), 200);

    const check = await server.api('POST', `/journeys/${id}/draft/check`, { moves: { hold: 'nowhere', ghost: 'hello' } });
    expect(check.body.errors.map((e: { code: string; field: string }) => `${e.code}:${e.field}`)).toEqual(['moveTargetUnknown:moves.hold', 'moveSourceNotRemoved:moves.ghost']);
    expect(check.body.changes.removed).toEqual([{ tileId: 'hold', waiting: 3 }]);

    const unknownTarget = await server.api('POST', `/journeys/${id}/draft/publish`, { moves: { hold: 'nowhere' } });
    expect(unknownTarget.status).toBe(422);
    expect(unknownTarget.body.errors).toEqual([expect.objectContaining({ code: 'moveTargetUnknown', tileId: 'hold' })]);
    const unknownSource = await server.api('POST', `/journeys/${id}/draft/publish`, { moves: { hold: 'hello', ghost: null } });
    expect(unknownSource.status).toBe(422);
    expect(unknownSource.body.errors).toEqual([expect.objectContaining({ code: 'moveSourceNotRemoved', field: 'moves.ghost' })]);
    const toEntry = await server.api('POST', `/journeys/${id}/draft/publish`, { moves: { hold: 'audience' } });
    expect(toEntry.body.errors).toEqual([expect.objectContaining({ code: 'moveTargetIsEntry' })]);

    for (const bad of [{ moves: 5 }, { moves: { hold: 7 } }, { moves: { hold: 'hello' }, force: true }, '[]']) {
      const response = await server.api('POST', `/journeys/${id}/draft/publish`, bad);
      expect(response.status, JSON.stringify(bad)).toBe(400);
    }
    // Nothing changed: still version 1, the contacts still wait where they were, the draft still there.
    expect((await server.api('GET', `/journeys/${id}`)).body.version).toBe(1);
    expect((await server.api('GET', `/journeys/${id}/insights`)).body.tiles.hold.waiting).toBe(3);
    expect((await server.api('GET', `/journeys/${id}/draft`)).status).toBe(200);
  });

  it('refuses a draft with errors of its own (422 with the same errors as check-for-errors)', async () => {
    const id = await liveJourney('Broken draft');
    const broken = { ...definition, tiles: [definition.tiles[0], { ...definition.tiles[1], next: 'missing' }, definition.tiles[2]] };
    await must(server.api('PUT', `/journeys/${id}/draft`, broken), 200);
    const check = await server.api('POST', `/journeys/${id}/draft/check`);
    const codes = check.body.errors.map((e: { code: string }) => e.code);
    expect(codes).toContain('danglingNext');
    const publish = await server.api('POST', `/journeys/${id}/draft/publish`, {});
    expect(publish.status).toBe(422);
    expect(publish.body.errors.map((e: { code: string }) => e.code)).toEqual(codes);
    expect((await server.api('PUT', `/journeys/${id}/draft`, { ...definition, target: 'accounts' })).status).toBe(200);
    expect((await server.api('POST', `/journeys/${id}/draft/check`)).body.errors).toEqual([expect.objectContaining({ code: 'targetChanged' })]);
    expect((await server.api('PUT', `/journeys/${id}/draft`, { ...definition, tiles: 'none' })).status).toBe(400);
  });

  it('lets one of two publishes at once win; the other gets 409', async () => {
    const id = await liveJourney('Race');
    await must(server.api('PUT', `/journeys/${id}/draft`, { ...definition, tiles: [definition.tiles[0], { ...definition.tiles[1], wait: { for: 'P2D' } }, definition.tiles[2]] }), 200);
    const answers = await Promise.all([server.api('POST', `/journeys/${id}/draft/publish`, {}), server.api('POST', `/journeys/${id}/draft/publish`, {})]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 200)!.body.version).toBe(2);
    expect((await server.api('GET', `/journeys/${id}/versions`)).body.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);
  });

  it('discards a draft and leaves the running version as it was', async () => {
    const id = await liveJourney('Discard');
    await must(server.api('PUT', `/journeys/${id}/draft`, { ...definition, name: 'Renamed' }), 200);
    expect((await server.api('DELETE', `/journeys/${id}/draft`)).status).toBe(204);
    expect((await server.api('GET', `/journeys/${id}`)).body).toMatchObject({ name: 'Discard', version: 1 });
    expect((await server.api('POST', `/journeys/${id}/draft/publish`, {})).status).toBe(409);
  });

  it('hides drafts and versions of another business unit\'s journey (404)', async () => {
    const id = await liveJourney('Organization journey');
    const unit = await must(server.api('POST', '/business-units', { name: 'West' }));
    const user = await must(server.api('POST', '/users', { name: 'West', email: 'west@example.com', businessUnitId: unit.id, role: 'admin', level: 'businessUnit' }));
    const key = (await must(server.api('POST', '/api-keys', { userId: user.id }))).key as string;
    const as = { key };
    expect((await server.api('PUT', `/journeys/${id}/draft`, { ...definition, scope: 'businessUnit' }, as)).status).toBe(404);
    expect((await server.api('GET', `/journeys/${id}/versions`, undefined, as)).status).toBe(404);
    expect((await server.api('GET', `/journeys/${id}/versions/1`, undefined, as)).status).toBe(404);
    expect((await server.api('POST', `/journeys/${id}/draft/publish`, {}, as)).status).toBe(404);
  });

  it('changes a live email only through its draft: 409 for a draft of a draft email, 400 for a bad template', async () => {
    const draftEmail = await must(server.api('POST', '/emails', { name: 'Draft', subject: 'Hi', html: `<p>Hi</p>${FOOTER}` }));
    expect((await server.api('PUT', `/emails/${draftEmail.id}/draft`, { name: 'Draft', subject: 'Hi', html: '<p>x</p>' })).status).toBe(409);
    expect((await server.api('PUT', `/emails/${ids.email}/draft`, { name: 'Hello', subject: '{% if %}', html: '<p>x</p>' })).status).toBe(400);
    expect((await server.api('PUT', `/emails/${ids.email}/draft`, { subject: 'Only a subject' })).status).toBe(400);
    expect((await server.api('GET', `/emails/${ids.email}/draft`)).status).toBe(404);
    // A draft without the required footer cannot be published; the live revision stays.
    await must(server.api('PUT', `/emails/${ids.email}/draft`, { name: 'Hello', subject: 'Hello again', html: '<p>no footer</p>' }), 200);
    expect((await server.api('POST', `/emails/${ids.email}/publish`)).status).toBe(422);
    expect((await server.api('GET', `/emails/${ids.email}`)).body).toMatchObject({ subject: 'Hello', revision: 1, hasDraft: true });
    expect((await server.api('DELETE', `/emails/${ids.email}/draft`)).status).toBe(204);
    expect((await server.api('POST', `/emails/${ids.email}/publish`)).body).toEqual({ status: 'live' });
    expect((await server.api('GET', '/emails/nope/usage')).status).toBe(404);
  });
});
