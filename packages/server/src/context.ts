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
  /** How long a sign-in lasts (defaults in auth.ts). */
  sessions?: SessionTimeouts;
  /** Login attempts allowed per account and per client address (defaults in routes/auth.ts). */
  loginLimits?: LoginLimits;
  /** Single sign-on over OpenID Connect; off when unset. */
  oidc?: OidcSettings;
}

export interface SessionTimeouts {
  /** A session unused this long has ended. */
  idleMs: number;
  /** A session ends this long after sign-in, however busy. */
  absoluteMs: number;
}

export interface LoginLimits {
  perAccount?: number;
  perIp?: number;
  windowMs?: number;
}

export interface OidcSettings {
  /** The issuer URL (WAYMARK_OIDC_ISSUER); its discovery document says the rest. */
  issuer: string;
  clientId: string;
  clientSecret: string;
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

/** The user behind a request, and what proved who they are. */
export interface Caller {
  userId: string;
  role: 'admin' | 'marketer' | 'viewer';
  level: 'organization' | 'businessUnit';
  businessUnitId: string;
  /** An API key (Authorization: Bearer) or the session cookie of a person who signed in. */
  credential: { kind: 'apiKey'; keyId: string } | { kind: 'session'; sessionId: string };
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}
