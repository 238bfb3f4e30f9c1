import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('workflows API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('creates a workflow without ever echoing its secret, and lists it', async () => {
    const created = await server.api('POST', '/workflows', { name: 'CRM sync', url: 'https://crm.example.com/hook', secret: 'shh-very-secret' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), name: 'CRM sync' });
    expect(JSON.stringify(created.body)).not.toContain('shh-very-secret');
    const list = await server.api('GET', '/workflows?limit=10');
    expect(list.body.items.map((w: { id: string }) => w.id)).toContain(created.body.id);
  });

  it('answers 401 without a key, and 400 naming the field for a bad url', async () => {
    expect((await server.api('GET', '/workflows', undefined, { key: null })).status).toBe(401);
    const bad = await server.api('POST', '/workflows', { name: 'x', url: 'ftp://nope', secret: 'longenough' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'url' })]);
  });

  it('answers 400 for malformed JSON and 404 for an unknown id', async () => {
    const malformed = await server.api('POST', '/workflows', '{"name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].path).toBe('body');
    expect((await server.api('GET', '/workflows/nope')).status).toBe(404);
  });
});
