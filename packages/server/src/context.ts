import type { Clock, Database, EmailRenderer, WebhookOptions, Worker } from '@waymark/engine';

export interface ServerConfig {
  /** Base of links put into emails and pages. */
  publicUrl: string;
  /** Signs tracking and unsubscribe tokens. */
  secret: string;
  /** Abuse limits of the public form endpoints (defaults in routes/publicForms.ts). */
  formLimits?: FormLimits;
  /** Where workflow calls may go (checked when a workflow is registered and at every call). */
  webhooks?: WebhookOptions;
}

export interface FormLimits {
  /** Submissions one IP address may make per window, across all forms. */
  perIp?: number;
  /** Submissions one form accepts per window, from everyone. */
  perForm?: number;
  windowMs?: number;
}

/** What every route may use; injected, never global. */
export interface ServerContext {
  db: Database;
  clock: Clock;
  worker: Worker;
  renderer: EmailRenderer;
  config: ServerConfig;
}

/** The user behind the API key of a request. */
export interface Caller {
  userId: string;
  keyId: string;
  role: 'admin' | 'marketer' | 'viewer';
  level: 'organization' | 'businessUnit';
  businessUnitId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}
