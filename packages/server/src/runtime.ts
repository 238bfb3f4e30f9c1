import { createSmtpSender, EmailRenderer, Worker, type Clock, type Database, type SmtpSender } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { buildServer } from './app.ts';
import type { ServerConfig } from './context.ts';
import { createLogger, engineErrorContext, type Logger } from './observability/logger.ts';
import { WaymarkMetrics } from './observability/metrics.ts';

export interface RuntimeOptions {
  db: Database;
  clock: Clock;
  config: ServerConfig;
  /** e.g. smtp://127.0.0.1:2525; without it emails wait in the outbox. */
  smtpUrl?: string;
  defaultFrom?: string;
  /** JSON lines for requests and engine errors; by default only errors, on stdout. */
  logger?: Logger;
  /** When set, /metrics answers only `Authorization: Bearer <token>` (WAYMARK_METRICS_TOKEN). */
  metricsToken?: string;
  /** Believe X-Forwarded-For from a reverse proxy in front (WAYMARK_TRUST_PROXY=1). */
  trustProxy?: boolean;
  batchSize?: number;
  /** How long a workflow may take to answer before its call is retried. */
  workflowTimeoutMs?: number;
  /**
   * The worker's own connections to the same database (a PostgreSQL server), so a burst of API
   * requests never leaves the worker waiting for a connection; defaults to `db`.
   */
  workerDb?: Database;
}

export interface Runtime {
  app: FastifyInstance;
  config: ServerConfig;
  worker: Worker;
  smtp: SmtpSender | null;
  metrics: WaymarkMetrics;
  close(): Promise<void>;
}

/** The HTTP API and an engine worker sharing one database and clock: the all-in-one process. */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const renderer = new EmailRenderer();
  const logger = options.logger ?? createLogger({ level: 'error' });
  const metrics = new WaymarkMetrics({ db: options.db, clock: options.clock });
  const db = metrics.countQueryErrors(options.db);
  const smtp = options.smtpUrl ? metrics.countSends(createSmtpSender(options.smtpUrl)) : null;
  const worker = new Worker({
    db: options.workerDb ? metrics.countQueryErrors(options.workerDb) : db,
    clock: options.clock,
    batchSize: options.batchSize,
    workflowTimeoutMs: options.workflowTimeoutMs,
    webhooks: options.config.webhooks,
    email: {
      // Read through to the config: the public URL may be known only once the server listens.
      get publicUrl() {
        return options.config.publicUrl;
      },
      secret: options.config.secret,
      defaultFrom: options.defaultFrom ?? 'Waymark <no-reply@waymark.local>',
      renderer,
      smtp,
    },
    metrics,
    onError: (error, retryInMs) => {
      metrics.engineError();
      logger.error({ err: error, retryInMs, ...engineErrorContext(error) }, 'engine error');
    },
  });
  const app = await buildServer(
    { db, clock: options.clock, worker, renderer, config: options.config },
    { logger, metrics, metricsToken: options.metricsToken, trustProxy: options.trustProxy },
  );
  return {
    app,
    config: options.config,
    worker,
    smtp,
    metrics,
    async close() {
      await worker.stop();
      await app.close();
      smtp?.close();
    },
  };
}
