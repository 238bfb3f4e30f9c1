import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);
const FIELDS = [
  { name: 'email', label: 'Email', type: 'email', required: true },
  { name: 'firstName', label: 'First name', type: 'text' },
  { name: 'interest', type: 'select', options: ['Product', 'Pricing'] },
  { name: 'agree', type: 'checkbox' },
];

describe('forms API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('creates a draft form, lists it, and publishes it', async () => {
    const list = await server.api('POST', '/subscription-lists', { name: 'Webinar' });
    const created = await server.api('POST', '/forms', { name: 'Webinar sign-up', fields: FIELDS, subscriptionListId: list.body.id });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'Webinar sign-up',
      fields: FIELDS,
      subscriptionListId: list.body.id,
      thankYouMessage: null,
      redirectUrl: null,
      status: 'draft',
      createdAt: expect.any(String),
    });
    expect((await server.api('GET', `/forms/${created.body.id}`)).body).toEqual(created.body);
    expect((await server.api('GET', '/forms?status=draft')).body.items.map((f: { id: string }) => f.id)).toContain(created.body.id);

    const edited = await server.api('PATCH', `/forms/${created.body.id}`, { name: 'Webinar registration' });
    expect(edited.status).toBe(200);
    expect(edited.body.name).toBe('Webinar registration');

    const published = await server.api('POST', `/forms/${created.body.id}/publish`);
    expect(published.status).toBe(200);
    expect(published.body).toEqual({ status: 'live' });
    expect((await server.api('GET', `/forms/${created.body.id}`)).body.status).toBe('live');
    expect((await server.api('PATCH', `/forms/${created.body.id}`, { name: 'x' })).status).toBe(409);
    expect((await server.api('POST', '/forms/nope/publish')).status).toBe(404);
  });

  it('needs exactly one email field, unique names, options on selects, and a known list', async () => {
    const noEmail = await server.api('POST', '/forms', { name: 'x', fields: [{ name: 'firstName', type: 'text' }] });
    expect(noEmail.status).toBe(400);
    expect(paths(noEmail.body)).toEqual(['fields']);
    const twoEmails = await server.api('POST', '/forms', { name: 'x', fields: [{ name: 'a', type: 'email' }, { name: 'b', type: 'email' }] });
    expect(paths(twoEmails.body)).toEqual(['fields']);
    const duplicate = await server.api('POST', '/forms', { name: 'x', fields: [{ name: 'email', type: 'email' }, { name: 'city', type: 'text' }, { name: 'city', type: 'select', options: ['A'] }] });
    expect(paths(duplicate.body)).toEqual(['fields.2.name']);
    const select = await server.api('POST', '/forms', { name: 'x', fields: [{ name: 'email', type: 'email' }, { name: 'pick', type: 'select' }, { name: 'bad', type: 'date' }] });
    expect(paths(select.body).sort()).toEqual(['fields.1.options', 'fields.2.type']);
    const list = await server.api('POST', '/forms', { name: 'x', fields: [{ name: 'email', type: 'email' }], subscriptionListId: 'ghost' });
    expect(list.status).toBe(400);
    expect(paths(list.body)).toEqual(['subscriptionListId']);
    expect((await server.api('GET', '/forms')).body.items.map((f: { name: string }) => f.name)).not.toContain('x');
  });
});
