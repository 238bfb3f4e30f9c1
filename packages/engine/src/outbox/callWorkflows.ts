import { createHmac } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Queryable } from '../db/database.ts';
import { noMetrics, type EngineMetrics } from '../metrics.ts';
import { claimOutbox, type ClaimedEffect, type OutboxLease } from '../queries/claimOutbox.ts';
import { loadWorkflows } from '../queries/loadWorkflowCalls.ts';
import { markOutboxFailed, markOutboxSent, type OutboxFailure } from '../queries/settleOutbox.ts';
import { AddressNotAllowed, checkedLookup, hostOf, resolveAllowed, type AddressPolicy } from './addressPolicy.ts';
import { nextRetryAt } from './backoff.ts';

/** How long a workflow may take to answer before the call counts as failed (and is retried). */
export const WORKFLOW_TIMEOUT_MS = 10_000;

/** Where workflow calls may go: set once per process (WAYMARK_WEBHOOK_ALLOW_PRIVATE, WAYMARK_WEBHOOK_MAX_REDIRECTS). */
export interface WebhookOptions {
  /** Where calls may go (default: public addresses only). */
  addressPolicy?: AddressPolicy;
  /**
   * How many 307/308 redirects to follow, each checked against the address policy like the first
   * address (default 0: a redirect fails the call, so the signed body never goes where it was not sent).
   */
  maxRedirects?: number;
}

export interface WorkflowCallOptions extends WebhookOptions {
  timeoutMs?: number;
}

/** The first signature: HMAC of the body alone. Kept for receivers written against it. */
export function signatureFor(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The V2 signature covers the timestamp too, so a receiver can refuse a replayed call. */
export function signatureV2For(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The body a workflow receives; the idempotency key is the same on every retry. */
export function workflowCallBody(effect: ClaimedEffect): string {
  const subject = effect.contact_id ? { contactId: effect.contact_id } : { accountId: effect.account_id };
  return JSON.stringify({ workflowId: effect.target_id, journeyId: effect.journey_id, ...subject, idempotencyKey: effect.idempotency_key });
}

/** A call that must not be retried: the same call would be refused again. */
class Final extends Error {}

// What a failed call leaves in the contact's path. Deliberately no more than this: the reasons a
// connection failed (refused, reset, not HTTP, which address) would let whoever writes workflow
// URLs map the ports of the hosts Waymark can reach.
const UNREACHABLE = 'the workflow could not be reached';

const PUBLIC_ONLY: AddressPolicy = { allowPrivate: false };

// Kept-alive connections per policy: a connection opened under one policy never carries a call
// made under another.
const agents = new WeakMap<AddressPolicy, { http: HttpAgent; https: HttpsAgent }>();
function agentsFor(policy: AddressPolicy) {
  let found = agents.get(policy);
  if (!found) {
    const lookup = checkedLookup(policy);
    found = { http: new HttpAgent({ keepAlive: true, lookup }), https: new HttpsAgent({ keepAlive: true, lookup }) };
    agents.set(policy, found);
  }
  return found;
}

function post(url: URL, headers: Record<string, string>, body: string, policy: AddressPolicy, signal: AbortSignal): Promise<IncomingMessage> {
  const https = url.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  const agent = https ? agentsFor(policy).https : agentsFor(policy).http;
  return new Promise((resolve, reject) => {
    const request = send(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent, signal }, resolve);
    request.on('error', reject);
    request.end(body);
  });
}

/** POSTs one call; resolves on a 2xx answer, throws otherwise. */
async function deliver(target: string, headers: Record<string, string>, body: string, options: Required<WorkflowCallOptions>): Promise<void> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let url = new URL(target);
  for (let redirects = 0; ; redirects += 1) {
    // A name is checked by the lookup the connection uses; an address is never looked up, so here.
    if (isIP(hostOf(url)) !== 0) await resolveAllowed(hostOf(url), options.addressPolicy);
    const response = await post(url, headers, body, options.addressPolicy, signal);
    response.resume();
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return;
    const location = response.headers.location;
    if ((status === 307 || status === 308) && location && redirects < options.maxRedirects) {
      const next = new URL(location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new Final(`workflow redirected to an unsupported address`);
      url = next;
      continue;
    }
    if (status >= 300 && status < 400) throw new Error(`workflow answered ${status} (redirects are not followed)`);
    throw new Error(`workflow answered ${status}`);
  }
}

function failureText(error: unknown, timeoutMs: number): string {
  if (error instanceof AddressNotAllowed || error instanceof Final) return error.message;
  const { name, message } = error as Error;
  if (name === 'TimeoutError' || name === 'AbortError') return `workflow did not answer within ${timeoutMs} ms`;
  return /^workflow answered \d+/.test(message ?? '') ? message : UNREACHABLE;
}

/**
 * Calls registered workflows with a signed POST. A non-2xx answer or a timeout is retried with
 * exponential backoff for up to 24 hours after the effect was queued; an address the policy
 * refuses fails the call at once. Returns how many were settled.
 */
export async function callWorkflows(db: Queryable, now: Date, lease: OutboxLease, options: WorkflowCallOptions = {}, metrics: EngineMetrics = noMetrics): Promise<number> {
  const settings: Required<WorkflowCallOptions> = {
    timeoutMs: options.timeoutMs ?? WORKFLOW_TIMEOUT_MS,
    addressPolicy: options.addressPolicy ?? PUBLIC_ONLY,
    maxRedirects: options.maxRedirects ?? 0,
  };
  const claimed = await claimOutbox(db, 'workflow', now, lease.limit, lease.seconds);
  if (claimed.length === 0) return 0;
  const workflows = await loadWorkflows(db, [...new Set(claimed.map((effect) => effect.target_id))]);
  const sent: number[] = [];
  const failures: OutboxFailure[] = [];
  // Engine time, so a receiver that checks freshness and a replayed simulation agree.
  const timestamp = Math.floor(now.getTime() / 1000);
  await Promise.all(
    claimed.map(async (effect) => {
      const workflow = workflows.get(effect.target_id);
      if (!workflow) {
        failures.push({ id: effect.id, error: 'workflow no longer exists', retryAt: null });
        return;
      }
      const body = workflowCallBody(effect);
      const headers = {
        'content-type': 'application/json',
        'waymark-signature': signatureFor(workflow.secret, body),
        'waymark-timestamp': String(timestamp),
        'waymark-signature-v2': signatureV2For(workflow.secret, timestamp, body),
        'idempotency-key': effect.idempotency_key,
      };
      try {
        await deliver(workflow.url, headers, body, settings);
        sent.push(effect.id);
      } catch (error) {
        const final = error instanceof AddressNotAllowed || error instanceof Final;
        const retryAt = final ? null : nextRetryAt(now, effect.attempts, effect.created_at);
        metrics.workflowCallFailed(retryAt !== null);
        failures.push({ id: effect.id, error: failureText(error, settings.timeoutMs), retryAt });
      }
    }),
  );
  await markOutboxSent(db, sent, now);
  await markOutboxFailed(db, failures, now);
  return sent.length + failures.length;
}
