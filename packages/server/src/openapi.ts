/**
 * The OpenAPI 3.1 document of the HTTP API (contract §2). The routes themselves are collected as
 * fastify registers them (an `onRoute` hook), so no route can be left out; request bodies are the
 * very zod schemas the routes decode with, converted by zod's own JSON Schema generator.
 */
import { ForecastRequest, JourneyDefinition, PathPreviewRequest, SegmentQuery } from '@waymark/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AccountInput, AccountPatch } from './routes/accounts.ts';
import { ClockChange } from './routes/admin.ts';
import { LoginInput, PasswordChange } from './routes/auth.ts';
import { ApiKeyInput } from './routes/apiKeys.ts';
import { AttributeInput } from './routes/attributes.ts';
import { BusinessUnitInput } from './routes/businessUnits.ts';
import { BatchInput, ContactInput, ContactPatch } from './routes/contacts.ts';
import { ContentSettingsInput, ContentSettingsPatch } from './routes/contentSettings.ts';
import { EmailInput, EmailPatch } from './routes/emails.ts';
import { EventBatch, EventInput } from './routes/events.ts';
import { BounceBatch, BounceInput } from './routes/bounces.ts';
import { FormInput, FormPatch } from './routes/forms.ts';
import { FromTemplate, LivePatch } from './routes/journeys.ts';
import { PublishBody } from './routes/journeyVersions.ts';
import { PageInput, PagePatch } from './routes/pages.ts';
import { ScoringModelInput, ScoringModelPatch } from './routes/scoringModels.ts';
import { MembersChange as SegmentMembersChange, PreviewInput, SegmentInput, SegmentPatch } from './routes/segments.ts';
import { ListInput as SubscriptionListInput, MembersChange as ListMembersChange } from './routes/subscriptionLists.ts';
import { UserInput, UserPatch } from './routes/users.ts';
import { WorkflowInput } from './routes/workflows.ts';

export const API_PREFIX = '/api/v1';

/** One route of the API: a lower-case method and an OpenAPI path relative to the prefix, e.g. `/journeys/{id}`. */
export interface ApiRoute {
  method: string;
  path: string;
}

/** `/journeys/:id/contacts/:contactId` as OpenAPI writes it: `/journeys/{id}/contacts/{contactId}`. */
export const openApiPath = (url: string) => url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

/**
 * Records every route registered on `app` from now on (register it before the routes): the list
 * fills as fastify registers them. HEAD (fastify's automatic twin of each GET) is left out.
 */
export function collectRoutes(app: FastifyInstance, prefix = API_PREFIX): ApiRoute[] {
  const routes: ApiRoute[] = [];
  app.addHook('onRoute', (route) => {
    const url = route.url.startsWith(prefix) ? route.url.slice(prefix.length) || '/' : route.url;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      routes.push({ method: method.toLowerCase(), path: openApiPath(url) });
    }
  });
  return routes;
}

interface OperationSpec {
  /** The request body: the name of its schema in BODY_SCHEMAS. */
  body?: string;
  /** The success status when not the default (201 for a create, 204 for a DELETE, else 200). */
  status?: number;
  summary?: string;
  /** Answers beyond those the route's kind implies (e.g. a public route's 401), by status. */
  also?: (keyof typeof EXTRA_RESPONSES)[];
}

const EXTRA_RESPONSES = {
  401: 'Unauthorized',
  403: 'Forbidden',
  429: 'TooManyRequests',
} as const;

/** Request bodies, by component name: the schemas the routes decode with. */
const BODY_SCHEMAS: Record<string, z.ZodType> = {
  BusinessUnitInput,
  UserInput,
  UserPatch,
  LoginInput,
  PasswordChange,
  ApiKeyInput,
  AttributeInput,
  AccountInput,
  AccountPatch,
  ContactInput,
  ContactPatch,
  ContactBatch: BatchInput,
  SegmentInput,
  SegmentPatch,
  SegmentPreview: PreviewInput,
  SegmentMembersChange,
  SubscriptionListInput,
  SubscriptionListPatch: SubscriptionListInput.partial().strict(),
  ListMembersChange,
  ContentSettingsInput,
  ContentSettingsPatch,
  EmailInput,
  EmailPatch,
  FormInput,
  FormPatch,
  WorkflowInput,
  EventInput,
  EventBatch,
  Events: z.union([EventInput, EventBatch]),
  JourneyDefinition,
  JourneyFromTemplate: FromTemplate,
  JourneyCreate: z.union([JourneyDefinition, FromTemplate]),
  // A draft takes any part of its definition; a live or stopped journey only these two (contract §4).
  JourneyPatch: z.union([JourneyDefinition.partial(), LivePatch]),
  JourneyPublish: PublishBody,
  ClockChange,
  PathPreviewRequest,
  ForecastRequest,
  PageInput,
  PagePatch,
  ScoringModelInput,
  ScoringModelPatch,
  Bounces: z.union([BounceInput, BounceBatch]),
};

/** What the routes themselves cannot say: bodies, statuses, summaries. Keyed `METHOD /path`. */
const OPERATIONS: Record<string, OperationSpec> = {
  'POST /business-units': { body: 'BusinessUnitInput', summary: 'Create a business unit' },
  'POST /users': { body: 'UserInput', summary: 'Create a user (with a password of at least 12 characters, to sign in with email and password)' },
  'PATCH /users/{id}': { body: 'UserPatch', summary: 'Rename a user, set a new password (ends their sessions) or deactivate them (ends their sessions and keys)' },
  'POST /auth/login': { body: 'LoginInput', also: [401, 403, 429], summary: 'Sign in with email and password: sets the HttpOnly session cookie and answers the caller with its csrfToken' },
  'POST /auth/logout': { status: 204, summary: 'End the session of the cookie' },
  'GET /auth/me': { summary: 'The caller: user id, name, email, role, level, businessUnitId, and the csrfToken of a cookie session' },
  'POST /auth/password': { body: 'PasswordChange', also: [429], summary: "Change one's own password; every other session of the person ends" },
  'GET /auth/options': { summary: 'How people may sign in here: {password, sso}' },
  'GET /auth/oidc/start': { status: 302, summary: 'Single sign-on: redirects to the OpenID Connect provider (404 when not configured)' },
  'GET /auth/oidc/callback': { status: 302, summary: 'Single sign-on: the provider redirects back here; signs in the existing user with that email and redirects to the designer' },
  'POST /api-keys': { body: 'ApiKeyInput', summary: 'Create an API key (the key is shown once)' },
  'POST /attributes': { body: 'AttributeInput', summary: 'Declare a custom attribute (200 when already declared the same way)' },
  'POST /accounts': { body: 'AccountInput', summary: 'Create an account' },
  'PATCH /accounts/{id}': { body: 'AccountPatch' },
  'POST /contacts': { body: 'ContactInput', summary: 'Create a contact' },
  'PATCH /contacts/{id}': { body: 'ContactPatch' },
  'DELETE /contacts/{id}': { summary: 'Erase a contact (GDPR): every row about the person goes; only a hash of the address stays, so it is never mailed again' },
  'GET /contacts/{id}/export': { summary: 'Everything held about the contact, as one JSON document (GDPR access)' },
  'POST /contacts/batch': { body: 'ContactBatch', summary: 'Upsert up to 10 000 contacts by email, all or nothing' },
  'POST /segments': { body: 'SegmentInput', summary: 'Create a dynamic or static segment' },
  'PATCH /segments/{id}': { body: 'SegmentPatch' },
  'POST /segments/preview': { body: 'SegmentPreview', summary: 'Count and sample the contacts a query holds, without saving it' },
  'POST /segments/{id}/members': { body: 'SegmentMembersChange', summary: 'Add or remove members of a static segment' },
  'POST /subscription-lists': { body: 'SubscriptionListInput', summary: 'Create a subscription list' },
  'PATCH /subscription-lists/{id}': { body: 'SubscriptionListPatch' },
  'POST /subscription-lists/{id}/members': { body: 'ListMembersChange', summary: 'A manual change of the members by staff' },
  'POST /content-settings': { body: 'ContentSettingsInput', summary: 'Create content settings' },
  'PATCH /content-settings/{id}': { body: 'ContentSettingsPatch' },
  'POST /emails': { body: 'EmailInput', summary: 'Create a draft email' },
  'PATCH /emails/{id}': { body: 'EmailPatch' },
  'POST /emails/{id}/publish': { summary: 'Publish an email, or the next revision of a live one (422 when it lacks the required placeholders)' },
  'POST /forms': { body: 'FormInput', summary: 'Create a draft form' },
  'PATCH /forms/{id}': { body: 'FormPatch' },
  'POST /workflows': { body: 'WorkflowInput', summary: 'Register a business workflow' },
  'POST /events': { body: 'Events', status: 202, summary: 'Record one custom event, {events: [...]}, or application/x-ndjson (one event a line, up to 10 000)' },
  'POST /journeys': { body: 'JourneyCreate', summary: 'Create a draft journey, from a whole definition or from {templateId, name}' },
  'PUT /journeys/{id}': { body: 'JourneyDefinition', summary: 'Replace the definition of a draft journey (409 otherwise)' },
  'PATCH /journeys/{id}': { body: 'JourneyPatch', summary: 'Change a draft; on a live or stopped journey only endAt and recurrence.count may grow' },
  'POST /journeys/{id}/check': { summary: 'Check a journey for errors' },
  'POST /journeys/{id}/go-live': { summary: 'Take a journey live (422 with the errors when it has any)' },
  'POST /journeys/{id}/stop': { summary: 'Stop a live journey' },
  'POST /journeys/{id}/preview-path': { body: 'PathPreviewRequest', summary: 'What would happen to one contact from now, given the events it is expected to cause (writes and sends nothing)' },
  'POST /journeys/{id}/forecast': { body: 'ForecastRequest', summary: 'Expected counts per tile over a horizon for the current audience, with assumed rates (writes nothing)' },
  'PUT /journeys/{id}/draft': { body: 'JourneyDefinition', summary: 'Save the next version of a live or stopped journey (409 for a draft journey)' },
  'DELETE /journeys/{id}/draft': { summary: 'Discard the next version; the running one stays' },
  'POST /journeys/{id}/draft/check': { body: 'JourneyPublish', summary: 'Check the next version: its errors, and what it adds, removes (with the contacts waiting there) and changes' },
  'POST /journeys/{id}/draft/publish': { body: 'JourneyPublish', summary: 'Publish the next version; contacts under way carry over (422 with the errors, 409 when there is no draft)' },
  'PUT /emails/{id}/draft': { body: 'EmailInput', summary: 'Save the next revision of a live email (409 for a draft email)' },
  'DELETE /emails/{id}/draft': { summary: 'Discard the next revision of a live email' },
  'GET /emails/{id}/usage': { summary: 'The live and stopped journeys that send the email' },
  'POST /forms/{id}/publish': { summary: 'Publish a form: public at /f/{id} (422 when a field contradicts a declared attribute)' },
  'GET /forms/{id}/embed': { summary: 'The public URL of a form and an iframe snippet that embeds it in another site' },
  'POST /pages': { body: 'PageInput', summary: 'Create a draft marketing (landing) page' },
  'PATCH /pages/{id}': { body: 'PagePatch' },
  'POST /pages/{id}/publish': { summary: 'Publish a page: public at /p/{id} (422 while its form is not published)' },
  'POST /scoring-models': { body: 'ScoringModelInput', summary: 'Create a draft lead-scoring model' },
  'PATCH /scoring-models/{id}': { body: 'ScoringModelPatch', summary: 'Change a scoring model (a live one rescores every lead)' },
  'POST /scoring-models/{id}/publish': { summary: 'Publish a scoring model: every lead is scored by it' },
  'POST /webhooks/bounces': { body: 'Bounces', status: 202, summary: 'Inbound bounce webhook: one report or {bounces: [...]}; a hard bounce stops all mail to the address' },
  'DELETE /bounced-emails/{email}': { summary: 'Lift the hard-bounce block on an address' },
  'POST /admin/clock': { body: 'ClockChange', summary: 'Set or advance the manual clock (404 unless WAYMARK_CLOCK=manual)' },
  'POST /admin/drain': { summary: 'Process everything due at the current clock time (404 unless WAYMARK_CLOCK=manual)' },
};

/** GET routes ending in a literal segment that answer one object, not a list. */
const NOT_LISTS = new Set(['/journeys/{id}/draft', '/emails/{id}/draft', '/auth/me', '/auth/options', '/auth/oidc/start', '/auth/oidc/callback', '/forms/{id}/embed', '/admin/clock', '/journeys/{id}/insights', '/emails/{id}/preview', '/openapi.json', '/contacts/{id}/export']);
/** Lists answered whole, `nextCursor` always null: they take no `cursor` or `limit`. */
const UNPAGED_LISTS = new Set(['/journeys/{id}/versions', '/emails/{id}/usage', '/attributes', '/journey-templates', '/journeys/{id}/milestones', '/journeys/{id}/iterations', '/journeys/{id}/timeline', '/contacts/{id}/segments', '/contacts/{id}/subscription-lists']);
/** Routes reached without an API key. */
const PUBLIC = new Set(['GET /openapi.json', 'POST /auth/login', 'GET /auth/options', 'GET /auth/oidc/start', 'GET /auth/oidc/callback']);

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

const STANDARD_RESPONSES = {
  BadRequest: problemResponse('Malformed or schema-invalid input; `errors` names each bad field'),
  Unauthorized: problemResponse('No valid API key'),
  Forbidden: problemResponse('Forbidden by permission or scope'),
  NotFound: problemResponse('Unknown id (also an id of a business unit the caller may not see)'),
  Conflict: problemResponse('State conflict, e.g. editing a live journey'),
  UnprocessableContent: problemResponse('Business-rule failure, e.g. go-live of a journey with errors'),
  ContentTooLarge: problemResponse('The body exceeds 16 MiB'),
  UnsupportedMediaType: problemResponse('The body is not application/json'),
  TooManyRequests: problemResponse('Too many attempts: wait as many seconds as Retry-After says'),
};

const COMPONENT_SCHEMAS = {
  Problem: {
    type: 'object',
    description: 'An RFC 9457 problem',
    required: ['type', 'title', 'status'],
    properties: {
      type: { type: 'string', format: 'uri' },
      title: { type: 'string' },
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: { type: 'string' },
      errors: { type: 'array', items: { $ref: '#/components/schemas/FieldError' } },
    },
  },
  FieldError: {
    type: 'object',
    required: ['path', 'message'],
    properties: {
      path: { type: 'string', description: 'Where in the request the bad value sits, e.g. `contacts.3.email`' },
      message: { type: 'string' },
    },
  },
  ListEnvelope: {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: { type: 'object' } }, nextCursor: { type: ['string', 'null'] } },
  },
  Object: { type: 'object', description: 'The resource or the result of the action' },
};

const PAGING_PARAMETERS = [
  { name: 'cursor', in: 'query', required: false, description: 'The nextCursor of the previous page', schema: { type: 'string', maxLength: 500 } },
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
];

/** Every request body as a JSON Schema component; SegmentQuery (recursive, shared) is one of its own. */
function bodyComponents(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  registry.add(SegmentQuery, { id: 'SegmentQuery' });
  for (const [id, schema] of Object.entries(BODY_SCHEMAS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { unrepresentable: 'any', io: 'input', uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      // The document is the schema's context: a per-schema dialect or id would only confuse resolvers.
      const { $schema: _dialect, $id: _id, ...rest } = schema as Record<string, unknown>;
      return [id, rest];
    }),
  );
}

const words = (path: string) =>
  path
    .split(/[/{}.-]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1));

function operation(route: ApiRoute) {
  const key = `${route.method.toUpperCase()} ${route.path}`;
  const spec = OPERATIONS[key] ?? {};
  const params = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
  const segments = route.path.split('/').filter(Boolean);
  const last = segments.at(-1) ?? '';
  const isList = route.method === 'get' && !last.startsWith('{') && !NOT_LISTS.has(route.path);
  const isCreate = route.method === 'post' && segments.length === 1 && spec.body !== undefined;
  const status = spec.status ?? (route.method === 'delete' ? 204 : isCreate ? 201 : 200);
  const isPublic = PUBLIC.has(`${route.method.toUpperCase()} ${route.path}`);

  const success =
    status === 204
      ? { description: 'Done' }
      : status === 302
        ? { description: 'A redirect: follow the Location header' }
        : {
            description: isCreate ? 'Created: the whole object, id included' : 'OK',
            content: { 'application/json': { schema: { $ref: `#/components/schemas/${isList ? 'ListEnvelope' : 'Object'}` } } },
          };
  const responses: Record<string, unknown> = { [status]: success };
  if (route.path !== '/openapi.json') responses['400'] = { $ref: '#/components/responses/BadRequest' };
  if (!isPublic) {
    responses['401'] = { $ref: '#/components/responses/Unauthorized' };
    responses['403'] = { $ref: '#/components/responses/Forbidden' };
  }
  if (params.length > 0 || route.path.startsWith('/admin/')) responses['404'] = { $ref: '#/components/responses/NotFound' };
  if (route.method !== 'get') {
    responses['409'] = { $ref: '#/components/responses/Conflict' };
    responses['422'] = { $ref: '#/components/responses/UnprocessableContent' };
  }
  for (const extra of spec.also ?? []) responses[extra] = { $ref: `#/components/responses/${EXTRA_RESPONSES[extra]}` };
  if (spec.body) {
    responses['413'] = { $ref: '#/components/responses/ContentTooLarge' };
    responses['415'] = { $ref: '#/components/responses/UnsupportedMediaType' };
  }

  return {
    operationId: `${route.method}${words(route.path).join('')}`,
    tags: [segments[0] ?? 'api'],
    ...(spec.summary ? { summary: spec.summary } : {}),
    ...(isPublic ? { security: [] } : {}),
    parameters: [
      ...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string', minLength: 1 } })),
      ...(isList && !UNPAGED_LISTS.has(route.path) ? PAGING_PARAMETERS : []),
    ],
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${spec.body}` } } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document for `routes` (as collected by `collectRoutes`). */
export function buildOpenApiDocument(routes: readonly ApiRoute[], prefix = API_PREFIX) {
  const paths: Record<string, Record<string, unknown>> = {};
  const sorted = [...routes].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  for (const route of sorted) (paths[route.path] ??= {})[route.method] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Waymark API',
      version: '1',
      description: 'Customer-journey orchestration. Errors are application/problem+json (RFC 9457); lists are {items, nextCursor}.',
    },
    servers: [{ url: prefix }],
    security: [{ bearer: [] }, { session: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer <key>' },
        session: { type: 'apiKey', in: 'cookie', name: 'waymark_session', description: 'The cookie POST /auth/login sets; writes also need the X-CSRF-Token header' },
      },
      schemas: { ...COMPONENT_SCHEMAS, ...bodyComponents() },
      responses: STANDARD_RESPONSES,
    },
  };
}
