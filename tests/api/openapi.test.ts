import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * The API routes fastify's own router holds, read from `printRoutes` (independent of the onRoute
 * hook the document is built from), as `METHOD /path` with `{param}`s, HEAD left out.
 */
function routerRoutes(tree: string, prefix = '/api/v1'): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (depth > 0 ? stack[depth - 1]! : '') + match[2]!;
    stack[depth] = path;
    stack.length = depth + 1;
    if (!match[3] || !path.startsWith(`${prefix}/`)) continue;
    for (const method of match[3].split(',').map((m) => m.trim())) {
      if (method !== 'HEAD') routes.push(`${method} ${path.slice(prefix.length).replace(/:([A-Za-z_]\w*)/g, '{$1}')}`);
    }
  }
  return routes.sort();
}

/** Every `$ref` in `value`, with where it sits. */
function refs(value: unknown, at = '#', out: { at: string; ref: string }[] = []): { at: string; ref: string }[] {
  if (Array.isArray(value)) value.forEach((item, i) => refs(item, `${at}/${i}`, out));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') out.push({ at, ref: item });
      else refs(item, `${at}/${key}`, out);
    }
  }
  return out;
}

const pointer = (doc: unknown, ref: string): any =>
  ref
    .replace(/^#\//, '')
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<any>((node, key) => (node === undefined ? undefined : node[key]), doc);

describe('OpenAPI document', () => {
  let server: TestServer;
  let doc: any;
  beforeAll(async () => {
    server = await startTestServer();
    const response = await server.api('GET', '/openapi.json', undefined, { key: null });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    doc = response.body;
  });
  afterAll(() => server.close());

  const operations = () =>
    Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => ({ method, path, op: item[method] })),
    );

  it('is an OpenAPI 3.1 document served without an API key', async () => {
    expect(typeof doc).toBe('object');
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.servers).toEqual([{ url: '/api/v1' }]);
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(doc.security).toEqual([{ bearer: [] }, { session: [] }]);
    expect(doc.paths['/openapi.json'].get.security).toEqual([]);
    // A query string does not make it private, and the key is really not needed.
    expect((await server.api('GET', '/openapi.json?pretty=1', undefined, { key: null })).status).toBe(200);
  });

  it('describes exactly the routes the server registered', () => {
    const documented = operations()
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`)
      .sort();
    const registered = routerRoutes(server.runtime.app.printRoutes({ commonPrefix: false }));
    expect(registered.length).toBeGreaterThan(40);
    expect(documented).toEqual(registered);
    for (const known of ['POST /journeys/{id}/go-live', 'POST /contacts/batch', 'POST /admin/drain', 'GET /journeys/{id}/contacts/{contactId}', 'PUT /journeys/{id}', 'GET /openapi.json']) {
      expect(documented).toContain(known);
    }
    // fastify agrees that each documented route exists, in its own (`:param`) spelling.
    for (const { method, path } of operations()) {
      expect(server.runtime.app.hasRoute({ method: method.toUpperCase() as 'GET', url: `/api/v1${path.replace(/\{(\w+)\}/g, ':$1')}` }), `${method} ${path}`).toBe(true);
    }
  });

  it('declares every path parameter, standard problem responses and unique operation ids', () => {
    const ids = new Set<string>();
    for (const { method, path, op } of operations()) {
      const where = `${method} ${path}`;
      expect(ids.has(op.operationId), where).toBe(false);
      ids.add(op.operationId);
      const declared = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name);
      expect(declared, where).toEqual([...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
      const statuses = Object.keys(op.responses);
      // A success, or the redirect of a single sign-on step.
      expect(statuses.some((s) => /^[23]\d\d$/.test(s)), where).toBe(true);
      if (path !== '/openapi.json') {
        const isPublic = Array.isArray(op.security) && op.security.length === 0;
        expect(statuses, where).toEqual(expect.arrayContaining(isPublic ? ['400'] : ['400', '401', '403']));
        expect(pointer(doc, op.responses['400'].$ref).content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
      }
      if (path.includes('{')) expect(statuses, where).toContain('404');
      if (method !== 'get') expect(statuses, where).toEqual(expect.arrayContaining(['409', '422']));
    }
    expect(doc.paths['/journeys'].post.responses['201']).toBeDefined();
    expect(doc.paths['/journeys/{id}'].delete.responses['204']).toBeDefined();
    expect(doc.paths['/events'].post.responses['202']).toBeDefined();
    expect(doc.paths['/journeys/{id}/go-live'].post.responses['200']).toBeDefined();
  });

  it('has the Problem, list envelope and paging components', () => {
    const { Problem, FieldError, ListEnvelope } = doc.components.schemas;
    expect(Problem.required).toEqual(['type', 'title', 'status']);
    expect(Object.keys(Problem.properties)).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'errors']));
    expect(Problem.properties.errors.items).toEqual({ $ref: '#/components/schemas/FieldError' });
    expect(FieldError.required).toEqual(['path', 'message']);
    expect(ListEnvelope.required).toEqual(['items', 'nextCursor']);
    for (const status of ['400', '401', '403', '404', '409', '422']) {
      const ref = { BadRequest: '400', Unauthorized: '401', Forbidden: '403', NotFound: '404', Conflict: '409', UnprocessableContent: '422' };
      const name = Object.entries(ref).find(([, s]) => s === status)![0];
      expect(doc.components.responses[name].content['application/problem+json'], status).toBeDefined();
    }
    const list = doc.paths['/contacts'].get;
    expect(list.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ListEnvelope' });
    expect(list.parameters.map((p: any) => p.name)).toEqual(['cursor', 'limit']);
    expect(list.parameters[1].schema).toMatchObject({ minimum: 1, maximum: 1000 });
  });

  it('gives the main create bodies as JSON Schemas converted from the zod schemas, every $ref resolving', () => {
    const body = (method: string, path: string) => {
      const schema = doc.paths[path]?.[method]?.requestBody?.content['application/json'].schema;
      expect(schema, `${method} ${path}`).toBeDefined();
      return schema.$ref ? pointer(doc, schema.$ref) : schema;
    };
    // A whole definition, or {templateId, name}.
    const create = body('post', '/journeys');
    expect(create.anyOf).toHaveLength(2);
    const [journey, fromTemplate] = create.anyOf.map((option: any) => pointer(doc, option.$ref));
    expect(fromTemplate.required).toEqual(expect.arrayContaining(['templateId', 'name']));
    expect(journey.type).toBe('object');
    expect(journey.properties.tiles.type).toBe('array');
    expect(journey.required).toEqual(expect.arrayContaining(['name', 'startAt', 'endAt', 'timeZone', 'tiles']));
    // Fields with a default are optional for the caller.
    expect(journey.required).not.toContain('target');
    const tileTypes = journey.properties.tiles.items.oneOf.map((tile: any) => tile.properties.type.const);
    expect(tileTypes).toEqual(expect.arrayContaining(['segmentGroup', 'email', 'scheduler', 'trigger', 'splitter', 'condition', 'activity', 'launchWorkflow', 'createLead', 'formSubmitted']));
    expect(body('put', '/journeys/{id}')).toBe(journey);

    expect(body('post', '/contacts').required).toEqual(['email']);
    expect(body('post', '/contacts').additionalProperties).toBe(false);
    expect(body('post', '/contacts/batch').properties.contacts.maxItems).toBe(10_000);
    expect(body('post', '/users').properties.role.enum).toEqual(['admin', 'marketer', 'viewer']);
    expect(body('post', '/segments').oneOf).toHaveLength(2);
    expect(pointer(doc, '#/components/schemas/SegmentQuery').anyOf.length).toBeGreaterThan(5);
    for (const path of ['/business-units', '/users', '/api-keys', '/accounts', '/segments', '/subscription-lists', '/content-settings', '/emails', '/forms', '/workflows', '/events', '/attributes']) {
      body('post', path);
    }
    for (const path of ['/contacts/{id}', '/accounts/{id}', '/segments/{id}', '/emails/{id}', '/forms/{id}', '/content-settings/{id}', '/journeys/{id}']) body('patch', path);

    const dangling = refs(doc).filter(({ ref }) => !ref.startsWith('#/') || pointer(doc, ref) === undefined);
    expect(dangling).toEqual([]);
    // Schemas sit in the document's context: no per-schema dialect, id or local $defs.
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, any>)) {
      expect([name, schema.$schema ?? schema.$id ?? schema.$defs]).toEqual([name, undefined]);
    }
  });
});
