/**
 * The permission matrix, generated from the OpenAPI document: every route of the API, called with
 * no key and as a viewer, marketer and admin at organization level and at the level of the East
 * business unit, on East's records and on West's. It asserts that
 * - without a key every route but the public ones answers 401;
 * - viewers change nothing (the database is the same after every viewer's call);
 * - a business-unit-level caller never receives an id or an email address of West's, and never
 *   changes anything of West's (West's rows are the same after all its calls);
 * - each call answers what the rule of its route says (403 for a missing role or level, 404 for
 *   another unit's record, 400 where a body names one, exactly like an unknown id).
 * Every route needs a rule in RULES: a route added without one fails the first test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type ApiResponse, type TestServer } from '../support/testServer.ts';

type Side = 'east' | 'west';
type Role = 'admin' | 'marketer' | 'viewer';
type Level = 'organization' | 'businessUnit';
interface Caller {
  name: string;
  key: string | null;
  role?: Role;
  level?: Level;
  userId?: string;
}

/** The records of one business unit. */
interface UnitRecords {
  unit: string;
  user: string;
  userEmail: string;
  contact: string;
  contactEmail: string;
  account: string;
  staticSegment: string;
  dynamicSegment: string;
  journey: string;
  draftJourney: string;
  message: string;
  activity: string;
  lead: string;
  bouncedEmail: string;
}

/** Organization-wide records, shared by both units. */
interface SharedRecords {
  list: string;
  email: string;
  draftEmail: string;
  contentSettings: string;
  form: string;
  page: string;
  workflow: string;
  scoringModel: string;
}

interface Fixtures {
  east: UnitRecords;
  west: UnitRecords;
  shared: SharedRecords;
}

/**
 * Who may call a route:
 * - `public`: anyone, without a key; `read`: every keyed caller; `write`: marketers and admins;
 *   `admin`: admins only.
 * Whose record it concerns (`reach`):
 * - `unit`: the side's record, named in the path or the body; for a business-unit-level caller,
 *   West's answers `acrossUnits` (404 unless said otherwise) and its own unit's is allowed;
 * - `organization`: an organization-wide record, changed only at organization level (403 below);
 * - `none`: a list or a create in the caller's own unit.
 */
interface Rule {
  who: 'public' | 'read' | 'write' | 'admin';
  reach: 'unit' | 'organization' | 'none';
  acrossUnits?: number;
  /** Path parameters (and a query string under `?`), from the fixtures of the side. */
  params?: (f: Fixtures, side: Side, caller: Caller) => Record<string, string>;
  body?: (f: Fixtures, side: Side, caller: Caller) => unknown;
  /** For a call expected to succeed that destroys its record: a new record to destroy. */
  fresh?: (side: Side) => Promise<Record<string, string>>;
  /** Statuses that mean "allowed" besides 2xx (a business rule refusing, e.g. 409 on a live record). */
  refusals?: number[];
  /** The answer to a writer without the role (403 unless said otherwise). */
  roleDenied?: number;
  /** Organization-level callers only: a business-unit-level caller gets 403 on its own unit's record. */
  organizationLevelOnly?: true;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${(counter += 1)}`;
const draftJourney = (name: string) => ({ name, scope: 'businessUnit', startAt: '2026-01-01T00:00:00Z', endAt: '2026-12-31T00:00:00Z', timeZone: 'UTC', tiles: [] });
const FOOTER = '<p>{{ content.postalAddress }} <a href="{{ content.subscriptionCenterUrl }}">Unsubscribe</a></p>';
const id = (pick: (f: Fixtures, side: Side) => string) => (f: Fixtures, side: Side) => ({ id: pick(f, side) });

let server: TestServer;
const adminPost = async (path: string, body: unknown, key?: string) => {
  const response = await server.api('POST', path, body, key ? { key } : {});
  if (response.status >= 300) throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
};

/** The rule of every route, keyed `METHOD /path` as the OpenAPI document names it. */
const RULES: Record<string, Rule> = {
  'GET /openapi.json': { who: 'public', reach: 'none' },

  'GET /business-units': { who: 'read', reach: 'none' },
  'POST /business-units': { who: 'admin', reach: 'unit', acrossUnits: 403, body: (f, side) => ({ name: unique('Unit'), parentId: f[side].unit }) },
  'GET /business-units/{id}': { who: 'read', reach: 'unit', params: id((f, s) => f[s].unit) },

  'GET /users': { who: 'read', reach: 'none' },
  'POST /users': {
    who: 'admin',
    reach: 'unit',
    acrossUnits: 403,
    body: (f, side) => ({ name: 'New', email: `${unique('staff')}@corp.example`, businessUnitId: f[side].unit, role: 'viewer', level: 'businessUnit' }),
  },
  'GET /users/{id}': { who: 'read', reach: 'unit', params: id((f, s) => f[s].user) },
  'PATCH /users/{id}': { who: 'admin', reach: 'unit', params: id((f, s) => f[s].user), body: () => ({ name: 'Renamed' }) },

  // Signing in: public, and a wrong password is a refusal like any other (SSO is not configured here: 404).
  'POST /auth/login': { who: 'public', reach: 'none', body: (f, side) => ({ email: f[side].userEmail, password: 'not the password, long enough' }), refusals: [401] },
  'GET /auth/options': { who: 'public', reach: 'none' },
  'GET /auth/oidc/start': { who: 'public', reach: 'none', refusals: [404] },
  'GET /auth/oidc/callback': { who: 'public', reach: 'none', refusals: [404] },
  'GET /auth/me': { who: 'read', reach: 'none' },
  'POST /auth/logout': { who: 'read', reach: 'none' },
  // Everyone may change their own password; these callers have none, so the current one never matches.
  'POST /auth/password': { who: 'read', reach: 'none', body: () => ({ currentPassword: 'not my password at all', newPassword: 'a new password, long enough' }), refusals: [400] },

  'GET /api-keys': { who: 'read', reach: 'none' },
  'POST /api-keys': { who: 'admin', reach: 'unit', acrossUnits: 403, body: (f, side) => ({ userId: f[side].user }) },
  // Another user's key is invisible to a marketer: 404, as for another unit's.
  'DELETE /api-keys/{id}': {
    who: 'admin',
    reach: 'unit',
    roleDenied: 404,
    params: () => ({ id: 'no-such-key' }),
    fresh: async (side) => ({ id: (await adminPost('/api-keys', { userId: fixtures[side].user })).id }),
  },

  'GET /attributes': { who: 'read', reach: 'none' },
  'POST /attributes': { who: 'write', reach: 'none', body: () => ({ entity: 'contact', name: unique('attr').replace('-', ''), type: 'string' }) },

  'GET /accounts': { who: 'read', reach: 'none' },
  'POST /accounts': { who: 'write', reach: 'unit', acrossUnits: 403, body: (f, side) => ({ name: unique('Account'), businessUnitId: f[side].unit }) },
  'GET /accounts/{id}': { who: 'read', reach: 'unit', params: id((f, s) => f[s].account) },
  'PATCH /accounts/{id}': { who: 'write', reach: 'unit', params: id((f, s) => f[s].account), body: () => ({ attributes: { tier: 'gold' } }) },
  'DELETE /accounts/{id}': {
    who: 'write',
    reach: 'unit',
    params: id((f, s) => f[s].account),
    fresh: async (side) => ({ id: (await adminPost('/accounts', { name: unique('Doomed'), businessUnitId: fixtures[side].unit })).id }),
  },

  'GET /contacts': { who: 'read', reach: 'none' },
  'POST /contacts': { who: 'write', reach: 'unit', acrossUnits: 403, body: (f, side) => ({ email: `${unique('new')}@example.com`, businessUnitId: f[side].unit }) },
  // Linking one's contact to another unit's account: that account does not exist for the caller.
  'POST /contacts/batch': { who: 'write', reach: 'unit', acrossUnits: 400, body: (f, side) => ({ contacts: [{ email: `${unique('batch')}@example.com`, accountId: f[side].account }] }) },
  'GET /contacts/{id}': { who: 'read', reach: 'unit', params: id((f, s) => f[s].contact) },
  'PATCH /contacts/{id}': { who: 'write', reach: 'unit', params: id((f, s) => f[s].contact), body: () => ({ firstName: 'Changed' }) },
  'DELETE /contacts/{id}': {
    who: 'write',
    reach: 'unit',
    params: id((f, s) => f[s].contact),
    fresh: async (side) => ({ id: (await adminPost('/contacts', { email: `${unique('doomed')}@example.com`, businessUnitId: fixtures[side].unit })).id }),
  },
  // The export holds what every unit keeps about the person (their segments and journeys too).
  'GET /contacts/{id}/export': { who: 'read', reach: 'unit', organizationLevelOnly: true, params: id((f, s) => f[s].contact) },
  'GET /contacts/{id}/segments': { who: 'read', reach: 'unit', params: id((f, s) => f[s].contact) },
  'GET /contacts/{id}/subscription-lists': { who: 'read', reach: 'unit', params: id((f, s) => f[s].contact) },

  'GET /segments': { who: 'read', reach: 'none' },
  'POST /segments': { who: 'write', reach: 'unit', acrossUnits: 400, body: (f, side) => ({ name: unique('Segment'), kind: 'dynamic', query: { inSegment: f[side].dynamicSegment } }) },
  // A query evaluated for a business-unit-level caller sees that unit's contacts only; another unit's segment is unknown.
  'POST /segments/preview': { who: 'read', reach: 'unit', acrossUnits: 400, body: (f, side) => ({ query: { or: [{ attribute: 'email', op: 'exists' }, { inSegment: f[side].staticSegment }] } }) },
  'GET /segments/{id}': { who: 'read', reach: 'unit', params: id((f, s) => f[s].staticSegment) },
  'PATCH /segments/{id}': { who: 'write', reach: 'unit', params: id((f, s) => f[s].staticSegment), body: () => ({ name: 'Renamed' }) },
  'DELETE /segments/{id}': {
    who: 'write',
    reach: 'unit',
    params: id((f, s) => f[s].staticSegment),
    fresh: async (side) => ({ id: (await adminPost('/segments', { name: unique('Doomed'), kind: 'static' }, ownerKeys[side])).id }),
  },
  'GET /segments/{id}/members': { who: 'read', reach: 'unit', params: id((f, s) => f[s].dynamicSegment) },
  // Adding another unit's contact to one's own static segment: that contact does not exist for the caller.
  'POST /segments/{id}/members': { who: 'write', reach: 'unit', acrossUnits: 400, params: (f) => ({ id: f.east.staticSegment }), body: (f, side) => ({ add: [f[side].contact] }) },

  'GET /subscription-lists': { who: 'read', reach: 'none' },
  'POST /subscription-lists': { who: 'write', reach: 'organization', body: () => ({ name: unique('List') }) },
  'GET /subscription-lists/{id}': { who: 'read', reach: 'none', params: (f) => ({ id: f.shared.list }) },
  'PATCH /subscription-lists/{id}': { who: 'write', reach: 'organization', params: (f) => ({ id: f.shared.list }), body: () => ({ name: 'Everyone' }) },
  // The list is shared; its people are not: each unit sees and changes the memberships of its own contacts.
  'GET /subscription-lists/{id}/members': { who: 'read', reach: 'none', params: (f) => ({ id: f.shared.list }) },
  'POST /subscription-lists/{id}/members': { who: 'write', reach: 'unit', acrossUnits: 400, params: (f) => ({ id: f.shared.list }), body: (f, side) => ({ add: [f[side].contact] }) },

  'GET /content-settings': { who: 'read', reach: 'none' },
  'POST /content-settings': { who: 'write', reach: 'organization', body: () => ({ name: unique('Settings'), postalAddress: '1 Main St', isDefault: true }) },
  'GET /content-settings/{id}': { who: 'read', reach: 'none', params: (f) => ({ id: f.shared.contentSettings }) },
  'PATCH /content-settings/{id}': { who: 'write', reach: 'organization', params: (f) => ({ id: f.shared.contentSettings }), body: () => ({ isDefault: true }) },

  'GET /emails': { who: 'read', reach: 'none' },
  'POST /emails': { who: 'write', reach: 'organization', body: () => ({ name: unique('Email'), subject: 'Hi', html: `<p>Hi</p>${FOOTER}` }) },
  'GET /emails/{id}': { who: 'read', reach: 'none', params: (f) => ({ id: f.shared.email }) },
  'PATCH /emails/{id}': { who: 'write', reach: 'organization', params: (f) => ({ id: f.shared.draftEmail }), body: () => ({ subject: 'Changed' }), refusals: [409] },
  'POST /emails/{id}/publish': { who: 'write', reach: 'organization', params: (f) => ({ id: f.shared.draftEmail }) },
  // Rendered for another unit's contact: that contact does not exist for the caller.
  // A live email changes by its next revision; which journeys send it is listed per unit.
  'PUT /emails/{id}/draft': { who: 'write', reach: 'organization', params: (f) => ({ id: f.shared.email }), body: () => ({ name: 'Hello', subject: 'Hi again', html: `<p>Hi</p>${FOOTER}` }) },
  'GET /emails/{id}/draft': { who: 'read', reach: 'none', params: (f) => ({ id: f.shared.email }), refusals: [404] },
  'DELETE /emails/{id}/draft': { who: 'write', reach: 'organization', params: (f) => ({ id: f.shared.email }), refusals: [404] },
  'GET /emails/{id}/usage': { who: 'read', reach: 'none', params: (f) => ({ id: f.shared.email }) },
  'GET /emails/{id}/preview': { who: 'read', reach: 'unit', params: (f, side) => ({ id: f.shared.email, '?': `contactId=${f[side].contact}` }) },

  'GET /forms': { who: 'read', reach: 'none' },
  'POST /forms': { who: 'write', reach: 'organization', body: () => ({ name: unique('Form'), fields: [{ name: 'email', type: 'email', required: true }] }) },
  'GET /forms/{id}': { who: 'read', reach: 'none', params: (f) => ({ id: f.shared.form }) },
  'PATCH /forms/{id}': { who: 'write', reach: 'organization', params: (f) => ({ id: f.shared.form }), body: () => ({ name: 'Renamed' }), refusals: [409] },
  'POST /forms/{id}/publish': { who: 'write', reach: 'organization', params: (f) => ({ id: f.shared.form }) },
  'GET /forms/{id}/embed': { who: 'read', reach: 'none', params: (f) => ({ id: f.shared.form }) },

  'GET /pages': { who: 'read', reach: 'none' },
  'POST /pages': { who: 'write', reach: 'organization', body: () => ({ name: unique('Page'), title: 'Welcome' }) },
  'GET /pages/{id}': { who: 'read', reach: 'none', params: (f) => ({ id: f.shared.page }) },
  'PATCH /pages/{id}': { who: 'write', reach: 'organization', params: (f) => ({ id: f.shared.page }), body: () => ({ title: 'Changed' }), refusals: [409] },
  'POST /pages/{id}/publish': { who: 'write', reach: 'organization', params: (f) => ({ id: f.shared.page }) },

  'GET /workflows': { who: 'read', reach: 'none' },
  'POST /workflows': { who: 'write', reach: 'organization', body: () => ({ name: unique('Workflow'), url: 'https://crm.example.com/hook', secret: 'long-enough-secret' }) },
  'GET /workflows/{id}': { who: 'read', reach: 'none', params: (f) => ({ id: f.shared.workflow }) },

  'GET /scoring-models': { who: 'read', reach: 'none' },
  'POST /scoring-models': { who: 'write', reach: 'organization', body: () => ({ name: unique('Model'), rules: [{ event: 'email_clicked', points: 5 }], salesReadyThreshold: 50 }) },
  'GET /scoring-models/{id}': { who: 'read', reach: 'none', params: (f) => ({ id: f.shared.scoringModel }) },
  'PATCH /scoring-models/{id}': { who: 'write', reach: 'organization', params: (f) => ({ id: f.shared.scoringModel }), body: () => ({ salesReadyThreshold: 60 }) },
  'POST /scoring-models/{id}/publish': { who: 'write', reach: 'organization', params: (f) => ({ id: f.shared.scoringModel }) },

  // An event for another unit's contact answers exactly as one for an unknown contact (no existence oracle).
  'POST /events': { who: 'write', reach: 'unit', acrossUnits: 400, body: (f, side) => ({ email: f[side].contactEmail, type: 'visited' }) },
  // The hard-bounce list blocks an address for every unit: organization level only.
  'POST /webhooks/bounces': { who: 'write', reach: 'organization', body: (f, side) => ({ email: f[side].contactEmail, type: 'soft' }) },
  'GET /bounced-emails/{email}': { who: 'read', reach: 'unit', params: (f, side) => ({ email: f[side].bouncedEmail }) },
  'DELETE /bounced-emails/{email}': {
    who: 'write',
    reach: 'organization',
    params: (f, side) => ({ email: f[side].bouncedEmail }),
    fresh: async () => {
      const email = `${unique('gone')}@example.com`;
      await adminPost('/webhooks/bounces', { email, type: 'hard' });
      return { email };
    },
  },

  'GET /activities': { who: 'read', reach: 'none' },
  'GET /activities/{id}': { who: 'read', reach: 'unit', params: id((f, s) => f[s].activity) },
  'GET /leads': { who: 'read', reach: 'none' },
  'GET /leads/{id}': { who: 'read', reach: 'unit', params: id((f, s) => f[s].lead) },
  'GET /messages': { who: 'read', reach: 'none' },
  'GET /messages/{id}': { who: 'read', reach: 'unit', params: id((f, s) => f[s].message) },

  'GET /journey-templates': { who: 'read', reach: 'none' },
  'GET /journey-templates/{id}': { who: 'read', reach: 'none', params: () => ({ id: 'welcome-series' }) },
  'GET /journeys': { who: 'read', reach: 'none' },
  'POST /journeys': { who: 'write', reach: 'none', body: () => draftJourney(unique('Journey')) },
  'GET /journeys/{id}': { who: 'read', reach: 'unit', params: id((f, s) => f[s].journey) },
  'PUT /journeys/{id}': { who: 'write', reach: 'unit', params: id((f, s) => f[s].draftJourney), body: () => draftJourney('Replaced'), refusals: [409] },
  'PATCH /journeys/{id}': { who: 'write', reach: 'unit', params: id((f, s) => f[s].draftJourney), body: () => ({ description: 'Changed' }), refusals: [409] },
  'DELETE /journeys/{id}': {
    who: 'write',
    reach: 'unit',
    params: id((f, s) => f[s].draftJourney),
    fresh: async (side) => ({ id: (await adminPost('/journeys', draftJourney(unique('Doomed')), ownerKeys[side])).id }),
  },
  'POST /journeys/{id}/check': { who: 'read', reach: 'unit', params: id((f, s) => f[s].draftJourney) },
  'POST /journeys/{id}/go-live': { who: 'write', reach: 'unit', params: id((f, s) => f[s].draftJourney), refusals: [422] },
  'POST /journeys/{id}/stop': { who: 'write', reach: 'unit', params: id((f, s) => f[s].draftJourney), refusals: [409] },
  // The next version of a live journey: a draft beside it, checked and published as a new version.
  'PUT /journeys/{id}/draft': { who: 'write', reach: 'unit', params: id((f, s) => f[s].journey), body: () => draftJourney('Next version') },
  'GET /journeys/{id}/draft': { who: 'read', reach: 'unit', params: id((f, s) => f[s].journey), refusals: [404] },
  'POST /journeys/{id}/draft/check': { who: 'read', reach: 'unit', params: id((f, s) => f[s].journey), body: () => ({}), refusals: [404] },
  'POST /journeys/{id}/draft/publish': { who: 'write', reach: 'unit', params: id((f, s) => f[s].journey), body: () => ({}), refusals: [409, 422] },
  'DELETE /journeys/{id}/draft': { who: 'write', reach: 'unit', params: id((f, s) => f[s].journey), refusals: [404] },
  'GET /journeys/{id}/versions': { who: 'read', reach: 'unit', params: id((f, s) => f[s].journey) },
  'GET /journeys/{id}/versions/{n}': { who: 'read', reach: 'unit', params: (f, side) => ({ id: f[side].journey, n: '1' }) },
  'GET /journeys/{id}/insights': { who: 'read', reach: 'unit', params: id((f, s) => f[s].journey) },
  'GET /journeys/{id}/milestones': { who: 'read', reach: 'unit', params: id((f, s) => f[s].journey) },
  'GET /journeys/{id}/iterations': { who: 'read', reach: 'unit', params: id((f, s) => f[s].journey) },
  'GET /journeys/{id}/timeline': { who: 'read', reach: 'unit', params: id((f, s) => f[s].journey) },
  // What a journey would do, computed, never done: a read, for the caller's own contacts only.
  'POST /journeys/{id}/preview-path': { who: 'read', reach: 'unit', params: (f) => ({ id: f.east.journey }), body: (f, side) => ({ contactId: f[side].contact, events: [], horizon: 'P7D' }) },
  'POST /journeys/{id}/forecast': { who: 'read', reach: 'unit', params: id((f, s) => f[s].journey), body: () => ({ horizon: 'P7D' }) },
  'GET /journeys/{id}/contacts/{contactId}': { who: 'read', reach: 'unit', params: (f, side) => ({ id: f.east.journey, contactId: f[side].contact }), refusals: [404] },

  // The manual clock exists in tests and simulations only; it moves time and runs the engine for every unit.
  'GET /admin/clock': { who: 'read', reach: 'none' },
  'POST /admin/clock': { who: 'admin', reach: 'none', organizationLevelOnly: true, body: () => ({ advance: 'PT1S' }) },
  'POST /admin/drain': { who: 'admin', reach: 'none', organizationLevelOnly: true },
};

let fixtures: Fixtures;
const ownerKeys: Record<Side, string> = { east: '', west: '' };

type Expectation = { allowed: true } | { status: number };

/** What a call should answer, by the rule of its route. */
function expected(rule: Rule, caller: Caller, side: Side): Expectation {
  if (rule.who === 'public') return { allowed: true };
  if (!caller.key) return { status: 401 };
  if (rule.who !== 'read' && caller.role === 'viewer') return { status: 403 };
  if (rule.who === 'admin' && caller.role !== 'admin') return { status: rule.roleDenied ?? 403 };
  const unitLevel = caller.level === 'businessUnit';
  if (unitLevel && rule.reach === 'organization' && rule.who !== 'read') return { status: 403 };
  if (unitLevel && rule.reach === 'unit' && side === 'west') return { status: rule.acrossUnits ?? 404 };
  if (unitLevel && rule.organizationLevelOnly) return { status: 403 };
  return { allowed: true };
}

/** Calls a route; answers the response and what the request named (its URL and body). */
const request = async (method: string, path: string, rule: Rule, caller: Caller, side: Side, params: Record<string, string>): Promise<[ApiResponse, string]> => {
  let url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? `missing-${name}`));
  if (params['?']) url += `?${params['?']}`;
  const body = rule.body?.(fixtures, side, caller);
  return [await server.api(method.toUpperCase(), url, body, { key: caller.key }), `${decodeURIComponent(url)} ${JSON.stringify(body ?? null)}`];
};

/** Every string in an answer, however deep, with the name of the field holding it. */
function strings(value: unknown, field = '', out: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof value === 'string' || typeof value === 'number') out.push([field, String(value)]);
  else if (Array.isArray(value)) for (const item of value) strings(item, field, out);
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) strings(item, key, out);
  return out;
}

/** West's ids and addresses found in an answer, but for those the request itself named (echoed in a 404, say). */
function westLeaks(body: unknown, asked: string): string[] {
  const west = fixtures.west;
  const named = (value: string) => asked.toLowerCase().includes(value.toLowerCase());
  const ids = new Set([west.unit, west.user, west.contact, west.account, west.staticSegment, west.dynamicSegment, west.journey, west.draftJourney, west.activity, west.lead].filter((one) => !named(one)));
  const addresses = [west.userEmail, west.contactEmail, west.bouncedEmail].map((address) => address.toLowerCase()).filter((one) => !named(one));
  return strings(body)
    .filter(
      ([field, text]) =>
        ids.has(text) ||
        // Message ids are small numbers: one counts where a message id is meant.
        (['id', 'messageId'].includes(field) && text === west.message && !named(`/messages/${text}`)) ||
        addresses.some((address) => text.toLowerCase().includes(address)),
    )
    .map(([field, text]) => `${field}=${text}`);
}

/** A digest of the tables the API changes, to tell whether anything changed. */
async function fingerprint(where: 'all' | 'west'): Promise<string[]> {
  const west = fixtures.west;
  const scope = where === 'west';
  const tables: Array<[string, string]> = [
    ['contacts', scope ? `business_unit_id = '${west.unit}'` : 'true'],
    ['accounts', scope ? `business_unit_id = '${west.unit}'` : 'true'],
    ['segments', scope ? `business_unit_id = '${west.unit}'` : 'true'],
    ['journeys', scope ? `business_unit_id = '${west.unit}'` : 'true'],
    ['users', scope ? `business_unit_id = '${west.unit}'` : 'true'],
    ['segment_members', scope ? `segment_id in (select id from segments where business_unit_id = '${west.unit}') or contact_id = '${west.contact}'` : 'true'],
    ['list_members', scope ? `contact_id = '${west.contact}'` : 'true'],
    ['events', scope ? `contact_id = '${west.contact}'` : 'true'],
    ['bounced_emails', 'true'],
    ['business_units', scope ? `id = '${west.unit}' or parent_id = '${west.unit}'` : 'true'],
    ['subscription_lists', 'true'],
    ['emails', 'true'],
    ['content_settings', 'true'],
    ['forms', 'true'],
    ['pages', 'true'],
    ['workflows', 'true'],
    ['scoring_models', 'true'],
    ...(scope ? [] : ([['attributes', 'true']] as Array<[string, string]>)),
  ];
  const sql = tables.map(([table, filter]) => `select '${table}' as t, md5(coalesce(string_agg(x::text, ',' order by x::text), '')) as h from ${table} x where ${filter}`).join(' union all ');
  const rows = await server.database.db.query<{ t: string; h: string }>(sql);
  return rows.map((row) => `${row.t}:${row.h}`);
}

describe('the permission matrix of every route', () => {
  const callers: Caller[] = [];
  let routes: Array<{ method: string; path: string; key: string }> = [];

  beforeAll(async () => {
    server = await startTestServer();
    const doc = (await server.api('GET', '/openapi.json', undefined, { key: null })).body;
    routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      ['get', 'post', 'put', 'patch', 'delete'].filter((method) => item[method]).map((method) => ({ method, path, key: `${method.toUpperCase()} ${path}` })),
    );

    const east = (await adminPost('/business-units', { name: 'East' })).id as string;
    const west = (await adminPost('/business-units', { name: 'West' })).id as string;
    const units: Record<Side, string> = { east, west };
    const makeUser = async (name: string, unit: string, role: Role, level: Level) => {
      const user = await adminPost('/users', { name, email: `${name}@corp.example`, businessUnitId: unit, role, level });
      return { user, key: (await adminPost('/api-keys', { userId: user.id })).key as string };
    };
    callers.push({ name: 'no key', key: null });
    for (const level of ['organization', 'businessUnit'] as const) {
      for (const role of ['viewer', 'marketer', 'admin'] as const) {
        const made = await makeUser(`${role}-${level}`.toLowerCase(), east, role, level);
        callers.push({ name: `${role} at ${level} level`, key: made.key, role, level, userId: made.user.id });
      }
    }

    const contentSettings = (await adminPost('/content-settings', { name: 'Default', postalAddress: '1 Main St' })).id;
    const email = (await adminPost('/emails', { name: 'Hello', subject: 'Hello {{ contact.firstName }}', html: `<p><a href="https://example.com/offer">Offer</a></p>${FOOTER}` })).id;
    await adminPost(`/emails/${email}/publish`, undefined);
    const shared: SharedRecords = {
      list: (await adminPost('/subscription-lists', { name: 'Everyone' })).id,
      email,
      draftEmail: (await adminPost('/emails', { name: 'Draft', subject: 'Draft', html: `<p>Draft</p>${FOOTER}` })).id,
      contentSettings,
      form: (await adminPost('/forms', { name: 'Sign up', fields: [{ name: 'email', type: 'email', required: true }] })).id,
      page: (await adminPost('/pages', { name: 'Landing', title: 'Welcome' })).id,
      workflow: (await adminPost('/workflows', { name: 'CRM', url: 'https://crm.example.com/hook', secret: 'long-enough-secret' })).id,
      scoringModel: (await adminPost('/scoring-models', { name: 'Interest', rules: [{ event: 'email_clicked', points: 5 }], salesReadyThreshold: 50 })).id,
    };

    const records = {} as Record<Side, UnitRecords>;
    for (const side of ['east', 'west'] as const) {
      const owner = await makeUser(`${side}-owner`, units[side], 'marketer', 'businessUnit');
      ownerKeys[side] = owner.key;
      const account = (await adminPost('/accounts', { name: `${side} inc`, businessUnitId: units[side] })).id;
      const contactEmail = `${side}-person@example.com`;
      const contact = (await adminPost('/contacts', { email: contactEmail, firstName: side, accountId: account, consent: 'marketing', businessUnitId: units[side] })).id;
      const bouncedEmail = `${side}-bounced@example.com`;
      await adminPost('/contacts', { email: bouncedEmail, businessUnitId: units[side] });
      await adminPost('/webhooks/bounces', { email: bouncedEmail, type: 'hard' });
      const staticSegment = (await adminPost('/segments', { name: `${side} static`, kind: 'static' }, owner.key)).id;
      await adminPost(`/segments/${staticSegment}/members`, { add: [contact] }, owner.key);
      const dynamicSegment = (await adminPost('/segments', { name: `${side} dynamic`, kind: 'dynamic', query: { attribute: 'email', op: 'exists' } }, owner.key)).id;
      await adminPost(`/subscription-lists/${shared.list}/members`, { add: [contact] });
      await server.api('POST', '/events', { contactId: contact, type: 'visited' });
      const journey = (
        await adminPost(
          '/journeys',
          {
            ...draftJourney(`${side} journey`),
            tiles: [
              { id: 'entry', type: 'segmentGroup', segments: [{ source: 'segment', segmentId: staticSegment, mode: 'include' }], next: 'mail' },
              { id: 'mail', type: 'email', emailId: email, next: 'task' },
              { id: 'task', type: 'activity', activityType: 'task', subject: 'Call', assignTo: 'journeyOwner', next: 'lead' },
              { id: 'lead', type: 'createLead', next: null },
            ],
          },
          owner.key,
        )
      ).id;
      await adminPost(`/journeys/${journey}/go-live`, undefined, owner.key);
      records[side] = {
        unit: units[side],
        user: owner.user.id,
        userEmail: owner.user.email,
        contact,
        contactEmail,
        account,
        staticSegment,
        dynamicSegment,
        journey,
        draftJourney: (await adminPost('/journeys', draftJourney(`${side} draft`), owner.key)).id,
        message: '',
        activity: '',
        lead: '',
        bouncedEmail,
      };
    }
    await server.drain();
    for (const side of ['east', 'west'] as const) {
      const of = `?contactId=${records[side].contact}`;
      records[side].message = (await server.api('GET', `/messages${of}`)).body.items[0]?.id;
      records[side].activity = (await server.api('GET', `/activities${of}`)).body.items[0]?.id;
      records[side].lead = (await server.api('GET', `/leads${of}`)).body.items[0]?.id;
    }
    fixtures = { east: records.east, west: records.west, shared };
    for (const side of ['east', 'west'] as const) for (const [name, value] of Object.entries(fixtures[side])) expect(value, `${side} ${name}`).toBeTruthy();
  }, 360_000);
  afterAll(() => server?.close());

  it('has a rule for every route of the OpenAPI document, and no rule for a route that is gone', () => {
    const keys = routes.map((route) => route.key);
    expect(keys.length).toBeGreaterThan(50);
    expect(keys.filter((key) => !RULES[key]), 'routes without a rule in RULES').toEqual([]);
    expect(Object.keys(RULES).filter((key) => !keys.includes(key)), 'rules of routes that do not exist').toEqual([]);
  });

  /** Calls every route as `caller` on both units' records, a few at a time; answers the failures. */
  const sweep = async (caller: Caller): Promise<string[]> => {
    const failures: string[] = [];
    const calls = routes.filter((route) => RULES[route.key]).flatMap((route) => (['east', 'west'] as const).map((side) => ({ route, side })));
    const run = async ({ route, side }: (typeof calls)[number]) => {
      const rule = RULES[route.key]!;
      const want = expected(rule, caller, side);
      const params = 'allowed' in want && rule.fresh ? await rule.fresh(side) : (rule.params?.(fixtures, side, caller) ?? {});
      const [response, asked] = await request(route.method, route.path, rule, caller, side, params);
      const what = `${caller.name}: ${route.key} on ${side}'s record → ${response.status} ${JSON.stringify(response.body)?.slice(0, 200)}`;
      if (response.status >= 500) failures.push(`${what} (a server error)`);
      else if ('status' in want && response.status !== want.status) failures.push(`${what}, expected ${want.status}`);
      else if ('allowed' in want && response.status >= 300 && !(rule.refusals ?? []).includes(response.status)) failures.push(`${what}, expected it allowed`);
      if (caller.level === 'businessUnit') {
        const leaks = westLeaks(response.body, asked);
        if (leaks.length > 0) failures.push(`${what}: leaks West's ${leaks.slice(0, 3).join(', ')}`);
      }
    };
    // A few at a time: fast, while each call still sees the fixtures it expects.
    const queue = [...calls];
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let call = queue.shift(); call; call = queue.shift()) await run(call);
    }));
    return failures;
  };

  it('answers 401 to every call without a key, except the public ones', async () => {
    expect(await sweep(callers[0]!)).toEqual([]);
  }, 120_000);

  it('lets viewers read what their level sees, and change nothing at all', async () => {
    const before = await fingerprint('all');
    for (const caller of callers.filter((one) => one.role === 'viewer')) expect(await sweep(caller)).toEqual([]);
    expect(await fingerprint('all')).toEqual(before);
  }, 180_000);

  it("keeps business-unit-level writers to their own unit: West's records are never seen nor changed", async () => {
    const before = await fingerprint('west');
    for (const caller of callers.filter((one) => one.level === 'businessUnit' && one.role !== 'viewer')) expect(await sweep(caller)).toEqual([]);
    expect(await fingerprint('west')).toEqual(before);
  }, 180_000);

  it('lets organization-level writers reach every unit, organization-wide records included', async () => {
    for (const caller of callers.filter((one) => one.level === 'organization' && one.role !== 'viewer')) expect(await sweep(caller)).toEqual([]);
  }, 180_000);

  it('answers an event for another unit\'s contact exactly as one for an address nobody has', async () => {
    const marketer = callers.find((one) => one.role === 'marketer' && one.level === 'businessUnit')!;
    const across = await server.api('POST', '/events', { email: fixtures.west.contactEmail, type: 'visited' }, { key: marketer.key });
    const unknown = await server.api('POST', '/events', { email: 'nobody-at-all@example.com', type: 'visited' }, { key: marketer.key });
    expect(across.status).toBe(400);
    expect({ ...across.body, detail: undefined }).toEqual({ ...unknown.body, detail: undefined });
    expect(across.body.errors).toEqual(unknown.body.errors);
    const byId = await server.api('POST', '/events', { contactId: fixtures.west.contact, type: 'visited' }, { key: marketer.key });
    const unknownId = await server.api('POST', '/events', { contactId: 'no-such-contact', type: 'visited' }, { key: marketer.key });
    expect([byId.status, byId.body.errors]).toEqual([unknownId.status, unknownId.body.errors]);
  });

  it("evaluates segment queries and shared lists for a business-unit-level user over its own unit's contacts only", async () => {
    const viewer = callers.find((one) => one.role === 'viewer' && one.level === 'businessUnit')!;
    const everyone = { query: { attribute: 'email', op: 'exists' } };
    const [all, eastOnly] = await Promise.all([server.api('POST', '/segments/preview', everyone), server.api('POST', '/segments/preview', everyone, { key: viewer.key })]);
    const eastContacts = await server.database.db.query<{ n: number }>('select count(*)::int as n from contacts where business_unit_id = $1', [fixtures.east.unit]);
    expect(eastOnly.body.count).toBe(eastContacts[0]!.n);
    expect(all.body.count).toBeGreaterThan(eastOnly.body.count);
    const members = await server.api('GET', `/segments/${fixtures.east.dynamicSegment}/members?limit=1000`, undefined, { key: viewer.key });
    expect(members.body.items.length).toBe(eastContacts[0]!.n);
    const listed = await server.api('GET', `/subscription-lists/${fixtures.shared.list}/members?limit=1000`, undefined, { key: viewer.key });
    expect(listed.body.items.map((contact: { email: string }) => contact.email)).toContain(fixtures.east.contactEmail);
    expect(listed.body.items.every((contact: { businessUnitId: string }) => contact.businessUnitId === fixtures.east.unit)).toBe(true);
  });

  it('renders previews and messages with inert links: no working click, open or unsubscribe token', async () => {
    const viewer = callers.find((one) => one.role === 'viewer' && one.level === 'businessUnit')!;
    const preview = await server.api('GET', `/emails/${fixtures.shared.email}/preview?contactId=${fixtures.east.contact}`, undefined, { key: viewer.key });
    const message = await server.api('GET', `/messages/${fixtures.east.message}`, undefined, { key: viewer.key });
    expect(preview.status).toBe(200);
    expect(message.status).toBe(200);
    for (const html of [preview.body.html, message.body.rendered.html] as string[]) {
      expect(html).toContain('href="https://example.com/offer"');
      const tokens = [...html.matchAll(/\/(?:u|t\/[co])\/([^"'\s<>]+)/g)].map((match) => match[1]);
      expect(tokens.every((token) => token === 'preview'), html).toBe(true);
      // Following the unsubscribe link changes nothing.
      for (const token of tokens) await fetch(`${server.url}/u/${token}`, { method: 'POST' });
    }
    const lists = await server.api('GET', `/contacts/${fixtures.east.contact}/subscription-lists`);
    expect(lists.body.items.map((list: { id: string }) => list.id)).toContain(fixtures.shared.list);
  });
});
