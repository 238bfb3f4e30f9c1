import { submitForm } from '@waymark/engine';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { decode } from '../decode.ts';
import { formDocument, thankYouDocument } from '../formPage.ts';
import { readSubmission, toFormSubmission, urlencodedValues, type SubmittedValue } from '../formSubmission.ts';
import { messagePage, sendHtml } from '../html.ts';
import { Problem, badRequest, notFound, type FieldError } from '../problem.ts';
import { RateLimiter } from '../rateLimit.ts';
import type { Form } from './forms.ts';

/** A form's public page and submission take at most this much: a form is a few fields of text. */
export const FORM_BODY_LIMIT = 64 * 1024;
export const DEFAULT_FORM_LIMITS = { perIp: 20, perForm: 600, windowMs: 60_000 };

const IdParams = z.object({ id: z.string().min(1).max(200) });
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/** A JSON client gets problems and JSON; a browser (a urlencoded form post, a page view) gets pages. */
const wantsJson = (request: FastifyRequest) => (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');

/**
 * The public side of marketing forms, without an API key: `GET /f/{id}` serves a live form as an
 * accessible page (embeddable in other sites), `POST /f/{id}` takes a submission (urlencoded from
 * the page, or JSON from a site's own code). A submission creates or updates the contact by email,
 * records `form_submitted` and enters the journeys that start with the form. Abuse: per-IP and
 * per-form rate limits (429), a honeypot input, a 64 KB body limit.
 */
export function publicFormRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db, clock, worker, config } = ctx;
  const limits = { ...DEFAULT_FORM_LIMITS, ...config.formLimits };
  const limiter = new RateLimiter(limits.windowMs);

  const liveForm = async (id: string): Promise<Form | null> => {
    const [row] = await db.query<Form>(
      `select id, name, fields, subscription_list_id as "subscriptionListId", thank_you_message as "thankYouMessage", redirect_url as "redirectUrl", status
         from forms where id = $1 and status = 'live'`,
      [id],
    );
    return row ?? null;
  };

  const refuse = (request: FastifyRequest, reply: FastifyReply, problem: Problem, title: string, message: string) =>
    wantsJson(request) ? reply.status(problem.status).type(PROBLEM_TYPE).send(problem.toJSON()) : sendHtml(reply, problem.status, messagePage(title, message));

  app.get('/f/:id', async (request, reply) => {
    const { id } = decode(IdParams, request.params);
    const form = await liveForm(id);
    if (!form) return sendHtml(reply, 404, messagePage('Form not found', 'This form does not exist or is not published.'));
    // Hidden fields take their value from the link (e.g. ?campaign=spring), escaped like all else.
    const query = (request.query ?? {}) as Record<string, unknown>;
    const values: Record<string, SubmittedValue> = {};
    for (const field of form.fields) {
      const given = query[field.name];
      if (field.type === 'hidden' && typeof given === 'string') values[field.name] = given.slice(0, 1000);
    }
    return sendHtml(reply, 200, formDocument(form, { values }), redirectOrigins(form));
  });

  app.post(
    '/f/:id',
    {
      bodyLimit: FORM_BODY_LIMIT,
      // Counted before the body is even read, so a flood costs as little as possible.
      onRequest: async (request, reply) => {
        const id = String((request.params as { id?: unknown }).id ?? '');
        const wait = Math.max(limiter.take(`ip:${request.ip}`, limits.perIp), limiter.take(`form:${id}`, limits.perForm));
        if (wait === 0) return;
        reply.header('retry-after', String(wait));
        const problem = new Problem(429, 'Too Many Requests', `Too many submissions; try again in ${wait} s`, [{ path: 'body', message: 'rate limit reached' }]);
        return refuse(request, reply, problem, 'Too many submissions', `Please try again in ${wait} seconds.`);
      },
    },
    async (request, reply) => {
      const { id } = decode(IdParams, request.params);
      const form = await liveForm(id);
      if (!form) return refuse(request, reply, notFound('Form', id), 'Form not found', 'This form does not exist or is not published.');
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type && type !== 'application/x-www-form-urlencoded' && type !== 'application/json') {
        throw new Problem(415, 'Unsupported Media Type', 'Send the form as application/x-www-form-urlencoded or application/json', [{ path: 'content-type', message: 'unsupported' }]);
      }
      const raw = rawValues(request.body);
      if (!raw) throw badRequest('Send the form fields as a JSON object or urlencoded', [{ path: 'body', message: 'expected an object of field values' }]);
      const { values, errors, bot } = readSubmission(form.fields, raw);
      // A bot that filled the honeypot is told it succeeded, and nothing is stored.
      if (!bot && errors.length > 0) return invalid(request, reply, form, values, errors);
      if (!bot) {
        const now = clock.now();
        await db.transaction((tx) => submitForm(tx, toFormSubmission(form, values), now));
        worker.poke();
      }
      if (wantsJson(request)) return reply.status(200).send({ status: 'submitted', message: form.thankYouMessage ?? 'Thank you' });
      if (form.redirectUrl) return reply.redirect(form.redirectUrl, 303);
      return sendHtml(reply, 200, thankYouDocument(form.thankYouMessage));
    },
  );
}

/** The submitted fields: a JSON object, or a urlencoded body (kept as text by its parser); null for anything else. */
function rawValues(body: unknown): Record<string, unknown> | null {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body === 'string') return urlencodedValues(body);
  if (typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  return null;
}

function invalid(request: FastifyRequest, reply: FastifyReply, form: Form, values: Record<string, SubmittedValue>, errors: FieldError[]) {
  if (wantsJson(request)) {
    const problem = badRequest(`Invalid ${errors.map((error) => error.path).join(', ')}`, errors);
    return reply.status(400).type(PROBLEM_TYPE).send(problem.toJSON());
  }
  return sendHtml(reply, 400, formDocument(form, { values, errors }), redirectOrigins(form));
}

function redirectOrigins(form: Pick<Form, 'redirectUrl'>): string[] {
  if (!form.redirectUrl) return [];
  try {
    return [new URL(form.redirectUrl).origin];
  } catch {
    return [];
  }
}
