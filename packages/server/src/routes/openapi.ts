import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.ts';
import { buildOpenApiDocument, collectRoutes } from '../openapi.ts';

/**
 * `GET /openapi.json`, without an API key. Register it before every other route: it collects them
 * as they are registered, so the document always describes exactly the routes the server has.
 */
export function openApiRoutes(app: FastifyInstance, _ctx: ServerContext): void {
  const routes = collectRoutes(app);
  let document: ReturnType<typeof buildOpenApiDocument> | null = null;
  // Built on first use, once every route is registered; the routes never change after start.
  app.get('/openapi.json', async () => (document ??= buildOpenApiDocument(routes)));
}
