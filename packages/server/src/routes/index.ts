import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.ts';
import { adminRoutes } from './admin.ts';
import { authRoutes } from './auth.ts';
import { journeyRoutes } from './journeys.ts';
import { journeyPreviewRoutes } from './journeyPreview.ts';
import { journeyTimelineRoutes } from './journeyTimeline.ts';
import { journeyVersionRoutes } from './journeyVersions.ts';
import { openApiRoutes } from './openapi.ts';
import { resourceRoutes } from './resources.ts';

export function registerApiRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // First: it collects every route registered after it for the OpenAPI document.
  openApiRoutes(app, ctx);
  resourceRoutes(app, ctx);
  journeyRoutes(app, ctx);
  journeyTimelineRoutes(app, ctx);
  journeyPreviewRoutes(app, ctx);
  journeyVersionRoutes(app, ctx);
  adminRoutes(app, ctx);
  authRoutes(app, ctx);
}
