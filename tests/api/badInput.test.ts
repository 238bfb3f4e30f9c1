/**
 * Bad input on every route of the API. The routes come from the OpenAPI document, so a new route
 * is covered the moment it is registered: malformed and non-object bodies, values of the wrong JSON
 * type for each property of the body schema, unknown and hostile ids in every path parameter,
 * oversized bodies, absurd paging parameters and missing keys. Whatever the input, the answer is
 * never a 5xx, every 4xx is an RFC 9457 problem, and no database error text ever leaks out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestServer, type ApiResponse, type TestServer } from '../support/testServer.ts';

type Json = any;

interface Operation {
  method: string;
  /** OpenAPI path, e.g. `/journeys/{id}`. */
  path: string;
  op: Json;
}

interface Case {
  what: string;
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  key?: string | null;
  /** Problems with the answer, beyond the checks every answer gets; empty when it is right. */
  expect?: (response: ApiResponse) => string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const DB_ERROR_TEXT = /syntax error|violates|relation|column|pg_|invalid input syntax|duplicate key|constraint|sqlstate|postgres|pglite/i;
const HOSTILE_IDS = ['does-not-exist', "' or 1=1 --", '%00', '../../etc/passwd', 'openapi.json', '1e400', '-1', '😀', 'a'.repeat(1000)];
/** Ids no route can take: a NUL, and more characters than any id (or the router) allows. */
const INVALID_IDS = ['\u0000', 'x'.repeat(5000)];
/** Path segments put into the URL as they are: malformed percent-encoding. */
const RAW_SEGMENTS = ['%E0%A4%A', '%zz', '%'];
const GROUP = 12;
const OVERSIZED_GROUP = 4;

const paths = (body: Json): string[] => (Array.isArray(body?.errors) ? body.errors.map((e: Json) => e?.path) : []);
const names = (path: string, property: string) => path === property || path.startsWith(`${property}.`);

/** What every answer must be, whatever was asked. */
function baseProblems(response: ApiResponse): string[] {
  const problems: string[] = [];
  if (response.status >= 500) problems.push(`answered ${response.status}`);
  if (response.status >= 400) {
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('application/problem+json')) problems.push(`content-type ${type}`);
    const body = response.body;
    if (!body || typeof body !== 'object' || typeof body.type !== 'string' || typeof body.title !== 'string' || body.status !== response.status) {
      problems.push(`not a problem: ${JSON.stringify(body)?.slice(0, 200)}`);
    }
    if (response.status === 400 && !(paths(body).length > 0 && paths(body).every((p) => typeof p === 'string' && p.length > 0))) {
      problems.push(`a 400 without errors[].path: ${JSON.stringify(body)?.slice(0, 200)}`);
    }
  }
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
  if (response.status >= 400 && DB_ERROR_TEXT.test(text)) problems.push(`database error text: ${text.slice(0, 300)}`);
  return problems;
}

const status =
  (...allowed: number[]) =>
  (response: ApiResponse) =>
    allowed.includes(response.status) ? [] : [`expected ${allowed.join(' or ')}, got ${response.status} ${JSON.stringify(response.body)?.slice(0, 300)}`];

/** A 400 whose errors name `property` (every one of them when `only`). */
const namesProperty =
  (property: string, only: boolean) =>
  (response: ApiResponse): string[] => {
    if (response.status !== 400) return [`expected 400 naming ${property}, got ${response.status} ${JSON.stringify(response.body)?.slice(0, 300)}`];
    const given = paths(response.body);
    const ok = only ? given.every((p) => names(p, property)) : given.some((p) => names(p, property));
    return ok ? [] : [`errors should name ${property}${only ? ' only' : ''}: ${JSON.stringify(response.body.errors).slice(0, 300)}`];
  };

describe('bad input on every API route', () => {
  let server: TestServer;
  let doc: Json;
  let operations: Operation[];
  /** A real record for each kind of path parameter, so the "valid id, bad body" paths run too. */
  const realIds: Record<string, string> = {};
  /** A valid body for each operation that takes one, as `METHOD /path`. */
  let samples: Record<string, unknown>;

  const resolve = (schema: Json): Json => {
    let node = schema;
    for (let hops = 0; node?.$ref && hops < 20; hops += 1) {
      node = (node.$ref as string)
        .replace(/^#\//, '')
        .split('/')
        .reduce((at: Json, key: string) => at?.[key], doc);
    }
    return node;
  };

  /** The object schemas a body may be: one, or the alternatives of a union. */
  const alternatives = (schema: Json): Json[] => {
    const node = resolve(schema);
    if (!node) return [];
    const options = node.oneOf ?? node.anyOf;
    if (options) return options.flatMap(alternatives);
    return node.type === 'object' || node.properties ? [node] : [];
  };

  /** The JSON types a schema allows, or null when it allows anything. */
  const jsonTypes = (schema: Json): Set<string> | null => {
    const node = resolve(schema);
    if (!node || typeof node !== 'object') return null;
    const options = node.oneOf ?? node.anyOf;
    if (options) {
      const all = new Set<string>();
      for (const option of options) {
        const types = jsonTypes(option);
        if (!types) return null;
        types.forEach((t) => all.add(t));
      }
      return all;
    }
    const typeOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
    if ('const' in node) return new Set([typeOf(node.const)]);
    if (node.enum) return new Set(node.enum.map(typeOf));
    if (node.type) return new Set([node.type].flat().flatMap((t: string) => (t === 'integer' ? ['integer', 'number'] : [t])));
    if (node.properties || node.additionalProperties) return new Set(['object']);
    if (node.items) return new Set(['array']);
    return null;
  };

  /** A value of a JSON type the schema does not allow: a number where a string goes, and so on. */
  const wrongValue = (schema: Json): { value: unknown } | null => {
    const types = jsonTypes(schema);
    if (!types) return null;
    const candidates: [unknown, string][] = [
      [123, 'number'],
      ['not the right type', 'string'],
      [true, 'boolean'],
      [{ nested: 'object' }, 'object'],
      [['an', 'array'], 'array'],
    ];
    const found = candidates.find(([, type]) => !types.has(type));
    return found ? { value: found[0] } : null;
  };

  const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
  const params = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const realId = (path: string, param: string) => realIds[param] ?? (param === 'id' ? realIds[path.split('/')[1]!] : undefined) ?? 'does-not-exist';
  /** The path with real ids, except `override` for one parameter. */
  const url = (path: string, override?: { param: string; id: string }) =>
    path.replace(/\{(\w+)\}/g, (_, param: string) => encodeURIComponent(override?.param === param ? override.id : realId(path, param)));
  const bodySchema = (op: Json) => op.requestBody?.content?.['application/json']?.schema;

  /** Runs the cases in modest concurrent groups; answers every problem found, named by its case. */
  async function run(cases: Case[], group = GROUP): Promise<string[]> {
    const failures: string[] = [];
    for (let start = 0; start < cases.length; start += group) {
      await Promise.all(
        cases.slice(start, start + group).map(async (c) => {
          let response: ApiResponse;
          try {
            // Upper case: fetch normalises every method but PATCH, which the HTTP parser refuses in lower case.
            response = await server.api(c.method.toUpperCase(), c.url, c.body, { key: c.key, headers: c.headers });
          } catch (error) {
            failures.push(`${c.method} ${c.url.slice(0, 120)} (${c.what}): request failed: ${String(error)}`);
            return;
          }
          for (const problem of [...baseProblems(response), ...(c.expect?.(response) ?? [])]) {
            failures.push(`${c.method} ${c.url.slice(0, 120)} (${c.what}): ${problem}`);
          }
        }),
      );
    }
    return failures;
  }

  const post = async (path: string, body: unknown, expected = 201) => {
    const response = await server.api('POST', path, body);
    expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(expected);
    return response.body;
  };

  beforeAll(async () => {
    server = await startTestServer();
    const response = await server.api('GET', '/openapi.json', undefined, { key: null });
    expect(response.status).toBe(200);
    doc = response.body;
    operations = Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => ({ method, path, op: item[method] })),
    );

    // One real record of each kind.
    const unit = await post('/business-units', { name: 'Bad Input Unit' });
    const user = await post('/users', { name: 'Bad Input User', email: 'bad.input.user@example.com', businessUnitId: unit.id, role: 'marketer', level: 'businessUnit' });
    const apiKey = await post('/api-keys', { userId: user.id });
    const account = await post('/accounts', { name: 'Bad Input Account' });
    const contact = await post('/contacts', { email: 'bad.input@example.com', firstName: 'Real', accountId: account.id, consent: 'marketing' });
    const staticSegment = await post('/segments', { name: 'Static', kind: 'static' });
    const list = await post('/subscription-lists', { name: 'Newsletter' });
    const settings = await post('/content-settings', { name: 'Default', postalAddress: '1 Main Street' });
    const email = await post('/emails', { name: 'Welcome', subject: 'Hi', html: '<p>{{ content.postalAddress }} {{ content.subscriptionCenterUrl }}</p>' });
    const form = await post('/forms', { name: 'Sign up', fields: [{ name: 'email', type: 'email' }] });
    const workflow = await post('/workflows', { name: 'CRM', url: 'https://crm.example.com/hook', secret: 'long-enough-secret' });
    await post('/attributes', { entity: 'contact', name: 'tier', type: 'string' });
    await post('/events', { contactId: contact.id, type: 'visited' }, 202);
    const journeyBody = {
      name: 'Bad input journey',
      startAt: '2026-02-01T00:00:00Z',
      endAt: '2026-12-31T00:00:00Z',
      timeZone: 'UTC',
      tiles: [
        { id: 'entry', type: 'segmentGroup', segments: [{ source: 'segment', segmentId: staticSegment.id, mode: 'include' }], next: 'mail' },
        { id: 'mail', type: 'email', emailId: email.id, next: null },
      ],
    };
    const journey = await post('/journeys', journeyBody);
    Object.assign(realIds, {
      'business-units': unit.id,
      users: user.id,
      'api-keys': apiKey.id,
      accounts: account.id,
      contacts: contact.id,
      contactId: contact.id,
      segments: staticSegment.id,
      'subscription-lists': list.id,
      'content-settings': settings.id,
      emails: email.id,
      forms: form.id,
      workflows: workflow.id,
      journeys: journey.id,
    });

    samples = {
      'POST /business-units': { name: 'Another unit' },
      'POST /users': { name: 'Another', email: 'another@example.com', businessUnitId: unit.id, role: 'viewer', level: 'businessUnit' },
      'POST /api-keys': { userId: user.id },
      'POST /attributes': { entity: 'account', name: 'size', type: 'number' },
      'POST /accounts': { name: 'Another account' },
      'POST /contacts': { email: 'another@example.com' },
      'POST /contacts/batch': { contacts: [{ email: 'batch@example.com' }] },
      'POST /segments': { name: 'Dynamic', kind: 'dynamic', query: { attribute: 'email', op: 'exists' } },
      'POST /segments/preview': { query: { attribute: 'email', op: 'exists' } },
      'POST /segments/{id}/members': { add: [] },
      'POST /subscription-lists': { name: 'Another list' },
      'POST /subscription-lists/{id}/members': { add: [] },
      'POST /content-settings': { name: 'Other', postalAddress: '2 Side Street' },
      'POST /emails': { name: 'Other', subject: 'Hello', html: '<p>Hello</p>' },
      'POST /forms': { name: 'Other', fields: [{ name: 'email', type: 'email' }] },
      'POST /workflows': { name: 'Other', url: 'https://example.com/hook', secret: 'long-enough-secret' },
      'POST /events': { contactId: contact.id, type: 'visited' },
      'POST /journeys': journeyBody,
      'PUT /journeys/{id}': journeyBody,
      'PUT /journeys/{id}/draft': journeyBody,
      'PUT /emails/{id}/draft': { name: 'Other', subject: 'Hello', html: '<p>Hello</p>' },
      'PATCH /journeys/{id}': { description: 'still a draft' },
      'POST /admin/clock': { advance: 'PT1S' },
    };
    // Records of kinds made elsewhere (templates, and whatever comes next): the first of their list, if any.
    for (const { method, path } of operations) {
      const collection = path.split('/')[1]!;
      if (method !== 'get' || path !== `/${collection}` || realIds[collection]) continue;
      const list = await server.api('GET', path);
      const first = list.body?.items?.[0]?.id;
      if (typeof first === 'string') realIds[collection] = first;
    }
    // Every PATCH may name nothing at all.
    for (const { method, path, op } of operations) if (method === 'patch' && bodySchema(op)) samples[key(method, path)] ??= {};
  });
  afterAll(() => server.close());

  const withBody = () => operations.filter(({ op }) => bodySchema(op));
  const writes = () => operations.filter(({ method }) => method === 'post' || method === 'put' || method === 'patch');
  const secured = () => operations.filter(({ op }) => !Array.isArray(op.security) || op.security.length > 0);

  it('has routes to try, each with a real id and, when it takes a body, a body schema', () => {
    expect(operations.length).toBeGreaterThan(40);
    expect(withBody().length).toBeGreaterThan(25);
    for (const { method, path } of withBody()) {
      expect(alternatives(bodySchema(doc.paths[path][method])).length, `${method} ${path}`).toBeGreaterThan(0);
    }
  });

  it('answers 401 without a valid key on every route but the OpenAPI document', async () => {
    const cases = secured().flatMap(({ method, path }): Case[] =>
      [null, 'wm_not_a_real_key', `${ADMIN_KEY} extra`].map((key) => ({
        what: `key ${String(key)}`,
        method,
        url: url(path.replace(/\{(\w+)\}/g, 'does-not-exist')),
        body: method === 'get' || method === 'delete' ? undefined : {},
        key,
        expect: status(401),
      })),
    );
    expect(await run(cases)).toEqual([]);
  });

  it('answers 400 naming the body for malformed JSON, and 415 for a body that is not JSON', async () => {
    const cases = writes().flatMap(({ method, path }): Case[] => [
      ...['{"name": ', '{name: "x"}', "{'a': 1}", '{"a": 1,}', '[1, 2', '\u0000', '{"a": "\\u0000"}'].map((text) => ({
        what: `malformed ${JSON.stringify(text)}`,
        method,
        url: url(path),
        body: text,
        expect: (response: ApiResponse) => [...status(400)(response), ...(paths(response.body).length > 0 && paths(response.body)[0] !== '' ? [] : ['no errors path'])],
      })),
      { what: 'application/xml', method, url: url(path), body: '<name>x</name>', headers: { 'content-type': 'application/xml' }, expect: status(415) },
    ]);
    expect(await run(cases)).toEqual([]);
  });

  it('answers 400 naming the body for a JSON array, string, number or null instead of an object', async () => {
    const cases = withBody().flatMap(({ method, path }): Case[] => [
      ...['[]', '[{"name": "x"}]', '"a string"', '42', 'true', 'null'].map((text) => ({
        what: `body ${text}`,
        method,
        url: url(path),
        body: text,
        expect: namesProperty('body', true),
      })),
      // fastify reads text/plain as a string: not an object either (only routes that need a body get it).
      { what: 'text/plain', method, url: url(path), body: 'name=x', headers: { 'content-type': 'text/plain' }, expect: status(400, 415) },
    ]);
    expect(await run(cases)).toEqual([]);
  });

  it('answers 400 naming the property for a value of the wrong JSON type, in each property of each body', async () => {
    const cases: Case[] = [];
    for (const { method, path, op } of withBody()) {
      const sample = samples[key(method, path)] as Record<string, unknown> | undefined;
      const options = alternatives(bodySchema(op));
      // The alternative the sample is (by its constants, e.g. kind: "dynamic"), else the first.
      const matches = (option: Json) =>
        Object.entries(option.properties ?? {}).every(([name, schema]) => {
          const constant = resolve(schema)?.const;
          return constant === undefined || sample?.[name] === constant;
        });
      const option = options.find(matches) ?? options[0]!;
      const constants = Object.fromEntries(
        Object.entries(option.properties ?? {})
          .map(([name, schema]) => [name, resolve(schema)?.const] as const)
          .filter(([, value]) => value !== undefined),
      );
      const base = sample ?? constants;
      for (const [property, schema] of Object.entries(option.properties ?? {})) {
        const wrong = wrongValue(schema);
        if (!wrong) continue;
        cases.push({
          what: `${property}: ${JSON.stringify(wrong.value)}`,
          method,
          url: url(path),
          body: { ...base, [property]: wrong.value },
          // With a valid sample around it, the broken property is the only thing wrong.
          expect: namesProperty(property, sample !== undefined),
        });
      }
    }
    expect(cases.length).toBeGreaterThan(100);
    expect(await run(cases)).toEqual([]);
  });

  it('answers 400 naming an unknown field in the body of every create and update (strict input)', async () => {
    const cases = withBody().map(({ method, path }): Case => {
      const sample = samples[key(method, path)];
      return {
        what: 'unknown field',
        method,
        url: url(path),
        // A valid body but for one field the resource does not have (a misspelling, say).
        body: { ...(typeof sample === 'object' && sample !== null ? sample : {}), supressionSegmentId: 'x' },
        // Without a valid sample, other fields may be missing too: the unknown one must be among them.
        expect: namesProperty('supressionSegmentId', sample !== undefined),
      };
    });
    expect(cases.length).toBeGreaterThan(25);
    expect(await run(cases)).toEqual([]);
  });

  it('answers 404 for an unknown id in every path parameter, and 400 naming it when the id cannot be one', async () => {
    const cases: Case[] = [];
    for (const { method, path, op } of operations) {
      const body = bodySchema(op) ? (samples[key(method, path)] ?? {}) : undefined;
      for (const param of params(path)) {
        for (const id of HOSTILE_IDS) {
          cases.push({
            what: `${param}=${JSON.stringify(id.slice(0, 20))}`,
            method,
            url: url(path, { param, id }),
            body,
            // 404, or a 400 that is about this very id (e.g. a numeric id given text).
            expect: (response) => (response.status === 400 ? namesProperty(param, true)(response) : status(404)(response)),
          });
        }
        for (const id of INVALID_IDS) {
          cases.push({ what: `${param}=${JSON.stringify(id.slice(0, 20))}`, method, url: url(path, { param, id }), body, expect: status(400, 404, 414) });
        }
        for (const segment of RAW_SEGMENTS) {
          const raw = url(path, { param, id: 'RAW' }).replace('RAW', segment);
          cases.push({ what: `${param}=${segment} (raw)`, method, url: raw, body, expect: status(400, 404) });
        }
      }
    }
    expect(cases.length).toBeGreaterThan(200);
    expect(await run(cases)).toEqual([]);
  });

  it('answers 413 for a body over 16 MiB on every route that takes one', async () => {
    const huge = `{"name": "${'x'.repeat(16 * 1024 * 1024)}"}`;
    const cases = writes().map(({ method, path }): Case => ({ what: 'oversized', method, url: url(path), body: huge, expect: status(413) }));
    expect(await run(cases, OVERSIZED_GROUP)).toEqual([]);
  });

  it('answers 400 naming limit or cursor for absurd paging, on every list', async () => {
    const garbage = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
    const absurd: [string, string][] = [
      ['limit=-1', 'limit'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=1e309', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['cursor=garbage', 'cursor'],
      [`cursor=${'c'.repeat(600)}`, 'cursor'],
      [`cursor=${garbage({ at: 'yesterday', id: 'x' })}`, 'cursor'],
      [`cursor=${garbage({ at: 1_780_000_000_000_000, id: 42 })}`, 'cursor'],
      [`cursor=${garbage({ at: '2026-01-01 00:00:00+00', id: 'x' })}`, 'cursor'],
      [`cursor=${garbage({ at: 1_780_000_000_000_000, id: 'x' })}`, ''],
      [`cursor=${garbage({ at: 1_780_000_000_000_000, id: 'x\u0000' })}`, 'cursor'],
      [`cursor=${garbage('[1,2]')}`, 'cursor'],
      [`cursor=${garbage('null')}`, 'cursor'],
    ];
    const cases: Case[] = [];
    for (const { method, path, op } of operations) {
      if (method !== 'get') continue;
      const paged = (op.parameters ?? []).some((p: Json) => p.in === 'query' && p.name === 'limit');
      for (const [query, field] of absurd) {
        // A well-formed cursor of no row is simply a page after it (field ''): any 2xx.
        const expected = !paged ? undefined : field ? namesProperty(field, true) : status(200);
        cases.push({ what: query.slice(0, 60), method, url: `${url(path)}?${query}`, expect: expected });
      }
      // Filters of every list, with values no filter expects.
      cases.push({
        what: 'hostile filters',
        method,
        url: `${url(path)}?q=${encodeURIComponent("' or 1=1 --")}&status=${encodeURIComponent('live; drop table journeys')}&kind=%25&entity=x&accountId=x&contactId=x&journeyId=x&userId=x&businessUnitId=x&category=x`,
      });
      cases.push({ what: 'NUL filter', method, url: `${url(path)}?q=%00`, expect: status(400, 404) });
      cases.push({ what: 'repeated filter', method, url: `${url(path)}?q=a&q=b&status=live&status=draft` });
    }
    expect(await run(cases)).toEqual([]);
  });

  it('answers 400 naming cursor for a forged cursor whose time PostgreSQL cannot read', async () => {
    // Shaped like the cursors the API hands out, but no instant PostgreSQL can hold.
    const forged = [1e300, -1e17, 2 ** 63, 1.5, '2026-02-30 10:00:00+00', Number.MAX_SAFE_INTEGER + 2].map((at) =>
      Buffer.from(JSON.stringify({ at, id: 'x' })).toString('base64url'),
    );
    const cases: Case[] = [];
    for (const { path, op } of operations.filter(({ method }) => method === 'get')) {
      if (!(op.parameters ?? []).some((p: Json) => p.in === 'query' && p.name === 'limit')) continue;
      for (const cursor of forged) cases.push({ what: `forged cursor ${cursor}`, method: 'get', url: `${url(path)}?cursor=${cursor}`, expect: namesProperty('cursor', true) });
    }
    expect(cases.length).toBeGreaterThan(50);
    expect(await run(cases)).toEqual([]);
  });

  it('refuses a half-valid contact batch whole: 10 good rows and 1 bad one write nothing', async () => {
    const count = async () => (await server.database.db.query<{ n: number }>('select count(*)::int as n from contacts'))[0]!.n;
    const before = await count();
    const rows: unknown[] = Array.from({ length: 10 }, (_, i) => ({ email: `half.valid.${i}@example.com`, firstName: `Row ${i}` }));
    for (const bad of [{ email: 'half.valid.x@example.com', firstName: 42 }, { email: 'not an email' }, { email: 'half.valid.y@example.com', accountId: 'does-not-exist' }, 'a string row']) {
      const response = await server.api('POST', '/contacts/batch', { contacts: [...rows, bad] });
      expect(baseProblems(response)).toEqual([]);
      expect(response.status).toBe(400);
      expect(paths(response.body).every((p) => p.startsWith('contacts.10'))).toBe(true);
      expect(await count()).toBe(before);
    }
  });

  it('refuses a journey PUT with one bad tile and leaves the stored journey as it was', async () => {
    const id = realIds.journeys!;
    const before = await server.api('GET', `/journeys/${id}`);
    expect(before.status).toBe(200);
    const tiles = [...before.body.tiles, { id: 'wait', type: 'scheduler', wait: { for: 'three days' }, next: null }];
    const renamed = { ...before.body, name: 'Renamed by a bad PUT', tiles };
    for (const field of ['id', 'status', 'ownerUserId', 'businessUnitId', 'currentIteration', 'version', 'createdAt', 'updatedAt']) delete renamed[field];
    const refused = await server.api('PUT', `/journeys/${id}`, renamed);
    expect(baseProblems(refused)).toEqual([]);
    expect(refused.status).toBe(400);
    expect(paths(refused.body).length).toBeGreaterThan(0);
    expect(paths(refused.body).every((p) => p.startsWith('tiles.2.wait'))).toBe(true);
    for (const bad of [{ id: 'x', type: 'teleport', next: null }, { id: 'mail', type: 'email', emailId: 7, next: null }, 'not a tile', null]) {
      const response = await server.api('PUT', `/journeys/${id}`, { ...renamed, tiles: [...before.body.tiles, bad] });
      expect(response.status).toBe(400);
      expect(paths(response.body).every((p) => p.startsWith('tiles.2'))).toBe(true);
    }
    const patched = await server.api('PATCH', `/journeys/${id}`, { name: 'Renamed by a bad PATCH', tiles });
    expect(patched.status).toBe(400);
    const after = await server.api('GET', `/journeys/${id}`);
    expect(after.body).toEqual(before.body);
  });
});
