import type { Clock, Database, EmailRenderer, Worker } from '@waymark/engine';

export interface ServerConfig {
  /** Base of links put into emails and pages. */
  publicUrl: string;
  /** Signs tracking and unsubscribe tokens. */
  secret: string;
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
