import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.ts';
import { accountRoutes } from './accounts.ts';
import { activityLeadRoutes } from './activitiesLeads.ts';
import { bounceRoutes } from './bounces.ts';
import { apiKeyRoutes } from './apiKeys.ts';
import { attributeRoutes } from './attributes.ts';
import { businessUnitRoutes } from './businessUnits.ts';
import { contactRoutes } from './contacts.ts';
import { contentSettingsRoutes } from './contentSettings.ts';
import { emailRoutes } from './emails.ts';
import { eventRoutes } from './events.ts';
import { formRoutes } from './forms.ts';
import { messageRoutes } from './messages.ts';
import { pageRoutes } from './pages.ts';
import { scoringModelRoutes } from './scoringModels.ts';
import { segmentRoutes } from './segments.ts';
import { subscriptionListRoutes } from './subscriptionLists.ts';
import { userRoutes } from './users.ts';
import { workflowRoutes } from './workflows.ts';

/** The records journeys use; each resource lives in its own file. */
export function resourceRoutes(app: FastifyInstance, ctx: ServerContext): void {
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
  messageRoutes(app, ctx);
  pageRoutes(app, ctx);
  scoringModelRoutes(app, ctx);
  bounceRoutes(app, ctx);
}
