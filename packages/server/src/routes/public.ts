import { hasTokenKeys, recordEvents, verifyToken, type TrackingToken } from '@waymark/engine';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerContext } from '../context.ts';
import { clickDestination } from '../visitToken.ts';
import { publicFormRoutes } from './publicForms.ts';
import { publicPageRoutes } from './publicPages.ts';
import { registerSubscriptionCenter } from './subscriptionCenter.ts';

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
    if (!token || !hasTokenKeys(token, ['o', 'u']) || typeof token.o !== 'number' || typeof token.u !== 'string' || !/^https?:\/\//i.test(token.u)) return notFoundPage(reply);
    const source = await origin(token.o);
    if (!source) return notFoundPage(reply);
    await record('email_clicked', source, token.o, { url: token.u });
    // Our own landing pages and forms learn who came (a signed ?wm=); any other URL is left as sent.
    return reply.redirect(clickDestination(token.u, config.publicUrl, config.secret, source.contact_id ? { c: source.contact_id, o: token.o } : null), 302);
  });

  app.get('/t/o/:token', async (request, reply) => {
    const token = verifyToken<TrackingToken>(config.secret, (request.params as { token: string }).token);
    // Only an open token ({o}): a click or unsubscribe link loaded as an image counts no open.
    const source = token && hasTokenKeys(token, ['o']) && Number.isSafeInteger(token.o) ? await origin(token.o) : undefined;
    if (token && source) await record('email_opened', source, token.o);
    // Always a pixel: a broken image in someone's mail client helps nobody.
    return reply.header('cache-control', 'no-store').type('image/gif').send(PIXEL);
  });

  // The subscription center and one-click unsubscribe (/u/{token}).
  registerSubscriptionCenter(app, ctx);
  publicFormRoutes(app, ctx);
  publicPageRoutes(app, ctx);

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, text, done) => done(null, text));
  // RFC 8058 one-click unsubscribes should come as multipart/form-data; routes read it as text.
  if (!app.hasContentTypeParser('multipart/form-data')) {
    app.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, text, done) => done(null, text));
  }
}
