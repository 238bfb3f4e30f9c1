import { admitFromSegments } from './admission.ts';
import { ManualClock, type Clock } from './clock.ts';
import type { Database } from './db/database.ts';
import { loadLiveJourneys } from './journeys.ts';
import { advanceLifecycle } from './lifecycle.ts';
import { callWorkflows } from './outbox/callWorkflows.ts';
import { deliverEmails, type EmailDeliveryConfig } from './outbox/deliverEmails.ts';
import { loadSegments } from './queries/loadSegments.ts';
import { runStepBatch } from './stepper.ts';

export interface WorkerOptions {
  db: Database;
  clock: Clock;
  email: EmailDeliveryConfig;
  /** Contacts claimed per step transaction. */
  batchSize?: number;
  /** How often a running worker re-runs admission for live journeys (real time only). */
  admissionEveryMs?: number;
  /** How long a claimed email or workflow call stays this worker's before another may retry it. */
  outboxLeaseSeconds?: number;
  /** Idle pause between polls when there was nothing to do. */
  idleMs?: number;
  onError?: (error: unknown) => void;
}

export interface TickResult {
  lifecycle: number;
  admitted: number;
  steps: number;
  sent: number;
}

const workDone = (result: TickResult) => result.lifecycle + result.admitted + result.steps + result.sent;

/**
 * One engine worker: stateless, so any number can run against one database. Each tick moves the
 * journeys' schedules, admits new segment members, steps due contacts in batches and sends
 * queued effects.
 */
export class Worker {
  private running = false;
  private loop: Promise<void> | null = null;
  private lastAdmissionAt = 0;
  private wake: (() => void) | null = null;

  constructor(private readonly options: WorkerOptions) {}

  get clock(): Clock {
    return this.options.clock;
  }

  async tick({ admit = true } = {}): Promise<TickResult> {
    const { db, clock } = this.options;
    if (clock instanceof ManualClock) await clock.refresh();
    const now = clock.now();
    const result: TickResult = { lifecycle: await advanceLifecycle(db, now), admitted: 0, steps: 0, sent: 0 };
    const journeys = await loadLiveJourneys(db);
    const started = journeys.filter((journey) => journey.currentIteration >= 1 && now >= journey.startAt && now < journey.endAt);
    if (admit && started.length > 0) {
      const segments = await loadSegments(db);
      for (const journey of started) result.admitted += await admitFromSegments(db, journey, segments, now);
    }
    const runnable = new Map(started.map((journey) => [journey.id, journey]));
    for (let batch = 0; batch < 50; batch += 1) {
      const steps = await runStepBatch(db, runnable, now, this.options.batchSize ?? 2000);
      result.steps += steps;
      if (steps === 0) break;
    }
    const leaseSeconds = this.options.outboxLeaseSeconds ?? 120;
    result.sent += await deliverEmails(db, this.options.email, now, { limit: 200, seconds: leaseSeconds });
    result.sent += await callWorkflows(db, now, { limit: 100, seconds: leaseSeconds });
    return result;
  }

  /** Runs ticks until nothing is due at the current clock time. Returns the tile steps taken. */
  async drain(): Promise<TickResult> {
    const total: TickResult = { lifecycle: 0, admitted: 0, steps: 0, sent: 0 };
    for (;;) {
      const result = await this.tick();
      total.lifecycle += result.lifecycle;
      total.admitted += result.admitted;
      total.steps += result.steps;
      total.sent += result.sent;
      if (workDone(result) === 0) return total;
    }
  }

  /** Polls in the background until `stop()`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Asks a sleeping worker to look for work now (e.g. after an event arrived). */
  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let didWork = false;
      try {
        const admit = Date.now() - this.lastAdmissionAt >= (this.options.admissionEveryMs ?? 2000);
        if (admit) this.lastAdmissionAt = Date.now();
        didWork = workDone(await this.tick({ admit })) > 0;
      } catch (error) {
        this.options.onError?.(error);
      }
      if (!didWork && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.idleMs ?? 250);
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
