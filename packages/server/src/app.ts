import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import { QueryTimeoutError } from '@waymark/engine';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { authenticate } from './auth.ts';
import type { ServerContext } from './context.ts';
import { inputProblem } from './inputGuard.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { WaymarkMetrics } from './observability/metrics.ts';
import { registerOperationsRoutes } from './observability/routes.ts';
import { Problem } from './problem.ts';
import { PUBLIC_AUTH_ROUTES } from './routes/auth.ts';
import { registerApiRoutes } from './routes/index.ts';
import { registerPublicRoutes } from './routes/public.ts';
import { registerWebApp } from './routes/webApp.ts';

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';
/** Big enough for a 10 000-contact batch; anything larger is refused before it is parsed. */
export const BODY_LIMIT = 16 * 1024 * 1024;

/** Fastify's own errors for bad requests, as problems naming what was wrong. */
function fastifyProblem(error: FastifyError): Problem | null {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new Problem(400, 'Bad Request', `Malformed JSON: ${error.message}`, [{ path: 'body', message: 'not valid JSON' }]);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new Problem(413, 'Content Too Large', `The body exceeds ${BODY_LIMIT} bytes`, [{ path: 'body', message: 'too large' }]);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new Problem(415, 'Unsupported Media Type', 'Send application/json', [{ path: 'content-type', message: 'unsupported' }]);
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new Problem(error.statusCode, 'Bad Request', error.message, [{ path: 'body', message: error.message }]);
  }
  return null;
}

/**
 * How long a client may take (docs/limits.md). Node's defaults let a client that sends half a
 * request hold its connection for minutes; each such connection is memory and a socket.
 */
export const HTTP_TIMEOUTS = {
  /** From connecting to the end of the headers. */
  headersMs: 10_000,
  /** From connecting to the end of the body: 16 MiB at 2 Mbit/s, with room for a busy server. */
  requestMs: 60_000,
  /** An idle kept-alive connection between two requests. */
  keepAliveMs: 10_000,
  /** How often Node looks for requests past those deadlines. */
  checkEveryMs: 1_000,
};

/** The API routes reached without signing in: the OpenAPI document and the ways to sign in. */
const PUBLIC_API_ROUTES = new Set(['/api/v1/openapi.json', ...PUBLIC_AUTH_ROUTES.map((path) => `/api/v1${path}`)]);

export interface ServerOptions {
  /** Request lines and errors go here (JSON lines); by default only errors, on stdout. */
  logger?: Logger;
  /** This runtime's metrics registry, fed by requests here and by the worker. */
  metrics?: WaymarkMetrics;
  /** When set, /metrics answers only `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /**
   * Believe X-Forwarded-For (behind a reverse proxy you run). Off by default: otherwise anyone
   * could pick the address that per-IP rate limits count against.
   */
  trustProxy?: boolean;
  /** Tighter (or looser) HTTP_TIMEOUTS, e.g. in tests. */
  timeouts?: Partial<typeof HTTP_TIMEOUTS>;
}

/** A caller's own request id is kept when it is a sane token, so logs join up across services. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export async function buildServer(ctx: ServerContext, options: ServerOptions = {}): Promise<FastifyInstance> {
  const timeouts = { ...HTTP_TIMEOUTS, ...options.timeouts };
  const metrics = options.metrics ?? new WaymarkMetrics({ db: ctx.db, clock: ctx.clock });
  const app = Fastify({
    // Typed as Fastify's logger, so routes see the plain FastifyInstance type.
    loggerInstance: (options.logger ?? createLogger({ level: 'error' })) as FastifyBaseLogger,
    // One line per request, written below once the answer is known (Fastify's own would be two).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: timeouts.checkEveryMs },
    bodyLimit: BODY_LIMIT,
    trustProxy: options.trustProxy ?? false,
    routerOptions: { maxParamLength: 1000 },
    // What the router refuses before any route or error handler runs: problems too (the URL is not echoed, it may be huge).
    frameworkErrors: (error, _request, reply) => {
      const problem =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new Problem(414, 'URI Too Long', 'A path segment is longer than any id can be', [{ path: 'url', message: 'path segment too long' }])
          : error.code === 'FST_ERR_BAD_URL'
            ? new Problem(400, 'Bad Request', 'The URL is not valid (malformed percent-encoding)', [{ path: 'url', message: 'not a valid URL' }])
            : new Problem(500, 'Internal Server Error', 'Something went wrong on our side');
      // The router's generic reply type knows no statuses of ours.
      void (reply as FastifyReply).status(problem.status).type(PROBLEM_TYPE).send(problem.toJSON());
    },
  });

  app.setErrorHandler((error: FastifyError | Problem, request, reply) => {
    if (error instanceof QueryTimeoutError) {
      // A preview past its bounds (docs/limits.md): busy or too costly now, never a hung request.
      const problem = new Problem(503, 'Service Unavailable', `The preview was stopped: ${error.message}; narrow the query or try again shortly`);
      return reply.status(503).header('retry-after', '5').type(PROBLEM_TYPE).send(problem.toJSON());
    }
    const problem = error instanceof Problem ? error : fastifyProblem(error);
    if (problem) return reply.status(problem.status).type(PROBLEM_TYPE).send(problem.toJSON());
    // An unexpected failure is ours to fix: always in the log, with the request's id and route.
    request.log.error({ err: error, route: request.routeOptions.url }, 'request failed');
    // Never leak internals (SQL, stack) to the caller.
    return reply.status(500).type(PROBLEM_TYPE).send(new Problem(500, 'Internal Server Error', 'Something went wrong on our side').toJSON());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).type(PROBLEM_TYPE).send(new Problem(404, 'Not Found', `No route ${request.method} ${request.url.split('?')[0]}`).toJSON()),
  );

  app.decorateRequest('caller', null as never);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the URL itself: paths carry tokens (/u/..., /t/...) and ids.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    request.log.info(
      { method: request.method, route, status: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 10) / 10, userId: request.caller?.userId },
      'request',
    );
  });
  // Before any route sees a request: text PostgreSQL cannot store and nesting nothing needs.
  app.addHook('preValidation', async (request) => {
    const problem = inputProblem(request.params) ?? inputProblem(request.query) ?? inputProblem(request.body);
    if (problem) throw new Problem(400, 'Bad Request', `Invalid ${problem.path}: ${problem.message}`, [problem]);
  });
  // Parses the Cookie header (the session cookie of people who signed in); sets none by itself.
  await app.register(cookie);
  await app.register(
    async (api) => {
      api.addHook('onRequest', async (request) => {
        // Only these routes are public: a path that merely ends in /openapi.json (an id) is not.
        if (PUBLIC_API_ROUTES.has(request.routeOptions.url ?? '')) return;
        request.caller = await authenticate(ctx, request);
      });
      registerApiRoutes(api, ctx);
    },
    { prefix: '/api/v1' },
  );
  registerOperationsRoutes(app, { db: ctx.db, metrics, metricsToken: options.metricsToken });
  registerPublicRoutes(app, ctx);
  registerWebApp(app);
  return app;
}
