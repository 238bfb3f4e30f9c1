import type { Database } from '../db/database.ts';
import type { EmailRenderer, RenderedEmail, TrackingLinks } from '../email/render.ts';
import { SmtpSendError, type SmtpSender } from '../email/smtpSender.ts';
import { claimOutbox, type ClaimedEffect, type OutboxLease } from '../queries/claimOutbox.ts';
import { loadEmailDeliveries, type EmailDelivery } from '../queries/loadEmailDeliveries.ts';
import { releaseOutbox } from '../queries/releaseOutbox.ts';
import { markEmailsSent } from '../queries/markEmailsSent.ts';
import { recordEmailRevisions } from '../queries/recordEmailRevisions.ts';
import { failUnsendableEmails, markOutboxFailed, type OutboxFailure } from '../queries/settleOutbox.ts';
import { signToken } from '../tokens.ts';
import { nextRetryAt } from './backoff.ts';

export interface EmailDeliveryConfig {
  publicUrl: string;
  secret: string;
  defaultFrom: string;
  renderer: EmailRenderer;
  /** Without SMTP, queued emails stay in the outbox, visible and never lost. */
  smtp: SmtpSender | null;
}

/** What a click or open token carries: the outbox entry (which names journey, tile, contact). */
export interface TrackingToken {
  o: number;
  u?: string;
}

/** What an unsubscribe token carries: the contact, and the message it came from. */
export interface UnsubscribeToken {
  c: string;
  o?: number;
}

export function trackingLinks(config: Pick<EmailDeliveryConfig, 'publicUrl' | 'secret'>, outboxId: number, contactId: string): TrackingLinks {
  const base = config.publicUrl.replace(/\/$/, '');
  const unsubscribe = `${base}/u/${signToken(config.secret, { c: contactId, o: outboxId } satisfies UnsubscribeToken)}`;
  return {
    click: (url) => `${base}/t/c/${signToken(config.secret, { o: outboxId, u: url } satisfies TrackingToken)}`,
    openPixel: `${base}/t/o/${signToken(config.secret, { o: outboxId } satisfies TrackingToken)}`,
    unsubscribe,
    oneClickUnsubscribe: unsubscribe,
  };
}

/** The variables an email template sees for one delivery. */
export function templateVariables(delivery: EmailDelivery, links: TrackingLinks) {
  const content = delivery.content;
  return {
    contact: delivery.contact ?? {},
    account: delivery.account,
    content: {
      name: content?.name ?? '',
      postalAddress: content?.postalAddress ?? '',
      subscriptionCenterUrl: content?.subscriptionCenterUrl || links.unsubscribe,
      forwardToFriendUrl: content?.forwardToFriendUrl ?? '',
      socialLinks: content?.socialLinks ?? {},
      unsubscribeUrl: links.unsubscribe,
    },
  };
}

/** Temporary failures are retried with backoff for at most this long after the first try. */
export const EMAIL_RETRY_FOR_MS = 3 * 86_400_000;

export interface EmailBatch extends OutboxLease {
  /** Once aborted (the worker is stopping), no further message of the batch is started. */
  signal?: AbortSignal;
}

/**
 * Sends one batch of queued emails, one message per SMTP connection at a time, and marks each one
 * sent (recording `email_delivered`, which wakes triggers waiting on delivery) as soon as the server
 * accepted it, before that connection carries the next: after a crash, at most one message per
 * connection can go out again (docs/delivery.md). An SMTP 5xx fails the message at once (`rejected`);
 * temporary failures come back with backoff until 3 days after the first try (then `expired`). A
 * resend carries the same Message-ID. Returns how many emails were settled.
 */
export async function deliverEmails(db: Database, config: EmailDeliveryConfig, now: Date, batch: EmailBatch): Promise<number> {
  const smtp = config.smtp;
  if (!smtp || !smtp.available() || batch.signal?.aborted) return 0;
  // Nothing is started after half the lease: with message deadlines well inside the other half, no
  // other sender takes over a message while this one may still be sending it.
  const startBy = Date.now() + (batch.seconds * 1000) / 2;
  const leased = await claimOutbox(db, 'email', now, batch.limit, batch.seconds);
  if (leased.length === 0) return 0;
  // Hard-bounced addresses, consent that dropped, suppression: those fail at once, with the reason, unsent.
  const bounced = new Set(await failUnsendableEmails(db, leased.map((effect) => effect.id), now));
  const claimed = bounced.size === 0 ? leased : leased.filter((effect) => !bounced.has(effect.id));
  if (claimed.length === 0) return bounced.size;
  const byId = new Map(claimed.map((effect) => [effect.id, effect]));
  const queue = await loadEmailDeliveries(db, claimed.map((effect) => effect.id));
  const settlement = new Settlement(db, now);
  const untried: number[] = [];
  let stopped = false;

  const sendOne = async (delivery: EmailDelivery): Promise<void> => {
    const effect = byId.get(delivery.outbox_id)!;
    if (!delivery.contact || !delivery.email) {
      const error = delivery.contact ? 'email no longer exists' : 'contact was erased or its address is suppressed';
      return settlement.failed({ id: effect.id, error, retryAt: null, reason: 'missing' });
    }
    const links = trackingLinks(config, effect.id, delivery.contact.id);
    let message: RenderedEmail;
    try {
      message = await config.renderer.render(delivery.email, templateVariables(delivery, links), links);
    } catch (error) {
      // The same template with the same data fails the same way: fail this message, not the batch.
      const reason = 'renderFailed';
      return settlement.failed({ id: effect.id, error: `${reason}: ${(error as Error).message ?? String(error)}`, retryAt: null, reason });
    }
    let failure: OutboxFailure;
    try {
      const from = delivery.email.fromAddress ? formatAddress(delivery.email.fromName, delivery.email.fromAddress) : config.defaultFrom;
      await smtp.send({ messageId: messageIdFor(effect, config.publicUrl), from, to: delivery.contact.email, ...message });
    } catch (error) {
      const kind = error instanceof SmtpSendError ? error.failure : 'temporary';
      if (kind === 'notAttempted') {
        untried.push(effect.id);
        stopped = true;
        return;
      }
      failure = { id: effect.id, error: String((error as Error).message ?? error), retryAt: null, reason: 'rejected' };
      if (kind === 'temporary') {
        failure.retryAt = nextRetryAt(now, effect.attempts, effect.first_attempt_at, EMAIL_RETRY_FOR_MS);
        if (failure.retryAt === null) failure.reason = 'expired';
        // The server went away: the rest of the batch waits for it instead of failing one by one.
        if (!smtp.available()) stopped = true;
      }
      return settlement.failed(failure);
    }
    return settlement.sent(effect, delivery.email.revision);
  };

  // One lane per SMTP connection: a lane hands its connection the next message only once the
  // previous one is marked sent.
  const lane = async (): Promise<void> => {
    for (let delivery = queue.shift(); delivery; delivery = queue.shift()) {
      if (stopped || batch.signal?.aborted || Date.now() > startBy) {
        untried.push(delivery.outbox_id);
        continue;
      }
      try {
        await sendOne(delivery);
      } catch (error) {
        // The database did not take the settlement: stop before anything else goes out unrecorded.
        stopped = true;
        throw error;
      }
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: smtp.connections }, lane));
  // Untried messages go back for any sender; should the database still be away, their lease runs out.
  await releaseOutbox(db, untried).catch(() => undefined);
  const broken = lanes.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (broken) throw broken.reason;
  return settlement.settled + bounced.size;
}

/**
 * Writes what the lanes report in as few transactions as keep up: what arrives while one commits
 * goes into the next ("group commit"). A lane's `sent` resolves once its message is durably marked.
 * A dropped database connection is retried on a new one before giving up.
 */
class Settlement {
  settled = 0;
  private sentEffects: ClaimedEffect[] = [];
  /** The email revision each sent message was rendered from, recorded with its mark. */
  private revisions: { outboxId: number; revision: number }[] = [];
  private failures: OutboxFailure[] = [];
  private waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private flushing = false;

  constructor(
    private readonly db: Database,
    private readonly now: Date,
  ) {}

  sent(effect: ClaimedEffect, revision: number): Promise<void> {
    this.sentEffects.push(effect);
    this.revisions.push({ outboxId: effect.id, revision });
    return this.enqueue();
  }

  failed(failure: OutboxFailure): Promise<void> {
    this.failures.push(failure);
    return this.enqueue();
  }

  private enqueue(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    if (!this.flushing) void this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.waiting.length > 0) {
      const waiting = this.waiting.splice(0);
      const sent = this.sentEffects.splice(0);
      const revisions = this.revisions.splice(0);
      const failures = this.failures.splice(0);
      try {
        // Waiting for the disk on every commit would cap sending at a few messages per flush of
        // the log. Not waiting costs nothing when a worker crashes (the database has the commit);
        // only a crash of the database server itself can forget the last fraction of a second of
        // marks, and then those messages go out again: duplicates, never losses.
        await withRetries(() =>
          this.db.transaction(
            async (tx) => {
              await markEmailsSent(tx, sent.map((effect) => effect.id), this.now);
              await recordEmailRevisions(tx, revisions);
              await markOutboxFailed(tx, failures, this.now);
            },
            { waitForDisk: false },
          ),
        );
        this.settled += sent.length + failures.length;
        for (const waiter of waiting) waiter.resolve();
      } catch (error) {
        for (const waiter of waiting) waiter.reject(error);
      }
    }
    this.flushing = false;
  }
}

/** Each write is idempotent, so a transaction whose connection dropped is simply run again. */
async function withRetries<T>(work: () => Promise<T>, pausesMs = [100, 500, 2000]): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= pausesMs.length) throw error;
      await new Promise((resolve) => setTimeout(resolve, pausesMs[attempt]));
    }
  }
}

/** Stable per outbox entry, so a resend after a crash is recognisably the same message. */
export function messageIdFor(effect: Pick<ClaimedEffect, 'id'>, publicUrl: string): string {
  const host = new URL(publicUrl).hostname || 'waymark.local';
  return `<waymark.${effect.id}@${host}>`;
}

function formatAddress(name: string | null, address: string): string {
  return name ? `"${name.replace(/["\\\r\n]/g, '')}" <${address}>` : address;
}
