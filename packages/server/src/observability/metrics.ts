import { countPendingEffects, oldestDueStep, SmtpSendError, type Clock, type Database, type EngineMetrics, type Queryable, type SmtpSender } from '@waymark/engine';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * A scrape must answer even while the database does not: a backlog gauge that cannot be read in
 * time keeps its last value (and the failure shows in readiness and waymark_db_query_errors_total).
 */
const SCRAPE_QUERY_TIMEOUT_MS = 2_000;

async function withinScrape<T>(read: () => Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), SCRAPE_QUERY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([read(), timeout]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** Seconds: from a fast indexed request to a slow import. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** A step batch of up to 2 000 contacts: milliseconds when healthy, seconds when the tables bloat. */
const BATCH_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface MetricsOptions {
  /** Read at each scrape for the outbox and due-lag gauges; its pool is reported too. */
  db: Database;
  /** The engine's clock: due lag is measured in engine time (a manual clock too). */
  clock: Clock;
}

/**
 * One runtime's Prometheus metrics, in a registry of its own (never the global one, so two
 * runtimes in one process, as in tests, count apart). The counters are fed as work happens; the
 * backlog gauges are read from the database when scraped, so every process reports the whole
 * cluster's backlog.
 */
export class WaymarkMetrics implements EngineMetrics {
  readonly registry = new Registry();
  private readonly steps = this.counter('waymark_steps_total', 'Tile steps taken by this process');
  private readonly stepBatches = new Histogram({
    name: 'waymark_step_batch_duration_seconds',
    help: 'Time to claim, step and write back one batch of due contacts',
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });
  private readonly admitted = this.counter('waymark_contacts_admitted_total', 'Contacts admitted to (or excluded from) a journey iteration by this process');
  private readonly emailsSent = this.counter('waymark_emails_sent_total', 'Emails the SMTP server accepted');
  private readonly emailsFailed = this.counter('waymark_emails_failed_total', 'Send attempts the SMTP server refused or that did not get through (each retry counts)', ['reason']);
  private readonly workflowsRetried = this.counter('waymark_workflow_calls_retried_total', 'Workflow calls that failed and will be tried again');
  private readonly workflowsFailed = this.counter('waymark_workflow_calls_failed_total', 'Workflow calls given up for good');
  private readonly engineErrors = this.counter('waymark_engine_errors_total', 'Worker passes that ended in an error (logged with details)');
  private readonly queryErrors = this.counter('waymark_db_query_errors_total', 'Database statements that failed (connection lost, timeout, constraint, ...)');
  private readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });

  constructor(options: MetricsOptions) {
    collectDefaultMetrics({ register: this.registry });
    const { db, clock } = options;
    new Gauge({
      name: 'waymark_outbox_pending',
      help: 'Effects waiting in the outbox to be sent, by kind',
      labelNames: ['kind'],
      registers: [this.registry],
      async collect() {
        const pending = await withinScrape(() => countPendingEffects(db));
        if (!pending) return;
        // Always both kinds, so an alert sees 0 rather than a missing series.
        for (const kind of ['email', 'workflow']) this.set({ kind }, pending.get(kind) ?? 0);
      },
    });
    new Gauge({
      name: 'waymark_due_lag_seconds',
      help: 'Age of the oldest due step of a live journey (0 when the workers keep up)',
      registers: [this.registry],
      async collect() {
        const now = clock.now();
        const oldest = await withinScrape(() => oldestDueStep(db, now));
        if (oldest === undefined) return;
        this.set(oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0);
      },
    });
    if (db.poolStats) {
      const stats = () => db.poolStats!();
      new Gauge({
        name: 'waymark_db_pool_connections',
        help: 'Open database connections of this process, by state',
        labelNames: ['state'],
        registers: [this.registry],
        collect() {
          const { total, idle } = stats();
          this.set({ state: 'idle' }, idle);
          this.set({ state: 'busy' }, total - idle);
        },
      });
      new Gauge({
        name: 'waymark_db_pool_waiting',
        help: 'Callers queued for a database connection',
        registers: [this.registry],
        collect() {
          this.set(stats().waiting);
        },
      });
    }
  }

  private counter(name: string, help: string, labelNames: string[] = []): Counter {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  stepBatch(steps: number, seconds: number): void {
    this.steps.inc(steps);
    this.stepBatches.observe(seconds);
  }

  contactsAdmitted(count: number): void {
    this.admitted.inc(count);
  }

  workflowCallFailed(willRetry: boolean): void {
    (willRetry ? this.workflowsRetried : this.workflowsFailed).inc();
  }

  engineError(): void {
    this.engineErrors.inc();
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.requestDuration.observe({ method, route, status: String(status) }, seconds);
  }

  /** The same sender, counting what the SMTP server accepted and what failed (rejected or temporary). */
  countSends(sender: SmtpSender): SmtpSender {
    return {
      ...sender,
      send: async (message) => {
        try {
          await sender.send(message);
          this.emailsSent.inc();
        } catch (error) {
          const failure = error instanceof SmtpSendError ? error.failure : 'temporary';
          // A message held back while the server is known to be down was never attempted.
          if (failure !== 'notAttempted') this.emailsFailed.inc({ reason: failure });
          throw error;
        }
      },
    };
  }

  /** The same database, counting the statements that fail. */
  countQueryErrors(db: Database): Database {
    const counted = <T>(run: () => Promise<T>): Promise<T> =>
      run().catch((error: unknown) => {
        this.queryErrors.inc();
        throw error;
      });
    const wrap = (inner: Queryable): Queryable => ({
      query: <Row>(sql: string, params?: readonly unknown[]) => counted(() => inner.query<Row>(sql, params)),
      exec: (sql: string) => counted(() => inner.exec(sql)),
    });
    // Spread first: whatever else the database offers stays as it is.
    return { ...db, ...wrap(db), transaction: (work) => db.transaction((tx) => work(wrap(tx))) };
  }
}
