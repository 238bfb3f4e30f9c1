import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { findCurrentSession, touchSession, type Queryable } from '@waymark/engine';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Caller, ServerContext, SessionTimeouts } from './context.ts';
import { forbidden, Problem } from './problem.ts';

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');
export const newApiKey = () => `wm_${randomBytes(24).toString('base64url')}`;

/** The cookie that holds a signed-in person's session token (HttpOnly: scripts never see it). */
export const SESSION_COOKIE = 'waymark_session';
/** Cookie-authenticated writes must carry the session's CSRF token in this header. */
export const CSRF_HEADER = 'x-csrf-token';
/** A working day of inactivity, or a week after sign-in, whichever comes first (as Grafana and GitLab do, roughly). */
export const DEFAULT_SESSION_TIMEOUTS: SessionTimeouts = { idleMs: 12 * 3600_000, absoluteMs: 7 * 24 * 3600_000 };
/** Moving the idle deadline on every request would turn each read into a write; a minute's precision is enough. */
const TOUCH_EVERY_MS = 60_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Stored for a session token, which itself only ever lives in the person's cookie. */
export const hashSessionToken = (token: string) => createHash('sha256').update(`session:${token}`).digest('hex');
export const newSessionToken = () => randomBytes(32).toString('base64url');
/**
 * The CSRF token of a session, derived from its token: nothing more to store, and only someone
 * who holds the cookie's value (never a script, never another site) can compute it.
 */
export const csrfTokenFor = (sessionToken: string) => createHmac('sha256', sessionToken).update('waymark csrf token').digest('base64url');

const unauthorized = (detail = 'Sign in, or send an API key: Authorization: Bearer <key>') => new Problem(401, 'Unauthorized', detail);

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Whether the request came over https, directly or (when trusted) through a proxy, or the public URL says so. */
export const isHttps = (request: FastifyRequest, publicUrl: string) => request.protocol === 'https' || publicUrl.startsWith('https:');

export function setSessionCookie(reply: FastifyReply, request: FastifyRequest, ctx: ServerContext, token: string): void {
  const { absoluteMs } = ctx.config.sessions ?? DEFAULT_SESSION_TIMEOUTS;
  void reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: isHttps(request, ctx.config.publicUrl),
    maxAge: Math.floor(absoluteMs / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply, request: FastifyRequest, ctx: ServerContext): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: isHttps(request, ctx.config.publicUrl) });
}

/**
 * A browser names the site a request comes from in Origin; it must be this server (as the client
 * reached it, or its public URL). No Origin (curl, an old browser) leaves the CSRF token to decide.
 */
export function checkOrigin(request: FastifyRequest, publicUrl: string): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const own = new Set([`${request.protocol}://${request.host}`]);
  try {
    if (publicUrl) own.add(new URL(publicUrl).origin);
  } catch {
    // an unreadable public URL adds nothing
  }
  if (!own.has(origin)) throw forbidden(`Requests from ${origin.slice(0, 200)} are not accepted: this API takes cookie-authenticated requests from its own pages only`);
}

/**
 * Who is calling: the bearer API key when there is an Authorization header (a wrong key is a 401,
 * whatever cookie comes with it), else the session cookie. A cookie-authenticated write must come
 * from our own pages: its Origin is ours and it carries the session's CSRF token.
 */
export async function authenticate(ctx: ServerContext, request: FastifyRequest): Promise<Caller> {
  const now = ctx.clock.now();
  if (request.headers.authorization !== undefined) return authenticateApiKey(ctx.db, request.headers.authorization, now);
  const token = request.cookies[SESSION_COOKIE];
  if (!token) throw unauthorized();
  const { idleMs } = ctx.config.sessions ?? DEFAULT_SESSION_TIMEOUTS;
  // A forged or garbled cookie simply matches no hash.
  const session = token.length <= 200 ? await findCurrentSession(ctx.db, hashSessionToken(token), now, idleMs) : null;
  if (!session) throw unauthorized('Your session has ended or is not valid: sign in again');
  if (!SAFE_METHODS.has(request.method)) {
    checkOrigin(request, ctx.config.publicUrl);
    const given = request.headers[CSRF_HEADER];
    if (typeof given !== 'string' || !sameText(given, csrfTokenFor(token))) {
      throw forbidden(`A signed-in write must carry the ${CSRF_HEADER} header given by sign-in and GET /api/v1/auth/me`);
    }
  }
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) await touchSession(ctx.db, session.sessionId, now);
  return { userId: session.userId, role: session.role, level: session.level, businessUnitId: session.businessUnitId, credential: { kind: 'session', sessionId: session.sessionId } };
}

/** Resolves the caller from the bearer key; only the key's hash is ever stored or compared. */
async function authenticateApiKey(db: Queryable, header: string, now: Date): Promise<Caller> {
  const match = /^Bearer\s+(\S{1,200})$/i.exec(header);
  if (!match) throw unauthorized();
  const rows = await db.query<Omit<Caller, 'credential'> & { keyId: string; lastUsedAt: Date | null }>(
    `select k.id as "keyId", u.id as "userId", u.role, u.level, u.business_unit_id as "businessUnitId", k.last_used_at as "lastUsedAt"
       from api_keys k join users u on u.id = k.user_id
      where k.key_hash = $1 and k.revoked_at is null and u.deactivated_at is null`,
    [hashApiKey(match[1]!)],
  );
  const row = rows[0];
  if (!row) throw unauthorized();
  // Recording every use would turn each read into a write; a minute's precision is enough.
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db.query('update api_keys set last_used_at = $2 where id = $1', [row.keyId, now]);
  }
  const { keyId, userId, role, level, businessUnitId } = row;
  return { userId, role, level, businessUnitId, credential: { kind: 'apiKey', keyId } };
}

export function requireWriter(caller: Caller): void {
  if (caller.role === 'viewer') throw forbidden('Viewers can read but not change anything');
}

export function requireAdmin(caller: Caller): void {
  if (caller.role !== 'admin') throw forbidden('Only admins can do this');
}

/**
 * Ensures an organization-level admin whose API key is `key` (WAYMARK_BOOTSTRAP_ADMIN_KEY), so a
 * fresh install can be driven by scripts without a manual sign-up.
 */
export async function ensureBootstrapAdmin(db: Queryable, key: string): Promise<void> {
  const existing = await db.query('select 1 from api_keys where key_hash = $1', [hashApiKey(key)]);
  if (existing.length > 0) return;
  const [unit] = await db.query<{ id: string }>(
    `with found as (select id from business_units where parent_id is null order by created_at limit 1),
          made as (insert into business_units (name) select 'Organization' where not exists (select 1 from found) returning id)
     select id from found union all select id from made`,
  );
  const [user] = await db.query<{ id: string }>(
    `insert into users (name, email, business_unit_id, role, level) values ('Administrator', 'admin@waymark.local', $1, 'admin', 'organization')
     on conflict (email) do update set role = 'admin', level = 'organization' returning id`,
    [unit!.id],
  );
  await db.query('insert into api_keys (user_id, key_hash) values ($1, $2)', [user!.id, hashApiKey(key)]);
}
