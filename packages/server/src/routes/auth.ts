import {
  createSession,
  findUserByEmail,
  findUserById,
  revokeSession,
  revokeUserSessions,
  setPasswordHash,
  signToken,
  verifyToken,
  type SignInMethod,
  type SignInUser,
} from '@waymark/engine';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  checkOrigin,
  clearSessionCookie,
  csrfTokenFor,
  DEFAULT_SESSION_TIMEOUTS,
  hashSessionToken,
  isHttps,
  newSessionToken,
  SESSION_COOKIE,
  setSessionCookie,
} from '../auth.ts';
import type { Caller, OidcSettings, ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { messagePage, sendHtml } from '../html.ts';
import { OidcSignOn, PENDING_SIGN_ON_MS, SignOnError, type PendingSignOn } from '../oidc.ts';
import { hashPassword, Password, verifyPassword } from '../passwords.ts';
import { badRequest, notFound, Problem } from '../problem.ts';
import { RateLimiter } from '../rateLimit.ts';

/** Reached without signing in (paths under /api/v1). */
export const PUBLIC_AUTH_ROUTES = ['/auth/login', '/auth/options', '/auth/oidc/start', '/auth/oidc/callback'];

/**
 * Per account: 10 attempts in 15 minutes, then wait (an attacker gets 40 guesses an hour, a person
 * who mistyped a few times is not locked out). Per client address: 50, for offices behind one NAT.
 */
export const DEFAULT_LOGIN_LIMITS = { perAccount: 10, perIp: 50, windowMs: 15 * 60_000 };

export const LoginInput = z
  .object({
    email: z.string().trim().min(1).max(320),
    // Any length is checked (an old password may predate today's rules); the bound caps hashing work.
    password: z.string().min(1).max(1024),
  })
  .strict();
export const PasswordChange = z.object({ currentPassword: z.string().min(1).max(1024), newPassword: Password }).strict();

const PENDING_COOKIE = 'waymark_sso';
const CALLBACK_PATH = '/api/v1/auth/oidc/callback';
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/** The same words for an unknown address, a wrong password and a deactivated user: nothing to enumerate. */
const wrongCredentials = () => new Problem(401, 'Unauthorized', 'The email or password is not right', [{ path: 'password', message: 'email or password not right' }]);

const tooMany = (reply: FastifyReply, wait: number) => {
  void reply.header('retry-after', String(wait));
  return new Problem(429, 'Too Many Requests', `Too many sign-in attempts; try again in ${wait} s`, [{ path: 'email', message: 'too many attempts' }]);
};

/** Who is calling, as `GET /auth/me` and sign-in describe them. */
function describe(user: SignInUser, authenticatedBy: 'session' | 'apiKey', csrfToken?: string) {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    level: user.level,
    businessUnitId: user.businessUnitId,
    authenticatedBy,
    ...(csrfToken ? { csrfToken } : {}),
  };
}

/**
 * Signing in and out: email and password (`/auth/login`), the caller (`/auth/me`), changing one's
 * own password, and single sign-on over OpenID Connect when it is configured.
 */
export function authRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db, clock, config } = ctx;
  const limits = { ...DEFAULT_LOGIN_LIMITS, ...config.loginLimits };
  // Windows follow the server's clock, so a test can move past them.
  const limiter = new RateLimiter(limits.windowMs, () => clock.now().getTime());
  // Read at each use, so settings given once the server listens (its own URL known) apply too.
  let signOn: { settings: OidcSettings; client: OidcSignOn } | null = null;
  const sso = () => {
    if (!config.oidc) return null;
    if (signOn?.settings !== config.oidc) signOn = { settings: config.oidc, client: new OidcSignOn(config.oidc) };
    return signOn.client;
  };

  /** A new session for `user`: its cookie on the reply; answers the CSRF token that goes with it. */
  const startSession = async (request: FastifyRequest, reply: FastifyReply, user: SignInUser, method: SignInMethod) => {
    const now = clock.now();
    const token = newSessionToken();
    const { absoluteMs } = config.sessions ?? DEFAULT_SESSION_TIMEOUTS;
    await createSession(db, { userId: user.id, tokenHash: hashSessionToken(token), method, now, expiresAt: new Date(now.getTime() + absoluteMs) });
    setSessionCookie(reply, request, ctx, token);
    return csrfTokenFor(token);
  };

  app.post('/auth/login', async (request, reply) => {
    const input = decode(LoginInput, body(request.body));
    // A login form on another site must not sign a visitor in to someone else's account.
    checkOrigin(request, config.publicUrl);
    // Every attempt counts, before any work: the address first (cheap to refuse a flood), then the account.
    const wait = limiter.take(`ip:${request.ip}`, limits.perIp) || limiter.take(`account:${input.email.toLowerCase()}`, limits.perAccount);
    if (wait > 0) throw tooMany(reply, wait);
    const user = await findUserByEmail(db, input.email);
    // verifyPassword does a full scrypt even without a user, so the answer takes as long either way.
    const matches = await verifyPassword(input.password, user?.passwordHash ?? null);
    if (!user || !matches || !user.active) throw wrongCredentials();
    const csrfToken = await startSession(request, reply, user, 'password');
    return reply.header('cache-control', 'no-store').send(describe(user, 'session', csrfToken));
  });

  app.post('/auth/logout', async (request, reply) => {
    const { credential } = request.caller;
    if (credential.kind === 'session') await revokeSession(db, credential.sessionId, clock.now());
    clearSessionCookie(reply, request, ctx);
    return reply.status(204).send();
  });

  app.get('/auth/me', async (request, reply) => {
    const { caller } = request;
    const user = await findUserById(db, caller.userId);
    if (!user) throw notFound('User', caller.userId);
    const token = request.cookies[SESSION_COOKIE];
    const csrf = caller.credential.kind === 'session' && token ? csrfTokenFor(token) : undefined;
    return reply.header('cache-control', 'no-store').send(describe(user, caller.credential.kind, csrf));
  });

  app.post('/auth/password', async (request) => {
    const { caller } = request;
    const input = decode(PasswordChange, body(request.body));
    // A stolen session must not become a way to guess the password at leisure.
    const wait = limiter.take(`account-password:${caller.userId}`, limits.perAccount);
    if (wait > 0) throw new Problem(429, 'Too Many Requests', `Too many attempts; try again in ${wait} s`, [{ path: 'currentPassword', message: 'too many attempts' }]);
    const user = await findUserById(db, caller.userId);
    if (!user || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
      throw badRequest('The current password is not right', [{ path: 'currentPassword', message: 'is not your current password' }]);
    }
    const now = clock.now();
    await setPasswordHash(db, user.id, await hashPassword(input.newPassword));
    // Whoever else holds a session of this person (perhaps the reason for the change) is signed out.
    const sessionsEnded = await revokeUserSessions(db, user.id, now, keptSession(caller));
    return { changed: true, sessionsEnded };
  });

  app.get('/auth/options', async () => ({ password: true, sso: sso() !== null }));

  app.get('/auth/oidc/start', async (request, reply) => {
    const client = sso();
    if (!client) throw notFound('Single sign-on (it is not configured)');
    const now = clock.now();
    const { url, pending } = await client.start(new URL(CALLBACK_PATH, config.publicUrl).toString(), now).catch((error: unknown) => {
      request.log.error({ err: error }, 'OpenID Connect discovery failed');
      throw new Problem(502, 'Bad Gateway', 'The single sign-on provider could not be reached; try again, or sign in with your password');
    });
    void reply.setCookie(PENDING_COOKIE, signToken(config.secret, pending), {
      path: '/api/v1/auth/oidc',
      httpOnly: true,
      // Lax: the provider's redirect back is a top-level navigation, which carries it.
      sameSite: 'lax',
      secure: isHttps(request, config.publicUrl),
      maxAge: PENDING_SIGN_ON_MS / 1000,
    });
    return reply.header('cache-control', 'no-store').redirect(url.toString(), 302);
  });

  app.get('/auth/oidc/callback', async (request, reply) => {
    const client = sso();
    if (!client) throw notFound('Single sign-on (it is not configured)');
    const refuse = (status: number, message: string) => signOnRefused(request, reply, status, message);
    const raw = request.cookies[PENDING_COOKIE];
    const pending = raw ? verifyToken<PendingSignOn>(config.secret, raw) : null;
    if (!pending || typeof pending.at !== 'number' || clock.now().getTime() - pending.at > PENDING_SIGN_ON_MS) {
      return refuse(400, 'This sign-on link is not valid or has expired. Start again from the sign-in page.');
    }
    // Used once, whatever the outcome.
    void reply.clearCookie(PENDING_COOKIE, { path: '/api/v1/auth/oidc' });
    let identity;
    try {
      identity = await client.finish(new URL(request.url, config.publicUrl), pending);
    } catch (error) {
      if (error instanceof SignOnError) return refuse(400, `Single sign-on did not complete: ${error.message}.`);
      request.log.error({ err: error }, 'OpenID Connect sign-on failed');
      return refuse(502, 'The single sign-on provider could not be reached; try again, or sign in with your password.');
    }
    if (!identity.email) return refuse(403, 'The sign-on provider did not tell us your email address, so we cannot tell which Waymark user you are.');
    if (identity.emailVerified === false) return refuse(403, 'The sign-on provider has not verified your email address.');
    const user = await findUserByEmail(db, identity.email);
    if (!user || !user.active) return refuse(403, `No active Waymark user has the email ${identity.email}. Ask an administrator to add you.`);
    await startSession(request, reply, user, 'oidc');
    return reply.header('cache-control', 'no-store').redirect('/', 302);
  });
}

/** A password change keeps the session that made it (the person stays signed in where they are). */
const keptSession = (caller: Caller) => (caller.credential.kind === 'session' ? caller.credential.sessionId : null);

/** A person's browser gets a page that says what happened; a program gets a problem. */
function signOnRefused(request: FastifyRequest, reply: FastifyReply, status: number, message: string) {
  if ((request.headers.accept ?? '').includes('text/html')) return sendHtml(reply, status, messagePage('Single sign-on did not work', message));
  const title = status === 403 ? 'Forbidden' : status === 502 ? 'Bad Gateway' : 'Bad Request';
  const problem = new Problem(status, title, message, status === 400 ? [{ path: 'query', message: 'not a valid sign-on response' }] : undefined);
  return reply.status(status).type(PROBLEM_TYPE).send(problem.toJSON());
}
