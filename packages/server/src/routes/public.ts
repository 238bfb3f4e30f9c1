import { recordEvents, verifyToken, type TrackingToken, type UnsubscribeToken } from '@waymark/engine';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerContext } from '../context.ts';

// A 1x1 transparent GIF.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

interface OutboxOrigin {
  journey_id: string;
  tile_id: string;
  iteration: number;
  contact_id: string | null;
}

const notFoundPage = (reply: FastifyReply) => reply.status(404).type('text/plain; charset=utf-8').send('Not found');

/**
 * Routes reached from emails, without an API key: tracked clicks, the open pixel and unsubscribe.
 * Every token is HMAC-signed; a forged or altered one answers 404 and never redirects.
 */
export function registerPublicRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db, clock, config } = ctx;

  const origin = async (outboxId: number) =>
    (await db.query<OutboxOrigin>('select journey_id, tile_id, iteration, contact_id from outbox where id = $1', [outboxId]))[0];

  const record = async (type: string, source: OutboxOrigin, outboxId: number, extra: Record<string, unknown> = {}) => {
    if (!source.contact_id) return;
    const now = clock.now();
    await recordEvents(db, [{ contactId: source.contact_id, type, occurredAt: now, properties: { journeyId: source.journey_id, tileId: source.tile_id, iteration: source.iteration, outboxId, ...extra } }], now);
    ctx.worker.poke();
  };

  app.get('/t/c/:token', async (request, reply) => {
    const token = verifyToken<TrackingToken>(config.secret, (request.params as { token: string }).token);
    if (!token || typeof token.o !== 'number' || typeof token.u !== 'string' || !/^https?:\/\//i.test(token.u)) return notFoundPage(reply);
    const source = await origin(token.o);
    if (!source) return notFoundPage(reply);
    await record('email_clicked', source, token.o, { url: token.u });
    return reply.redirect(token.u, 302);
  });

  app.get('/t/o/:token', async (request, reply) => {
    const token = verifyToken<TrackingToken>(config.secret, (request.params as { token: string }).token);
    const source = token && typeof token.o === 'number' ? await origin(token.o) : undefined;
    if (token && source) await record('email_opened', source, token.o);
    // Always a pixel: a broken image in someone's mail client helps nobody.
    return reply.header('cache-control', 'no-store').type('image/gif').send(PIXEL);
  });

  const unsubscribeToken = (request: { params: unknown }) => {
    const token = verifyToken<UnsubscribeToken>(config.secret, (request.params as { token: string }).token);
    return token && typeof token.c === 'string' ? token : null;
  };

  // A GET never acts: link scanners open every link in a message, and must unsubscribe nobody.
  app.get('/u/:token', async (request, reply) => {
    if (!unsubscribeToken(request)) return notFoundPage(reply);
    return reply.type('text/html; charset=utf-8').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Unsubscribe</title></head>
<body><main><h1>Unsubscribe</h1><p>Stop receiving marketing email from us?</p>
<form method="post"><button type="submit">Unsubscribe from all marketing email</button></form></main></body></html>`);
  });

  // RFC 8058 one-click: a POST without cookies or a session, the token alone is the authority.
  app.post('/u/:token', async (request, reply) => {
    const token = unsubscribeToken(request);
    if (!token) return notFoundPage(reply);
    const now = clock.now();
    await db.transaction(async (tx) => {
      const contacts = await tx.query('select 1 from contacts where id = $1', [token.c]);
      if (contacts.length === 0) return;
      await tx.query(`delete from list_members where contact_id = $1`, [token.c]);
      await tx.query(`update contacts set consent = 'transactional', updated_at = $2 where id = $1 and consent in ('subscriptions', 'marketing', 'profiling')`, [token.c, now]);
      await recordEvents(tx, [{ contactId: token.c, type: 'unsubscribed', occurredAt: now, properties: { outboxId: token.o ?? null, global: true } }], now);
    });
    return reply.type('text/html; charset=utf-8').send('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Unsubscribed</title></head><body><main><h1>You are unsubscribed</h1></main></body></html>');
  });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, text, done) => done(null, text));
}
