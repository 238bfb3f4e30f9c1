// The subscription center every email links to (`/u/{token}`): no login, the signed per-contact
// token in the link is the authority. The page lists the contact's subscription lists with toggles
// and a global opt-out; its form is CSRF-protected (a signed token bound to a cookie). The same URL
// takes the RFC 8058 one-click POST (`List-Unsubscribe=One-Click`), which needs no cookie. A GET
// never changes anything: link scanners open every link in a message and must unsubscribe nobody.
import { randomBytes } from 'node:crypto';
import {
  applySubscriptionChange,
  hasTokenKeys,
  listsTargetedByMessage,
  loadSubscriptionCenter,
  signToken,
  verifyToken,
  type SubscriptionCenterView,
  type UnsubscribeToken,
} from '@waymark/engine';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.ts';
import { contentSecurityPolicy, escapeHtml, htmlDocument, messagePage } from '../html.ts';

const CSRF_COOKIE = 'wm_csrf';
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;

interface CsrfToken {
  k: 'csrf';
  c: string;
  n: string;
}

/** Form fields of a urlencoded or multipart body, each name with all its values. */
export function formFields(request: FastifyRequest): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  const add = (name: string, value: string) => fields.set(name, [...(fields.get(name) ?? []), value]);
  const raw = request.body;
  if (typeof raw !== 'string') return fields;
  const type = String(request.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(String(request.headers['content-type']));
    const marker = boundary?.[1] ?? boundary?.[2];
    if (!marker) return fields;
    for (const part of raw.split(`--${marker}`)) {
      const split = part.indexOf('\r\n\r\n');
      if (split < 0) continue;
      const name = /name="([^"]*)"/i.exec(part.slice(0, split));
      if (name) add(name[1]!, part.slice(split + 4).replace(/\r\n$/, ''));
    }
    return fields;
  }
  for (const [name, value] of new URLSearchParams(raw)) add(name, value);
  return fields;
}

function cookieValue(request: FastifyRequest, name: string): string | null {
  for (const part of String(request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** a***@example.com: enough for the reader to recognise, not the whole address for whoever holds the link. */
function maskedEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '***' : `${email[0]}***${email.slice(at)}`;
}

function send(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .status(status)
    // Unlike public forms, this page must never be framed: a framed toggle is a clickjacking target.
    .header('content-security-policy', contentSecurityPolicy().replace('frame-ancestors *', "frame-ancestors 'none'"))
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(html);
}

function centerPage(view: SubscriptionCenterView, csrf: string, saved: boolean): string {
  const lists = view.lists
    .map(
      (list, i) => `<div class="wm-check">
<input type="checkbox" id="list-${i}" name="list" value="${escapeHtml(list.id)}"${list.subscribed ? ' checked' : ''}>
<label for="list-${i}">${escapeHtml(list.name)}</label>
<input type="hidden" name="shown" value="${escapeHtml(list.id)}">
</div>`,
    )
    .join('\n');
  return htmlDocument({
    title: 'Your subscriptions',
    main: `<h1>Your subscriptions</h1>
<p>For ${escapeHtml(maskedEmail(view.contact.email))}</p>
${saved ? '<p role="status">Your preferences are saved.</p>' : ''}
<form method="post">
<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<fieldset>
<legend>Email lists</legend>
${lists || '<p>There are no lists to subscribe to.</p>'}
</fieldset>
<fieldset>
<legend>All marketing email</legend>
<div class="wm-check">
<input type="checkbox" id="opt-out" name="optOut" value="1"${view.optedOut ? ' checked' : ''}>
<label for="opt-out">Unsubscribe me from all marketing email</label>
</div>
</fieldset>
<button type="submit">Save my preferences</button>
</form>`,
  });
}

export function registerSubscriptionCenter(app: FastifyInstance, { db, clock, config, worker }: ServerContext): void {
  const tokenOf = (request: FastifyRequest): UnsubscribeToken | null => {
    const token = verifyToken<UnsubscribeToken>(config.secret, (request.params as { token: string }).token);
    return token && hasTokenKeys(token, ['c'], ['o']) && typeof token.c === 'string' && (token.o === undefined || token.o === null || Number.isSafeInteger(token.o)) ? token : null;
  };
  const notFound = (reply: FastifyReply) => send(reply, 404, messagePage('Link not recognised', 'This link is not valid. Please use the link in the most recent email you received from us.'));
  const noRecord = (reply: FastifyReply) => send(reply, 200, messagePage('Nothing to manage', 'We hold no subscriptions for this address, and you will receive no marketing email from us.'));

  app.get('/u/:token', async (request, reply) => {
    const token = tokenOf(request);
    if (!token) return notFound(reply);
    const view = await loadSubscriptionCenter(db, token.c);
    if (!view) return noRecord(reply);
    const existing = cookieValue(request, CSRF_COOKIE);
    const nonce = existing && NONCE.test(existing) ? existing : randomBytes(18).toString('base64url');
    const secure = config.publicUrl.startsWith('https:') ? '; Secure' : '';
    reply.header('set-cookie', `${CSRF_COOKIE}=${nonce}; Path=/u/; HttpOnly; SameSite=Strict${secure}`);
    const csrf = signToken(config.secret, { k: 'csrf', c: token.c, n: nonce } satisfies CsrfToken);
    return send(reply, 200, centerPage(view, csrf, (request.query as Record<string, unknown>).saved === '1'));
  });

  app.post('/u/:token', async (request, reply) => {
    const token = tokenOf(request);
    if (!token) return notFound(reply);
    const fields = formFields(request);
    const now = clock.now();

    // RFC 8058: the mail client's POST, without cookies or a session. It leaves the lists the
    // message's journey targets; a message sent to a segment rather than a list opts out of all.
    if (fields.get('List-Unsubscribe')?.includes('One-Click')) {
      const outcome = await db.transaction(async (tx) => {
        const lists = typeof token.o === 'number' ? await listsTargetedByMessage(tx, token.o) : [];
        const change = lists.length > 0 ? { unsubscribe: lists } : { optOut: true };
        return applySubscriptionChange(tx, { contactId: token.c, ...change, source: 'oneClick', outboxId: token.o ?? null }, now);
      });
      worker.poke();
      if (!outcome) return noRecord(reply);
      return send(reply, 200, messagePage('You are unsubscribed', 'You will receive no more of these emails. You can change your subscriptions at any time from the link in any email.'));
    }

    // The page's own form: the signed token in the form must match this contact and the cookie.
    const csrf = verifyToken<CsrfToken>(config.secret, fields.get('csrf')?.[0] ?? '');
    const cookie = cookieValue(request, CSRF_COOKIE);
    if (!csrf || csrf.k !== 'csrf' || csrf.c !== token.c || !cookie || csrf.n !== cookie) {
      return send(reply, 403, messagePage('Please try again', 'This form has expired. Open the link in your email again to change your subscriptions.'));
    }
    const checked = new Set(fields.get('list') ?? []);
    const shown = new Set(fields.get('shown') ?? []);
    const outcome = await db.transaction(async (tx) =>
      applySubscriptionChange(
        tx,
        {
          contactId: token.c,
          subscribe: [...checked],
          unsubscribe: [...shown].filter((id) => !checked.has(id)),
          optOut: fields.get('optOut')?.includes('1') ?? false,
          source: 'subscriptionCenter',
          outboxId: token.o ?? null,
        },
        now,
      ),
    );
    worker.poke();
    if (!outcome) return noRecord(reply);
    // Post/redirect/get: reloading the page does not post again.
    return reply.redirect('?saved=1', 303);
  });
}
