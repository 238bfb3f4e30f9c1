import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.ts';
import { badRequest, type FieldError } from '../problem.ts';
import { accountRoutes } from './accounts.ts';
import { activityLeadRoutes } from './activitiesLeads.ts';
import { apiKeyRoutes } from './apiKeys.ts';
import { attributeRoutes } from './attributes.ts';
import { businessUnitRoutes } from './businessUnits.ts';
import { contactRoutes } from './contacts.ts';
import { contentSettingsRoutes } from './contentSettings.ts';
import { emailRoutes } from './emails.ts';
import { eventRoutes } from './events.ts';
import { formRoutes } from './forms.ts';
import { segmentRoutes } from './segments.ts';
import { subscriptionListRoutes } from './subscriptionLists.ts';
import { userRoutes } from './users.ts';
import { workflowRoutes } from './workflows.ts';

const MAX_DEPTH = 64;

/**
 * What in a request part PostgreSQL or JSON handling would fail on, as the caller's 400 rather than
 * our 500: a NUL character (PostgreSQL stores U+0000 in neither text nor jsonb), or nesting deeper
 * than any resource needs (JSON.stringify and jsonb parsing recurse). Iterative, so any depth is safe.
 */
function inputProblem(root: unknown): FieldError | null {
  const pending: [unknown, string, number][] = [[root, '', 0]];
  while (pending.length > 0) {
    const [value, path, depth] = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return { path: path || 'body', message: 'text may not contain U+0000' };
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    if (depth >= MAX_DEPTH) return { path: path || 'body', message: `nested more than ${MAX_DEPTH} levels deep` };
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) return { path: at, message: 'text may not contain U+0000' };
      pending.push([item, at, depth + 1]);
    }
  }
  return null;
}

/** The records journeys use; each resource lives in its own file. */
export function resourceRoutes(api: FastifyInstance, ctx: ServerContext): void {
  // An encapsulated scope: the guard below applies to these routes only; auth and errors are inherited.
  void api.register(async (app) => {
    app.addHook('preValidation', async (request) => {
      const problem = inputProblem(request.params) ?? inputProblem(request.query) ?? inputProblem(request.body);
      if (problem) throw badRequest(`Invalid ${problem.path}: ${problem.message}`, [problem]);
    });
    registerResources(app, ctx);
  });
}

function registerResources(app: FastifyInstance, ctx: ServerContext): void {
  businessUnitRoutes(app, ctx);
  userRoutes(app, ctx);
  apiKeyRoutes(app, ctx);
  attributeRoutes(app, ctx);
  accountRoutes(app, ctx);
  contactRoutes(app, ctx);
  segmentRoutes(app, ctx);
  subscriptionListRoutes(app, ctx);
  contentSettingsRoutes(app, ctx);
  emailRoutes(app, ctx);
  formRoutes(app, ctx);
  eventRoutes(app, ctx);
  activityLeadRoutes(app, ctx);
  workflowRoutes(app, ctx);
}
