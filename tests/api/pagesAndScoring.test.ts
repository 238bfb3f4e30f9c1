import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const paths = (body: { errors?: { path: string }[] }) => [...new Set((body.errors ?? []).map((e) => e.path))];

describe('marketing pages API', () => {
  let server: TestServer;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer();
    ids.form = (await server.api('POST', '/forms', { name: 'Contact us', fields: [{ name: 'email', type: 'email' }] })).body.id;
  });
  afterAll(() => server.close());

  it('creates a draft page, lists it, and publishes it once its form is live', async () => {
    const created = await server.api('POST', '/pages', { name: 'Spring offer', title: 'Spring <offer>', body: 'Save 20%.', formId: ids.form });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'Spring offer',
      title: 'Spring <offer>',
      body: 'Save 20%.',
      formId: ids.form,
      status: 'draft',
      visits: 0,
      knownVisitors: 0,
      url: `${server.url}/p/${created.body.id}`,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    ids.page = created.body.id;
    expect((await server.api('GET', '/pages?status=draft')).body.items.map((p: { id: string }) => p.id)).toEqual([ids.page]);
    expect((await fetch(`${server.url}/p/${ids.page}`)).status).toBe(404);

    const early = await server.api('POST', `/pages/${ids.page}/publish`);
    expect(early.status).toBe(422);
    expect(paths(early.body)).toEqual(['formId']);
    await server.api('POST', `/forms/${ids.form}/publish`);
    expect((await server.api('POST', `/pages/${ids.page}/publish`)).body).toEqual({ status: 'live' });
    expect((await server.api('PATCH', `/pages/${ids.page}`, { title: 'Changed' })).status).toBe(409);
  });

  it('serves the live page escaped, counts GET visits but not HEAD', async () => {
    const page = await fetch(`${server.url}/p/${ids.page}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<h1>Spring &lt;offer&gt;</h1>');
    expect(html).toContain(`<form method="post" action="/f/${ids.form}"`);
    expect((await fetch(`${server.url}/p/${ids.page}`, { method: 'HEAD' })).status).toBe(200);
    expect((await server.api('GET', `/pages/${ids.page}`)).body).toMatchObject({ visits: 1, knownVisitors: 0 });
  });

  it('names bad fields and unknown ids', async () => {
    expect(paths((await server.api('POST', '/pages', { name: '', title: 'x', extra: 1 })).body)).toEqual(['name', 'extra']);
    const unknownForm = await server.api('POST', '/pages', { name: 'x', title: 'x', formId: 'ghost' });
    expect(unknownForm.status).toBe(400);
    expect(paths(unknownForm.body)).toEqual(['formId']);
    expect((await server.api('GET', '/pages/ghost')).status).toBe(404);
    expect((await server.api('POST', '/pages/ghost/publish')).status).toBe(404);
    const text = await server.api('POST', '/pages', { name: 'Text only', title: 'Hello' });
    expect(text.status).toBe(201);
    expect((await server.api('PATCH', `/pages/${text.body.id}`, { body: 'Line one\nline two' })).body.body).toBe('Line one\nline two');
  });
});

describe('lead-scoring models API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await server.api('POST', '/attributes', { entity: 'contact', name: 'industry', type: 'string' });
  });
  afterAll(() => server.close());

  it('creates, changes and publishes a model, naming bad rules', async () => {
    const model = await server.api('POST', '/scoring-models', {
      name: 'Fit and interest',
      rules: [
        { event: 'email_clicked', within: 'P30D', points: 10 },
        { attribute: 'industry', op: 'eq', value: 'software', points: 25 },
        { attribute: 'leadScore', op: 'exists', points: 0 },
      ],
      salesReadyThreshold: 50,
    });
    expect(model.status).toBe(201);
    expect(model.body).toMatchObject({ name: 'Fit and interest', status: 'draft', version: 1, salesReadyThreshold: 50, salesReadyLeads: 0 });
    const changed = await server.api('PATCH', `/scoring-models/${model.body.id}`, { salesReadyThreshold: 60, decay: { halfLife: 'P14D' } });
    expect(changed.body).toMatchObject({ version: 2, salesReadyThreshold: 60, decay: { halfLife: 'P14D' }, rules: model.body.rules });
    expect((await server.api('POST', `/scoring-models/${model.body.id}/publish`)).body).toEqual({ status: 'live' });
    expect((await server.api('GET', `/scoring-models/${model.body.id}`)).body.status).toBe('live');
    expect((await server.api('GET', '/scoring-models')).body.items).toHaveLength(1);

    const bad = await server.api('POST', '/scoring-models', {
      name: 'Bad',
      rules: [{ event: 'x', points: 2.5 }, { attribute: 'ghost', op: 'eq', value: 1, points: 5 }, { attribute: 'industry', op: 'in', value: 'software', points: 5 }],
      salesReadyThreshold: 0,
      decay: { halfLife: 'soon' },
    });
    expect(bad.status).toBe(400);
    expect(paths(bad.body).sort()).toEqual(['decay.halfLife', 'rules.0', 'rules.2.value', 'salesReadyThreshold']);
    const unknown = await server.api('POST', '/scoring-models', { name: 'Unknown', rules: [{ attribute: 'ghost', op: 'eq', value: 1, points: 5 }], salesReadyThreshold: 10 });
    expect(unknown.status).toBe(400);
    expect(paths(unknown.body)).toEqual(['rules.0.attribute']);
    expect((await server.api('PATCH', '/scoring-models/ghost', { name: 'x' })).status).toBe(404);
  });
});
