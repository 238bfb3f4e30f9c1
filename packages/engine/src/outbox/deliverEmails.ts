import type { Queryable } from '../db/database.ts';
import type { EmailRenderer, RenderedEmail, TrackingLinks } from '../email/render.ts';
import type { SmtpSender } from '../email/smtpSender.ts';
import { recordEvents, type NewEvent } from '../events.ts';
import { claimOutbox, type ClaimedEffect, type OutboxLease } from '../queries/claimOutbox.ts';
import { loadEmailDeliveries, type EmailDelivery } from '../queries/loadEmailDeliveries.ts';
import { failUnsendableEmails, markOutboxFailed, markOutboxSent, type OutboxFailure } from '../queries/settleOutbox.ts';
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

/**
 * Sends one batch of queued emails: render, hand to SMTP concurrently, then mark the sent ones
 * and record `email_delivered` (which wakes triggers waiting on delivery). A failure is retried
 * with backoff; a resend carries the same Message-ID so the receiver can drop the duplicate.
 * Returns how many emails were settled.
 */
export async function deliverEmails(db: Queryable, config: EmailDeliveryConfig, now: Date, lease: OutboxLease): Promise<number> {
  if (!config.smtp) return 0;
  const leased = await claimOutbox(db, 'email', now, lease.limit, lease.seconds);
  if (leased.length === 0) return 0;
  // Hard-bounced addresses, consent that dropped, suppression: those fail at once, with the reason, unsent.
  const bounced = new Set(await failUnsendableEmails(db, leased.map((effect) => effect.id), now));
  const claimed = bounced.size === 0 ? leased : leased.filter((effect) => !bounced.has(effect.id));
  if (claimed.length === 0) return bounced.size;
  const byId = new Map(claimed.map((effect) => [effect.id, effect]));
  const deliveries = await loadEmailDeliveries(db, claimed.map((effect) => effect.id));
  const sent: ClaimedEffect[] = [];
  const failures: OutboxFailure[] = [];
  await Promise.all(
    deliveries.map(async (delivery) => {
      const effect = byId.get(delivery.outbox_id)!;
      if (!delivery.contact || !delivery.email) {
        failures.push({ id: effect.id, error: delivery.contact ? 'email no longer exists' : 'contact was erased or its address is suppressed', retryAt: null });
        return;
      }
      const links = trackingLinks(config, effect.id, delivery.contact.id);
      let message: RenderedEmail;
      try {
        message = await config.renderer.render(delivery.email, templateVariables(delivery, links), links);
      } catch (error) {
        // The same template with the same data fails the same way: fail this message, not the batch.
        failures.push({ id: effect.id, error: `renderFailed: ${(error as Error).message ?? String(error)}`, retryAt: null });
        return;
      }
      try {
        const from = delivery.email.fromAddress ? formatAddress(delivery.email.fromName, delivery.email.fromAddress) : config.defaultFrom;
        await config.smtp!.send({ messageId: messageIdFor(effect, config.publicUrl), from, to: delivery.contact.email, ...message });
        sent.push(effect);
      } catch (error) {
        failures.push({ id: effect.id, error: String((error as Error).message ?? error), retryAt: nextRetryAt(now, effect.attempts, now) });
      }
    }),
  );
  await markOutboxSent(db, sent.map((effect) => effect.id), now);
  await markOutboxFailed(db, failures, now);
  await recordEvents(db, sent.map((effect) => deliveredEvent(effect, now)), now);
  return sent.length + failures.length + bounced.size;
}

function deliveredEvent(effect: ClaimedEffect, now: Date): NewEvent {
  return {
    contactId: effect.contact_id!,
    type: 'email_delivered',
    occurredAt: now,
    properties: { journeyId: effect.journey_id, tileId: effect.tile_id, iteration: effect.iteration, outboxId: effect.id },
    messageId: `delivered:${effect.id}`,
  };
}

/** Stable per outbox entry, so a resend after a crash is recognisably the same message. */
export function messageIdFor(effect: Pick<ClaimedEffect, 'id'>, publicUrl: string): string {
  const host = new URL(publicUrl).hostname || 'waymark.local';
  return `<waymark.${effect.id}@${host}>`;
}

function formatAddress(name: string | null, address: string): string {
  return name ? `"${name.replace(/["\\\r\n]/g, '')}" <${address}>` : address;
}
