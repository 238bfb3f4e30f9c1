import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.ts';
import { workflowRoutes } from './workflows.ts';

/** The records journeys use; each resource lives in its own file. */
export function resourceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  workflowRoutes(app, ctx);
}
