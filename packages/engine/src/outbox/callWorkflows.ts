import { createHmac } from 'node:crypto';
import type { Queryable } from '../db/database.ts';
import { claimOutbox, type ClaimedEffect, type OutboxLease } from '../queries/claimOutbox.ts';
import { loadWorkflows } from '../queries/loadWorkflowCalls.ts';
import { markOutboxFailed, markOutboxSent, type OutboxFailure } from '../queries/settleOutbox.ts';
import { nextRetryAt } from './backoff.ts';

/** How long a workflow may take to answer before the call counts as failed (and is retried). */
export const WORKFLOW_TIMEOUT_MS = 10_000;

export function signatureFor(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The body a workflow receives; the idempotency key is the same on every retry. */
export function workflowCallBody(effect: ClaimedEffect): string {
  const subject = effect.contact_id ? { contactId: effect.contact_id } : { accountId: effect.account_id };
  return JSON.stringify({ workflowId: effect.target_id, journeyId: effect.journey_id, ...subject, idempotencyKey: effect.idempotency_key });
}

/**
 * Calls registered workflows with a signed POST. A non-2xx answer or a timeout is retried with
 * exponential backoff for up to 24 hours after the effect was queued. Returns how many were settled.
 */
export async function callWorkflows(db: Queryable, now: Date, lease: OutboxLease, timeoutMs = WORKFLOW_TIMEOUT_MS): Promise<number> {
  const claimed = await claimOutbox(db, 'workflow', now, lease.limit, lease.seconds);
  if (claimed.length === 0) return 0;
  const workflows = await loadWorkflows(db, [...new Set(claimed.map((effect) => effect.target_id))]);
  const sent: number[] = [];
  const failures: OutboxFailure[] = [];
  await Promise.all(
    claimed.map(async (effect) => {
      const workflow = workflows.get(effect.target_id);
      if (!workflow) {
        failures.push({ id: effect.id, error: 'workflow no longer exists', retryAt: null });
        return;
      }
      const body = workflowCallBody(effect);
      try {
        const response = await fetch(workflow.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'waymark-signature': signatureFor(workflow.secret, body), 'idempotency-key': effect.idempotency_key },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body?.cancel();
        if (!response.ok) throw new Error(`workflow answered ${response.status}`);
        sent.push(effect.id);
      } catch (error) {
        const message = (error as Error).name === 'TimeoutError' ? `workflow did not answer within ${timeoutMs} ms` : String((error as Error).message ?? error);
        failures.push({ id: effect.id, error: message, retryAt: nextRetryAt(now, effect.attempts, effect.created_at) });
      }
    }),
  );
  await markOutboxSent(db, sent, now);
  await markOutboxFailed(db, failures, now);
  return sent.length + failures.length;
}
