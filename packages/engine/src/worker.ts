import { ManualClock, type Clock } from './clock.ts';
import type { Database } from './db/database.ts';
import { loadLiveJourneys } from './journeys.ts';
import { advanceLifecycle } from './lifecycle.ts';
import { noMetrics, type EngineMetrics } from './metrics.ts';
import { callWorkflows, type WebhookOptions } from './outbox/callWorkflows.ts';
import { deliverEmails, type EmailDeliveryConfig } from './outbox/deliverEmails.ts';
import { keepSegmentsCurrent } from './segmentUpkeep.ts';
import { scoreLeads } from './scoring.ts';
import { runStepBatch } from './stepper.ts';

export interface WorkerOptions {
  db: Database;
  clock: Clock;
  email: EmailDeliveryConfig;
  /** Contacts claimed per step transaction. */
  batchSize?: number;
  /** The least time between two looks at segment changes and admissions (real time only). */
  admissionEveryMs?: number;
  /** Queued contacts whose segment memberships are evaluated per transaction. */
  segmentBatchSize?: number;
  /**
   * How often a running worker evaluates every dynamic segment whole, a safety net under the
   * incremental upkeep (real time only).
   */
  fullEvaluationEveryMs?: number;
  /** How long a claimed email or workflow call stays this worker's before another may retry it. */
  outboxLeaseSeconds?: number;
  /** Idle pause between polls when there was nothing to do. */
  idleMs?: number;
  /** How long a workflow may take to answer before the call is retried (default 10 s). */
  workflowTimeoutMs?: number;
  /** Where workflow calls may go, and how many redirects they follow (contract §13; default: public addresses, none). */
  webhooks?: WebhookOptions;
  /** After a failed tick (the database is away), the first pause; it doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A tick failed; the worker tries again after `retryInMs`. */
  onError?: (error: unknown, retryInMs: number) => void;
  metrics?: EngineMetrics;
}

export interface TickResult {
  lifecycle: number;
  /** Contacts whose segment memberships were re-evaluated. */
  segmented: number;
  admitted: number;
  steps: number;
  /** Due contacts looked at, including those that keep waiting (a trigger whose rules do not hold yet). */
  evaluated: number;
  sent: number;
  /** Leads whose score or sales-readiness changed. */
  scored: number;
}

const workDone = (result: TickResult) => result.lifecycle + result.segmented + result.admitted + result.steps + result.evaluated + result.sent + result.scored;

/**
 * One engine worker: stateless, so any number can run against one database. Each tick moves the
 * journeys' schedules, admits new segment members, steps due contacts in batches and sends
 * queued effects.
 */
export class Worker {
  private running = false;
  private loop: Promise<void> | null = null;
  private lastAdmissionAt = 0;
  private lastFullEvaluationAt = Date.now();
  private wake: (() => void) | null = null;
  /** A poke came while a tick ran: the tick may have looked before the work arrived, so do not sleep. */
  private poked = false;
  /** Aborted by `stop()`: a tick finishes the batch in hand and starts no other. */
  private stopping = new AbortController();
  /** Ticks that failed in a row; the pause before the next grows with them. */
  private failuresInARow = 0;

  constructor(private readonly options: WorkerOptions) {}

  private get metrics(): EngineMetrics {
    return this.options.metrics ?? noMetrics;
  }

  get clock(): Clock {
    return this.options.clock;
  }

  /**
   * One pass: journey schedules, segment upkeep and admission (`admit`; with `evaluateAll` every
   * dynamic segment is evaluated whole), steps, sends.
   */
  async tick({ admit = true, evaluateAll = false } = {}): Promise<TickResult> {
    const { db, clock } = this.options;
    if (clock instanceof ManualClock) await clock.refresh();
    const now = clock.now();
    const result: TickResult = { lifecycle: await advanceLifecycle(db, now), segmented: 0, admitted: 0, steps: 0, evaluated: 0, sent: 0, scored: 0 };
    const { runnable: journeys } = await loadLiveJourneys(db);
    const started = journeys.filter((journey) => journey.currentIteration >= 1 && now >= journey.startAt && now < journey.endAt);
    if (admit) {
      const upkeep = await keepSegmentsCurrent(db, started, now, { batchSize: this.options.segmentBatchSize ?? 5000, maxBatches: 20, all: evaluateAll });
      result.segmented = upkeep.contacts;
      result.admitted = upkeep.admitted;
      this.metrics.contactsAdmitted(upkeep.admitted);
    }
    const runnable = new Map(started.map((journey) => [journey.id, journey]));
    const { signal } = this.stopping;
    for (let batch = 0; batch < 50 && !signal.aborted; batch += 1) {
      // A batch of contacts that all keep waiting takes no step, but more may be due: go on until none is.
      const batchStarted = performance.now();
      const { steps, claimed } = await runStepBatch(db, runnable, now, this.options.batchSize ?? 2000);
      if (claimed > 0) this.metrics.stepBatch(steps, (performance.now() - batchStarted) / 1000);
      result.steps += steps;
      result.evaluated += claimed;
      if (claimed === 0) break;
    }
    // After the steps, so a lead created just now is scored in the same tick.
    result.scored = await scoreLeads(db, now);
    const leaseSeconds = this.options.outboxLeaseSeconds ?? 120;
    result.sent += await deliverEmails(db, this.options.email, now, { limit: 200, seconds: leaseSeconds, signal });
    result.sent += await callWorkflows(db, now, { limit: 100, seconds: leaseSeconds }, { ...this.options.webhooks, timeoutMs: this.options.workflowTimeoutMs }, this.metrics);
    return result;
  }

  /** Runs ticks until nothing is due at the current clock time. Returns the tile steps taken. */
  async drain(): Promise<TickResult> {
    const total: TickResult = { lifecycle: 0, segmented: 0, admitted: 0, steps: 0, evaluated: 0, sent: 0, scored: 0 };
    for (;;) {
      const result = await this.tick();
      total.lifecycle += result.lifecycle;
      total.segmented += result.segmented;
      total.admitted += result.admitted;
      total.steps += result.steps;
      total.evaluated += result.evaluated;
      total.sent += result.sent;
      total.scored += result.scored;
      if (workDone(result) === 0) return total;
    }
  }

  /** Polls in the background until `stop()`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    this.loop = this.run();
  }

  /** Asks a sleeping worker to look for work now (e.g. after an event arrived). */
  poke(): void {
    this.poked = true;
    // Work arriving does not cut a backoff short: the database is what the worker waits for.
    if (this.failuresInARow === 0) this.wake?.();
  }

  /**
   * Lets the batch in hand finish (its steps commit, its messages in flight are marked) and starts
   * no other. Resolves true once the worker is idle, or false when `deadlineMs` passed first: the
   * caller may then exit, and whatever was left uncommitted rolls back and is claimed again.
   */
  async stop({ deadlineMs = 30_000 } = {}): Promise<boolean> {
    this.running = false;
    this.stopping.abort();
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    const finished = (this.loop ?? Promise.resolve()).then(() => true);
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
    try {
      return await Promise.race([finished, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The pause after a failed tick: exponential, capped, so a worker rides out a database restart. */
  private backoff(): number {
    const first = this.options.backoffMs ?? 500;
    return Math.min(first * 2 ** (this.failuresInARow - 1), this.options.maxBackoffMs ?? 15_000);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let didWork = false;
      let pauseMs = this.options.idleMs ?? 250;
      this.poked = false;
      try {
        const admit = Date.now() - this.lastAdmissionAt >= (this.options.admissionEveryMs ?? 0);
        if (admit) this.lastAdmissionAt = Date.now();
        const evaluateAll = admit && Date.now() - this.lastFullEvaluationAt >= (this.options.fullEvaluationEveryMs ?? 3_600_000);
        if (evaluateAll) this.lastFullEvaluationAt = Date.now();
        didWork = workDone(await this.tick({ admit, evaluateAll })) > 0;
        this.failuresInARow = 0;
      } catch (error) {
        this.failuresInARow += 1;
        pauseMs = this.backoff();
        this.options.onError?.(error, pauseMs);
      }
      const failed = this.failuresInARow > 0;
      if (this.running && (failed || (!didWork && !this.poked))) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pauseMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }
}
