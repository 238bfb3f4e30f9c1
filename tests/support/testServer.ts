import { createTestDatabase, ManualClock, type TestDatabase, type WebhookOptions } from '@waymark/engine';
import { createRuntime, ensureBootstrapAdmin, type FormLimits, type Logger, type Runtime, type ServerConfig } from '@waymark/server';

export const ADMIN_KEY = 'wm_test_admin_key_0123456789';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestServer {
  url: string;
  runtime: Runtime;
  database: TestDatabase;
  clock: ManualClock;
  /** Calls the JSON API as the bootstrap admin (or with `key`); `body` may be a raw string. */
  api<T = any>(method: string, path: string, body?: unknown, options?: { key?: string | null; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  /** Moves the manual clock and processes everything then due. */
  advance(duration: string): Promise<void>;
  drain(): Promise<{ steps: number }>;
  close(): Promise<void>;
}

/**
 * A real Waymark over real HTTP on a fresh database with the manual clock, as tests use it.
 * The worker is not polling: tests move time and call drain, so nothing depends on timing.
 */
export async function startTestServer(
  options: {
    smtpUrl?: string;
    now?: string;
    publicUrl?: string;
    formLimits?: FormLimits;
    workflowTimeoutMs?: number;
    /** As WAYMARK_WEBHOOK_ALLOW_PRIVATE would set them; by default, like production, public addresses only. */
    webhooks?: WebhookOptions;
    /** Single sign-on settings, as the WAYMARK_OIDC_* variables would set them. */
    oidc?: ServerConfig['oidc'];
    /** Where the JSON log lines go (by default errors only, on stdout). */
    logger?: Logger;
    metricsToken?: string;
  } = {},
): Promise<TestServer> {
  const database = await createTestDatabase();
  const clock = await ManualClock.open(database.db, new Date(options.now ?? '2026-01-05T09:00:00Z'));
  await ensureBootstrapAdmin(database.db, ADMIN_KEY);
  const runtime = await createRuntime({
    db: database.db,
    clock,
    // Tests play several client addresses through X-Forwarded-For, as a proxy in front would.
    trustProxy: true,
    smtpUrl: options.smtpUrl,
    workflowTimeoutMs: options.workflowTimeoutMs,
    logger: options.logger,
    metricsToken: options.metricsToken,
    config: { publicUrl: 'http://127.0.0.1', secret: 'test-secret-0123456789', formLimits: options.formLimits, webhooks: options.webhooks, oidc: options.oidc },
  });
  const url = await runtime.app.listen({ host: '127.0.0.1', port: 0 });
  // Links in emails must point at this very server, whose port is known only now.
  runtime.config.publicUrl = options.publicUrl ?? url;

  const api: TestServer['api'] = async (method, path, body, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    const key = opts.key === undefined ? ADMIN_KEY : opts.key;
    if (key) headers.authorization = `Bearer ${key}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${url}/api/v1${path}`, { method, headers, body: payload, redirect: 'manual' });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as any };
  };

  const drain = async () => {
    const response = await api('POST', '/admin/drain');
    if (response.status !== 200) throw new Error(`drain failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as { steps: number };
  };

  return {
    url,
    runtime,
    database,
    clock,
    api,
    drain,
    async advance(duration) {
      const response = await api('POST', '/admin/clock', { advance: duration });
      if (response.status !== 200) throw new Error(`clock failed: ${JSON.stringify(response.body)}`);
      await drain();
    },
    async close() {
      await runtime.close();
      await database.drop();
    },
  };
}
