import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.ts';
import { adminRoutes } from './admin.ts';
import { journeyRoutes } from './journeys.ts';
import { resourceRoutes } from './resources.ts';

export function registerApiRoutes(app: FastifyInstance, ctx: ServerContext): void {
  resourceRoutes(app, ctx);
  journeyRoutes(app, ctx);
  adminRoutes(app, ctx);
}
