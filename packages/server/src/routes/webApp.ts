import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export interface WebAppOptions {
  /** The built designer (vite build output); defaults to packages/web/dist. */
  root?: string;
}

const DEFAULT_ROOT = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The designer holds a signed-in session, so its pages defend themselves: scripts only from our own
 * files (the vite build has no inline script; an injected one does not run), no framing by other
 * sites (clickjacking), no type sniffing, no URLs leaking in the Referer. Styles may be inline:
 * React sets style attributes, and the email preview (a sandboxed srcdoc frame, which inherits this
 * policy) shows email HTML, inline styles and remote images included.
 */
export const DESIGNER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https: http:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': DESIGNER_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * Paths that belong to the API, the public email, form and page routes and the operations
 * endpoints (health, readiness, metrics): never answered with the app.
 */
const RESERVED = /^\/(api|t|u|f|p|healthz|readyz|metrics)(\/|$)/;

const MISSING_BUILD = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Waymark</title></head>
<body><main><h1>The designer is not built</h1><p>Run <code>npm run build -w @waymark/web</code> (npm install does it), then reload.</p></main></body></html>`;

/**
 * Serves the journey designer: hashed assets under /assets (cached for good), and index.html for
 * `/`, `/journeys/{id}` and every other page path so the app's own router takes over (SPA
 * fallback). The API, tracking (/t), unsubscribe (/u), form (/f)
 * and landing-page (/p) paths keep their 404s.
 */
export function registerWebApp(app: FastifyInstance, options: WebAppOptions = {}): void {
  const root = resolve(options.root ?? DEFAULT_ROOT);
  const indexPath = join(root, 'index.html');

  const sendIndex = async (reply: FastifyReply) => {
    if (!existsSync(indexPath)) return reply.status(503).type(TYPES['.html']!).header('cache-control', 'no-store').send(MISSING_BUILD);
    // index.html names the current hashed bundles, so it must never be cached.
    return reply.type(TYPES['.html']!).header('cache-control', 'no-cache').send(await readFile(indexPath));
  };

  app.get('/*', async (request, reply) => {
    let path: string;
    try {
      path = decodeURIComponent(request.url.split('?')[0]!);
    } catch {
      return reply.callNotFound();
    }
    if (RESERVED.test(path)) return reply.callNotFound();
    reply.headers(SECURITY_HEADERS);
    if (path === '/' || !extname(path)) return sendIndex(reply);
    // A file: only from inside the build folder.
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep)) return reply.callNotFound();
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return reply.callNotFound();
    const immutable = path.startsWith('/assets/');
    return reply
      .type(TYPES[extname(file)] ?? 'application/octet-stream')
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .send(await readFile(file));
  });
}
