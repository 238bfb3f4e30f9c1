// `npm run bench:fuzz [requests] [concurrency]`: hostile requests against a real `waymark start`
// on PostgreSQL, across every route of its OpenAPI document and the public pages (tracking,
// forms, landing pages, the designer): malformed JSON, wrong types, huge strings, unicode and NUL,
// prototype keys, other business units' ids, path traversal, header abuse. Meanwhile a probe reads
// `GET /journeys` once every 50 ms. Prints one JSON line: requests sent, answers by status class,
// the 5xx grouped by route (with samples, in the report file), whether the process exited, and
// the probe's p50/p99. Targets: no 5xx, no exit, probe p99 < 500 ms.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { benchDatabase, report } from './support.ts';

const TOTAL = Number(process.argv[2] ?? process.env.FUZZ_REQUESTS ?? 100_000);
const CONCURRENCY = Number(process.argv[3] ?? process.env.FUZZ_CONCURRENCY ?? 16);
const REPORT = process.env.FUZZ_REPORT ?? '/tmp/waymark-fuzz-report.json';
const ADMIN_KEY = 'wm_fuzz_admin_key_0123456789abcdef';
const BIN = fileURLToPath(new URL('../packages/cli/bin/waymark.js', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Deterministic randomness: a run can be replayed with the same FUZZ_SEED.
let state = Number(process.env.FUZZ_SEED ?? 20261201) >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const chance = (p: number) => random() < p;

const HUGE = 'A'.repeat(1_100_000);
const BIG = 'é'.repeat(70_000);
const HOSTILE_STRINGS: string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff\ud800y',
  '🙂'.repeat(3000),
  'A'.repeat(10_001),
  BIG,
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%00',
  '%',
  '${7*7}',
  '{{ 7 | times: 7 }}',
  '{% for i in (1..2000000) %}xx{% endfor %}',
  "' OR 1=1 --",
  '"; drop table contacts; --',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '9999999999999999999999',
  '\r\nX-Injected: 1',
  '\u202egnp.exe',
  'ﷺ‮‭',
  'ａｄｍｉｎ',
  'P99999Y',
  'P1D',
  '2026-13-45T99:99:99Z',
  '0000-01-01T00:00:00Z',
  'http://169.254.169.254/latest/meta-data/',
  'javascript:alert(1)',
  'x'.repeat(201),
  'Europe/Nowhere',
  'admin@waymark.local',
];
const HOSTILE_NUMBERS = [0, -1, 1.5, -0.0001, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, Number.MAX_VALUE];
const hostileString = () => pick(HOSTILE_STRINGS);

/** encodeURIComponent, except that a lone surrogate goes out as the (invalid) UTF-8 bytes of one. */
function encode(text: string): string {
  return text.replace(/[\ud800-\udfff]/g, '\u0000SURROGATE\u0000').split('\u0000SURROGATE\u0000').map((part) => {
    try {
      return encodeURIComponent(part);
    } catch {
      return '';
    }
  }).join('%ED%A0%80');
}

function deep(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = chance(0.5) ? [value] : { a: value };
  return value;
}

function hostileValue(): unknown {
  switch (Math.floor(random() * 12)) {
    case 0:
      return null;
    case 1:
      return chance(0.5);
    case 2:
      return pick(HOSTILE_NUMBERS);
    case 3:
      return [];
    case 4:
      return {};
    case 5:
      return deep(1 + Math.floor(random() * 3000));
    case 6:
      return JSON.parse('{"__proto__": {"polluted": true, "isAdmin": true}}');
    case 7:
      return { constructor: { prototype: { polluted: true } } };
    case 8:
      return Array.from({ length: pick([2, 1001, 10_001, 100_000]) }, () => 'x');
    case 9:
      return pick(ids.all.length > 0 ? ids.all : ['none']);
    default:
      return hostileString();
  }
}

// ---------------------------------------------------------------------------------------------
// Valid-looking values from the OpenAPI schemas, which the mutations then break in one place.
type Schema = Record<string, any>;
let components: Record<string, Schema> = {};

function resolve(schema: Schema | undefined): Schema {
  let current = schema ?? {};
  for (let hops = 0; current.$ref && hops < 10; hops += 1) current = components[String(current.$ref).split('/').at(-1)!] ?? {};
  return current;
}

function example(schemaIn: Schema | undefined, depth = 0): unknown {
  const schema = resolve(schemaIn);
  if (depth > 6) return null;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return pick(schema.enum as unknown[]);
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return example(pick(union as Schema[]), depth + 1);
  if (schema.allOf) return Object.assign({}, ...(schema.allOf as Schema[]).map((part) => example(part, depth + 1) as object));
  const type = Array.isArray(schema.type) ? pick(schema.type as string[]) : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set<string>(schema.required ?? []);
      for (const [key, value] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
        if (required.has(key) || chance(0.5)) out[key] = example(value, depth + 1);
      }
      return out;
    }
    case 'array':
      return Array.from({ length: Math.floor(random() * 3) + (schema.minItems ?? 0) }, () => example(schema.items, depth + 1));
    case 'integer':
      return Math.floor(random() * 100);
    case 'number':
      return random() * 100;
    case 'boolean':
      return chance(0.5);
    case 'null':
      return null;
    case 'string':
      if (schema.format === 'email') return `fuzz${Math.floor(random() * 1e6)}@example.com`;
      if (schema.format === 'date-time') return '2026-03-01T10:00:00Z';
      if (schema.format === 'uri') return 'https://example.com/x';
      return pick(ids.all.length > 0 && chance(0.3) ? ids.all : ['fuzz', 'name', 'P1D', 'Europe/Berlin', 'marketing', 'static']);
    default:
      return chance(0.5) ? hostileString() : {};
  }
}

/** Breaks a valid-looking value in one place (or a few). */
function mutate(value: unknown, depth = 0): unknown {
  if (value && typeof value === 'object' && depth < 6) {
    const keys = Object.keys(value);
    const copy: any = Array.isArray(value) ? [...value] : { ...value };
    if (keys.length > 0 && chance(0.7)) {
      const key = pick(keys);
      copy[key] = chance(0.5) ? mutate(copy[key], depth + 1) : hostileValue();
    } else if (Array.isArray(copy)) {
      copy.push(hostileValue());
    } else {
      copy[chance(0.3) ? pick(['__proto__', 'constructor', 'prototype', 'supressionSegmentId', '']) : hostileString().slice(0, 50)] = hostileValue();
    }
    return copy;
  }
  return hostileValue();
}

// ---------------------------------------------------------------------------------------------
// Fixtures: records in two business units, and keys of users with each role, so "other units'
// ids" and role checks are exercised.
const ids: { all: string[]; byKind: Record<string, string[]> } = { all: [], byKind: {} };
const keys: Record<string, string> = { admin: ADMIN_KEY };
const emails: string[] = [];

async function api(base: string, method: string, path: string, body?: unknown, key = ADMIN_KEY): Promise<any> {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: text ? JSON.parse(text) : null };
  } catch {
    return { status: response.status, body: text };
  }
}

function remember(kind: string, id: unknown): void {
  if (typeof id !== 'string') return;
  (ids.byKind[kind] ??= []).push(id);
  ids.all.push(id);
}

async function seedFixtures(base: string): Promise<void> {
  const create = async (kind: string, body: unknown, key = ADMIN_KEY) => {
    const response = await api(base, 'POST', `/${kind}`, body, key);
    if (response.status !== 201) {
      console.error(`fixture ${kind}: ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
      return null;
    }
    remember(kind, response.body.id);
    return response.body.id as string;
  };
  const unitA = await create('business-units', { name: 'Unit A' });
  const unitB = await create('business-units', { name: 'Unit B' });
  for (const [name, unit, role] of [
    ['viewerA', unitA, 'viewer'],
    ['marketerA', unitA, 'marketer'],
    ['marketerB', unitB, 'marketer'],
    ['adminB', unitB, 'admin'],
  ] as const) {
    const user = await create('users', { name, email: `${name}@example.com`, businessUnitId: unit, role, level: 'businessUnit' });
    if (!user) continue;
    const key = await api(base, 'POST', '/api-keys', { userId: user });
    if (key.status === 201) keys[name] = key.body.key;
  }
  await create('content-settings', { name: 'Default', postalAddress: '1 Main Street', isDefault: true });
  for (const unit of [unitA, unitB]) {
    const account = await create('accounts', { name: `Account ${unit}`, businessUnitId: unit });
    for (let n = 0; n < 3; n += 1) {
      const email = `person${n}.${unit?.slice(0, 6)}@example.com`;
      emails.push(email);
      await create('contacts', { email, firstName: `Person${n}`, businessUnitId: unit, accountId: account, consent: 'marketing', attributes: { city: 'Paris' } });
    }
  }
  const contacts = ids.byKind.contacts ?? [];
  const list = await create('subscription-lists', { name: 'News' });
  const staticSegment = await create('segments', { name: 'Static', kind: 'static' });
  await create('segments', { name: 'Parisians', kind: 'dynamic', query: { attribute: 'city', op: 'eq', value: 'Paris' } });
  if (staticSegment) await api(base, 'POST', `/segments/${staticSegment}/members`, { add: contacts });
  if (list) await api(base, 'POST', `/subscription-lists/${list}/members`, { add: contacts });
  const email = await create('emails', { name: 'Hello', subject: 'Hi {{ contact.firstName }}', html: '<p>Hi</p>{{ content.subscriptionCenterUrl }} {{ content.postalAddress }}' });
  if (email) await api(base, 'POST', `/emails/${email}/publish`);
  const form = await create('forms', { name: 'Sign up', fields: [{ name: 'email', type: 'email', required: true }, { name: 'firstName', type: 'text' }] });
  if (form) await api(base, 'POST', `/forms/${form}/publish`);
  const page = await create('pages', { name: 'Landing', title: 'Welcome', body: 'Hello', formId: form });
  if (page) await api(base, 'POST', `/pages/${page}/publish`);
  const workflow = await create('workflows', { name: 'CRM', url: 'https://crm.example.com/hook', secret: 'fuzz-secret-123' });
  await create('scoring-models', { name: 'Engagement', rules: [{ event: 'email_opened', points: 5 }], salesReadyThreshold: 100 });
  await create('attributes', { entity: 'contact', name: 'shoeSize', type: 'number' });
  const journey = await create('journeys', {
    name: 'Fuzzed',
    startAt: '2026-01-01T00:00:00Z',
    endAt: '2030-01-01T00:00:00Z',
    timeZone: 'UTC',
    tiles: [
      { id: 'who', type: 'segmentGroup', segments: [{ source: 'segment', segmentId: staticSegment, mode: 'include' }], next: 'mail' },
      { id: 'mail', type: 'email', emailId: email, next: 'wf' },
      { id: 'wf', type: 'launchWorkflow', workflowId: workflow, next: null },
    ],
  });
  if (journey) await api(base, 'POST', `/journeys/${journey}/go-live`);
  // A journey owned by unit B's marketer: another unit's id for unit A's keys.
  if (keys.marketerB) {
    await create('journeys', { name: 'Unit B only', scope: 'businessUnit', startAt: '2026-01-01T00:00:00Z', endAt: '2030-01-01T00:00:00Z', timeZone: 'UTC', tiles: [] }, keys.marketerB);
  }
}

// ---------------------------------------------------------------------------------------------
// Requests.
interface Operation {
  method: string;
  path: string;
  body?: Schema;
  query: string[];
}

interface FuzzRequest {
  method: string;
  path: string;
  /** The route it was made for, to group answers by. */
  route: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

const KIND_OF_PARAM: Record<string, string> = {
  contactId: 'contacts',
  accountId: 'accounts',
  journeyId: 'journeys',
  segmentId: 'segments',
  listId: 'subscription-lists',
  userId: 'users',
  emailId: 'emails',
  formId: 'forms',
  pageId: 'pages',
};

function paramValue(path: string, name: string): string {
  const segments = path.split('/');
  const at = segments.indexOf(`{${name}}`);
  const kind = KIND_OF_PARAM[name] ?? (name === 'id' ? segments[at - 1]! : name);
  const known = ids.byKind[kind] ?? [];
  const roll = random();
  if (name === 'email' && roll < 0.5) return encode(pick(emails.length > 0 ? emails : ['x@example.com']));
  if (roll < 0.45 && known.length > 0) return encode(pick(known));
  if (roll < 0.6 && ids.all.length > 0) return encode(pick(ids.all));
  const hostile = hostileString();
  // Sometimes raw (traversal, NUL), usually encoded as a client would.
  if (chance(0.3)) return pick(['..', '..%2f..%2fetc%2fpasswd', '%2e%2e', '%00', '%ZZ', '%c0%af', 'a%00b', '%E2%80%AE', '.', '~', '*']);
  return encode(hostile.slice(0, chance(0.9) ? 300 : 20_000));
}

function queryString(operation: Operation): string {
  if (chance(0.4)) return '';
  const pairs: string[] = [];
  const names = [...operation.query, 'cursor', 'limit', 'q', '__proto__[polluted]', 'constructor', 'status', 'journeyId', 'contactId', 'accountId', 'businessUnitId'];
  for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i += 1) {
    const name = pick(names);
    const value = pick([hostileString().slice(0, 2000), String(pick(HOSTILE_NUMBERS)), 'true', pick(ids.all.length ? ids.all : ['x']), '', 'eyJ4IjoxfQ', '%00', 'a\u0000b']);
    pairs.push(`${encode(name)}=${encode(value)}`);
    if (chance(0.1)) pairs.push(`${encode(name)}=${encode(value)}`);
  }
  return `?${pairs.join('&')}`;
}

const MALFORMED = ['{', '{"a":', '{"name": "x",}', "{'a': 1}", '[', ']', 'null', 'true', '"text"', '1e99999', '-', '\u0000', '\ufeff{}', '{"a":1}{"b":2}', '{"\\ud800": 1}', 'NaN', '{"a": undefined}'];

function bodyFor(operation: Operation): { body?: string | Buffer; contentType?: string } {
  const roll = random();
  if (!operation.body && roll < 0.7) return {};
  if (roll < 0.12) return { body: pick(MALFORMED), contentType: 'application/json' };
  if (roll < 0.16) return { body: `[${'['.repeat(50_000)}`, contentType: 'application/json' };
  if (roll < 0.18) return { body: JSON.stringify({ name: HUGE }), contentType: 'application/json' };
  if (roll < 0.22) return { body: JSON.stringify(example(operation.body)), contentType: pick(['text/plain', 'application/x-ndjson', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', '']) };
  if (roll < 0.24) return { body: Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0xc3, 0x28]), contentType: 'application/json' };
  const valid = example(operation.body);
  const value = roll < 0.3 ? valid : mutate(roll < 0.85 ? valid : mutate(valid));
  return { body: JSON.stringify(value), contentType: 'application/json' };
}

function headersFor(): Record<string, string> {
  const headers: Record<string, string> = {};
  const who = random();
  if (who < 0.4) headers.authorization = `Bearer ${ADMIN_KEY}`;
  else if (who < 0.75) headers.authorization = `Bearer ${keys[pick(Object.keys(keys))]}`;
  else if (who < 0.8) headers.authorization = pick(['Bearer', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', `Bearer ${'k'.repeat(8000)}`, 'Bearer wm_\u00ff', `bearer ${ADMIN_KEY}`, `Bearer ${ADMIN_KEY} extra`]);
  else if (who < 0.9) headers.authorization = `Bearer wm_${Math.floor(random() * 1e12)}`;
  if (chance(0.1)) headers['x-forwarded-for'] = pick(['1.2.3.4', '::1, 10.0.0.1', 'garbage', '999.999.999.999', ' , , ']);
  if (chance(0.05)) headers.accept = pick(['*/*;q=abc', 'text/html', 'application/xml', '']);
  if (chance(0.03)) headers['x-large'] = 'h'.repeat(pick([1000, 8000, 15_000]));
  if (chance(0.03)) for (let i = 0; i < 60; i += 1) headers[`x-many-${i}`] = String(i);
  if (chance(0.03)) headers['content-encoding'] = pick(['gzip', 'br', 'deflate', 'identity', 'zstd']);
  if (chance(0.02)) headers.cookie = pick(['wm_session=abc', `wm_session=${'x'.repeat(4000)}`, 'a=b; a=c', '__proto__=1']);
  if (chance(0.02)) headers.origin = 'https://evil.example';
  return headers;
}

const PUBLIC_ROUTES: Operation[] = [
  { method: 'get', path: '/t/c/{token}', query: [] },
  { method: 'get', path: '/t/o/{token}', query: [] },
  { method: 'get', path: '/u/{token}', query: [] },
  { method: 'post', path: '/u/{token}', query: [] },
  { method: 'get', path: '/f/{formId}', query: [] },
  { method: 'post', path: '/f/{formId}', query: [], body: { type: 'object', properties: { email: { type: 'string', format: 'email' }, firstName: { type: 'string' } } } },
  { method: 'get', path: '/p/{pageId}', query: [] },
  { method: 'get', path: '/', query: [] },
  { method: 'get', path: '/journeys/{id}', query: [] },
  { method: 'get', path: '/assets/{token}', query: [] },
];

function requestFor(operation: Operation, api: boolean): FuzzRequest {
  const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => (name === 'token' ? tokenLike() : paramValue(operation.path, name)));
  const { body, contentType } = bodyFor(operation);
  const headers = headersFor();
  if (contentType) headers['content-type'] = contentType;
  const method = chance(0.03) ? pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND']) : operation.method.toUpperCase();
  return { method, path: `${api ? '/api/v1' : ''}${path}${queryString(operation)}`, route: `${operation.method.toUpperCase()} ${api ? '/api/v1' : ''}${operation.path}`, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body };
}

function tokenLike(): string {
  const body = Buffer.from(JSON.stringify(pick([{ o: 1 }, { o: -1, u: 'javascript:alert(1)' }, { c: pick(ids.byKind.contacts ?? ['x']) }, { k: 'csrf' }, mutate({ o: 1 })]))).toString('base64url');
  return pick([`${body}.${'A'.repeat(43)}`, body, '..%2f..%2fpackage.json', '%00', 'a.b.c', hostileString().slice(0, 500)].map((t) => (t.includes('%') ? t : encode(t))));
}

// ---------------------------------------------------------------------------------------------
function send(agent: Agent, port: number, request: FuzzRequest, timeoutMs = 30_000): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
    let outgoing;
    try {
      outgoing = httpRequest({ host: '127.0.0.1', port, method: request.method, path: request.path, headers, agent, timeout: timeoutMs }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < 2000) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, 600) }));
        response.on('error', (error) => resolve({ status: -1, text: String(error) }));
      });
    } catch (error) {
      // Node refuses to send it (an invalid header or path character): not a server answer.
      resolve({ status: -2, text: String(error) });
      return;
    }
    outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')));
    outgoing.on('error', (error) => resolve({ status: -1, text: String(error) }));
    outgoing.end(request.body);
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function startWaymark(databaseUrl: string): { child: ChildProcess; port: Promise<number>; tail: string[] } {
  const tail: string[] = [];
  const child = spawn(process.execPath, ['--max-semi-space-size=4', BIN, 'start', '--database-url', databaseUrl, '--port', '0', '--no-demo', '--bootstrap-admin-key', ADMIN_KEY], {
    env: { ...process.env, WAYMARK_LOG_LEVEL: 'warn', WAYMARK_SECRET: 'fuzz-secret-0123456789', WAYMARK_WEBHOOK_ALLOW_PRIVATE: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) tail.push(line.slice(0, 2000));
    if (tail.length > 200) tail.splice(0, tail.length - 200);
  };
  child.stderr!.on('data', keep);
  const port = new Promise<number>((resolvePort, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(tail.join('\n'));
      if (match) resolvePort(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`waymark exited (${code}) before listening:\n${tail.join('\n')}`)));
  });
  return { child, port, tail };
}

const database = await benchDatabase('postgres', 1);
let server = startWaymark(database.url!);
// The server must not outlive the fuzzer, whatever ends it.
process.on('exit', () => server.child.kill('SIGKILL'));
let port = await server.port;
const base = () => `http://127.0.0.1:${port}`;
const exits: { code: number | null; signal: string | null; afterRequests: number; tail: string[] }[] = [];

const document = (await (await fetch(`${base()}/api/v1/openapi.json`)).json()) as Schema;
components = document.components?.schemas ?? {};
const operations: Operation[] = [];
for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, Schema>>)) {
  for (const [method, operation] of Object.entries(item)) {
    if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
    const query = ((operation.parameters ?? []) as Schema[]).filter((p) => p.in === 'query').map((p) => String(p.name));
    operations.push({ method, path, body: operation.requestBody?.content?.['application/json']?.schema, query });
  }
}
await seedFixtures(base());
console.error(`fuzzing ${operations.length} API operations and ${PUBLIC_ROUTES.length} public routes with ${TOTAL} requests, ${CONCURRENCY} at a time; keys: ${Object.keys(keys).join(', ')}`);

const counts: Record<string, number> = {};
const serverErrors = new Map<string, { count: number; samples: { request: string; body: string; answer: string }[] }>();
let sent = 0;
let done = 0;
let stopping = false;
let restarting: Promise<void> | null = null;

server.child.on('exit', onExit);
function onExit(code: number | null, signal: string | null): void {
  if (stopping) return;
  exits.push({ code, signal, afterRequests: done, tail: [...server.tail] });
  console.error(`waymark exited (${code ?? signal}) after ${done} requests; restarting`);
  restarting = (async () => {
    server = startWaymark(database.url!);
    server.child.on('exit', onExit);
    port = await server.port;
    restarting = null;
  })();
}

// The probe: GET /journeys as the admin, once every 50 ms, on its own connection.
const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
const probe: number[] = [];
let probeFailures = 0;
const probing = (async () => {
  while (!stopping) {
    if (!restarting) {
      const started = performance.now();
      const answer = await send(probeAgent, port, { method: 'GET', path: '/api/v1/journeys?limit=50', route: 'probe', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      if (answer.status === 200) probe.push(performance.now() - started);
      else probeFailures += 1;
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
})();

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const started = performance.now();
async function lane(): Promise<void> {
  while (sent < TOTAL) {
    sent += 1;
    if (restarting) await restarting;
    const publicRoute = chance(0.12);
    const request = requestFor(publicRoute ? pick(PUBLIC_ROUTES) : pick(operations), !publicRoute);
    const answer = await send(agent, port, request);
    done += 1;
    const bucket = answer.status < 0 ? (answer.status === -2 ? 'unsendable' : 'connectionError') : `${Math.floor(answer.status / 100)}xx`;
    counts[bucket] = (counts[bucket] ?? 0) + 1;
    if (answer.status >= 500 || answer.status === -1) {
      const key = `${request.route} -> ${answer.status === -1 ? 'connection error' : answer.status}`;
      const entry = serverErrors.get(key) ?? { count: 0, samples: [] };
      entry.count += 1;
      if (entry.samples.length < 3) {
        entry.samples.push({
          request: `${request.method} ${request.path.slice(0, 300)} ${JSON.stringify(Object.keys(request.headers))}`,
          body: typeof request.body === 'string' ? request.body.slice(0, 400) : String(request.body?.length ?? ''),
          answer: answer.text.slice(0, 400),
        });
      }
      serverErrors.set(key, entry);
    }
    if (done % 10_000 === 0) console.error(`${done} requests, ${JSON.stringify(counts)}, probe p99 so far ${percentile([...probe].sort((a, b) => a - b), 99).toFixed(0)} ms`);
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, () => lane()));
const seconds = (performance.now() - started) / 1000;
// Still up and answering after all of it?
const alive = server.child.exitCode === null && (await send(probeAgent, port, { method: 'GET', path: '/api/v1/journeys', route: 'final', headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status === 200;
stopping = true;
await probing;
agent.destroy();
probeAgent.destroy();
server.child.kill('SIGTERM');
await new Promise((resolveExit) => (server.child.exitCode !== null ? resolveExit(null) : server.child.once('exit', resolveExit)));
await database.drop();

const sortedProbe = [...probe].sort((a, b) => a - b);
const all = [...serverErrors.entries()].sort((a, b) => b[1].count - a[1].count);
const fiveHundreds = all.filter(([key]) => !key.endsWith('connection error'));
writeFileSync(REPORT, JSON.stringify({ counts, serverErrors: Object.fromEntries(fiveHundreds), connectionErrors: Object.fromEntries(all.filter(([key]) => key.endsWith('connection error'))), exits }, null, 2));
console.error(`report: ${REPORT}`);
for (const [key, entry] of fiveHundreds.slice(0, 30)) console.error(`  ${entry.count} x ${key}: ${entry.samples[0]?.answer.slice(0, 160)}`);
report({
  requests: done,
  seconds: Math.round(seconds),
  requestsPerSecond: Math.round(done / seconds),
  ...Object.fromEntries(Object.entries(counts).map(([bucket, n]) => [`status${bucket}`, n])),
  serverErrors: fiveHundreds.reduce((sum, [, entry]) => sum + entry.count, 0),
  serverErrorRoutes: fiveHundreds.length,
  processExits: exits.length,
  aliveAtEnd: alive ? 1 : 0,
  probeRequests: probe.length,
  probeFailures,
  probeP50Ms: Math.round(percentile(sortedProbe, 50)),
  probeP99Ms: Math.round(percentile(sortedProbe, 99)),
  probeMaxMs: Math.round(sortedProbe.at(-1) ?? 0),
});
