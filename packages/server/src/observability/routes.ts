import { createHash, timingSafeEqual } from 'node:crypto';
import { pendingMigrations, type Queryable } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { Problem } from '../problem.ts';
import type { WaymarkMetrics } from './metrics.ts';

export interface OperationsOptions {
  db: Queryable;
  metrics: WaymarkMetrics;
  /** When set, /metrics answers only `Authorization: Bearer <token>`. */
  metricsToken?: string;
}

/** A database that does not answer within this is as good as down for readiness. */
const READINESS_TIMEOUT_MS = 2_000;

function sameSecret(given: string, expected: string): boolean {
  // Digests first: equal lengths for timingSafeEqual, and no early exit on the length.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

async function readiness(db: Queryable): Promise<{ database: string; migrations: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), READINESS_TIMEOUT_MS);
  });
  try {
    const pending = await Promise.race([pendingMigrations(db), timeout]);
    return { database: 'ok', migrations: pending.length === 0 ? 'ok' : `${pending.length} pending: ${pending.join(', ')}` };
  } catch {
    return { database: 'unreachable', migrations: 'unknown' };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What an orchestrator and a monitoring system ask, outside the API and without an API key:
 * liveness (/healthz), readiness (/readyz: the database answers and has every migration this
 * code needs) and Prometheus metrics (/metrics, behind its own token when one is set).
 */
export function registerOperationsRoutes(app: FastifyInstance, options: OperationsOptions): void {
  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const checks = await readiness(options.db);
    const ready = checks.database === 'ok' && checks.migrations === 'ok';
    return reply
      .status(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: ready ? 'ready' : 'unavailable', checks });
  });

  app.get('/metrics', async (request, reply) => {
    const token = options.metricsToken;
    if (token) {
      const given = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (!given || !sameSecret(given, token)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new Problem(401, 'Unauthorized', 'Send the metrics token as Authorization: Bearer <WAYMARK_METRICS_TOKEN>');
      }
    }
    const text = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).header('cache-control', 'no-store').send(text);
  });
}
