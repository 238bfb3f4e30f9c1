import { loadPreviewRecipient, missingRequiredPlaceholders, previewDatabase, previewLinks, TemplateRenderError, templateVariables, validateTemplate, type Queryable, type RenderedEmail } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { listPage, listWhere } from '../pagination.ts';
import { badRequest, conflict, notFound, unprocessable, type FieldError } from '../problem.ts';
import { requireOrganizationWriter, unitFilter, visibleUnit } from '../visibility.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
const fields = {
  name: z.string().trim().min(1).max(200),
  subject: z.string().min(1).max(1000),
  html: z.string().min(1).max(1_000_000),
  text: z.string().max(1_000_000).nullable().optional(),
  fromName: z.string().trim().max(200).nullable().optional(),
  fromAddress: z.email().max(320).nullable().optional(),
};
export const EmailInput = z.object(fields).strict();
export const EmailPatch = z.object(fields).partial().strict();
const ListFilter = z.object({ status: z.enum(['draft', 'live']).optional(), q: z.string().max(200).optional() });
const PreviewQuery = z.object({ contactId: z.string().min(1).max(200).optional() });

const COLUMNS = `t.id, t.name, t.subject, t.html, t.text, t.from_name as "fromName", t.from_address as "fromAddress", t.status, t.version, t.revision,
  t.draft is not null as "hasDraft", t.created_at as "createdAt", t.updated_at as "updatedAt"`;

interface Email {
  id: string;
  name: string;
  subject: string;
  html: string;
  text: string | null;
  fromName: string | null;
  fromAddress: string | null;
  status: 'draft' | 'live';
  version: number;
  revision: number;
}

/** The content of an email: what a draft of a live email holds whole. */
type EmailContent = Pick<Email, 'name' | 'subject' | 'html' | 'text' | 'fromName' | 'fromAddress'>;

type Delivery = Parameters<typeof templateVariables>[0];

/** Each of subject, html and text that is not valid Liquid, with Liquid's own message. */
function templateErrors(parts: { subject?: string; html?: string; text?: string | null }): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of ['subject', 'html', 'text'] as const) {
    const source = parts[field];
    if (typeof source !== 'string') continue;
    const message = validateTemplate(source);
    if (message) errors.push({ path: field, message: `invalid Liquid: ${message}` });
  }
  return errors;
}

async function loadEmail(db: Queryable, id: string, forUpdate = false): Promise<Email> {
  const [row] = await db.query<Email>(`select ${COLUMNS} from emails t where t.id = $1${forUpdate ? ' for update' : ''}`, [id]);
  if (!row) throw notFound('Email', id);
  return row;
}

/** What an email's publish refuses: templates that are not Liquid, and required placeholders missing. */
function publishErrors(email: { subject: string; html: string; text: string | null }): FieldError[] {
  return [...templateErrors(email), ...missingRequiredPlaceholders(email.html).map((name) => ({ path: 'html', message: `must contain {{ ${name} }}` }))];
}

/**
 * Makes a live email's draft current, as its next revision, and answers with that revision (a live
 * email without a draft has nothing to publish and stays as it is). The draft is checked as a first
 * publish is.
 */
async function publishRevision(tx: Queryable, email: Email, now: Date, renderCheck: (draft: Email) => Promise<FieldError | null>): Promise<{ status: 'live'; revision?: number }> {
  const [row] = await tx.query<{ draft: EmailContent | null }>('select draft from emails where id = $1', [email.id]);
  const draft = row?.draft;
  if (!draft) return { status: 'live' };
  const errors = publishErrors(draft);
  if (errors.length === 0) {
    const failure = await renderCheck({ ...email, ...draft });
    if (failure) errors.push(failure);
  }
  if (errors.length > 0) throw unprocessable(`The draft cannot be published: ${errors.map((e) => e.message).join('; ')}`, undefined, errors);
  const [published] = await tx.query<{ revision: number }>(
    `update emails set name = $2, subject = $3, html = $4, text = $5, from_name = $6, from_address = $7, draft = null,
            revision = revision + 1, version = version + 1, updated_at = $8
      where id = $1 returning revision`,
    [email.id, draft.name, draft.subject, draft.html, draft.text, draft.fromName, draft.fromAddress, now],
  );
  return { status: 'live', revision: published!.revision };
}

export function emailRoutes(app: FastifyInstance, { db, clock, renderer, config }: ServerContext): void {
  app.post('/emails', async (request, reply) => {
    requireOrganizationWriter(request.caller, 'Emails');
    const input = decode(EmailInput, body(request.body));
    const errors = templateErrors(input);
    if (errors.length > 0) throw badRequest('The templates are not valid Liquid', errors);
    const now = clock.now();
    const [row] = await db.query(
      `insert into emails as t (name, subject, html, text, from_name, from_address, status, version, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, 'draft', 1, $7, $7) returning ${COLUMNS}`,
      [input.name, input.subject, input.html, input.text ?? null, input.fromName ?? null, input.fromAddress ?? null, now],
    );
    return reply.status(201).send(row);
  });

  app.get('/emails', async (request) => {
    const filter = decode(ListFilter, request.query);
    const params: unknown[] = [];
    const where = listWhere(params, filter);
    return listPage(db, request.query, `select ${COLUMNS} from emails t ${where}`, params);
  });

  app.get('/emails/:id', async (request) => loadEmail(db, decode(IdParams, request.params).id));

  app.patch('/emails/:id', async (request) => {
    requireOrganizationWriter(request.caller, 'Emails');
    const { id } = decode(IdParams, request.params);
    const patch = decode(EmailPatch, body(request.body));
    const errors = templateErrors(patch);
    if (errors.length > 0) throw badRequest('The templates are not valid Liquid', errors);
    return db.transaction(async (tx) => {
      const email = await loadEmail(tx, id, true);
      // What journeys send must not change under them: a live email changes by a published draft.
      if (email.status === 'live') throw conflict('The email is live; change it with PUT /emails/{id}/draft and publish that');
      const [updated] = await tx.query(
        `update emails t set name = $2, subject = $3, html = $4, text = $5, from_name = $6, from_address = $7, version = t.version + 1, updated_at = $8
          where t.id = $1 returning ${COLUMNS}`,
        [
          id,
          patch.name ?? email.name,
          patch.subject ?? email.subject,
          patch.html ?? email.html,
          patch.text === undefined ? email.text : patch.text,
          patch.fromName === undefined ? email.fromName : patch.fromName,
          patch.fromAddress === undefined ? email.fromAddress : patch.fromAddress,
          clock.now(),
        ],
      );
      return updated;
    });
  });

  app.post('/emails/:id/publish', async (request) => {
    requireOrganizationWriter(request.caller, 'Emails');
    const { id } = decode(IdParams, request.params);
    return db.transaction(async (tx) => {
      const email = await loadEmail(tx, id, true);
      if (email.status === 'live') return publishRevision(tx, email, clock.now(), (draft) => renderProblem(() => renderFor(tx, draft, undefined, null)));
      const errors = publishErrors(email);
      if (errors.length === 0) {
        // A template within every limit for nobody in particular may still run past one for a
        // contact: sending checks again and fails just that message (reason renderFailed).
        const failure = await renderProblem(() => renderFor(tx, email, undefined, null));
        if (failure) errors.push(failure);
      }
      if (errors.length > 0) throw unprocessable(`The email cannot be published: ${errors.map((e) => e.message).join('; ')}`, undefined, errors);
      await tx.query(`update emails set status = 'live', updated_at = $2 where id = $1`, [id, clock.now()]);
      return { status: 'live' };
    });
  });

  /**
   * A live email's next revision. Messages keep rendering the current one until it is published;
   * journeys that use the email are listed by GET /emails/{id}/usage, so the designer can warn.
   */
  app.put('/emails/:id/draft', async (request) => {
    requireOrganizationWriter(request.caller, 'Emails');
    const { id } = decode(IdParams, request.params);
    const input = decode(EmailInput, body(request.body));
    const errors = templateErrors(input);
    if (errors.length > 0) throw badRequest('The templates are not valid Liquid', errors);
    return db.transaction(async (tx) => {
      const email = await loadEmail(tx, id, true);
      if (email.status !== 'live') throw conflict('The email is a draft: PATCH /emails/{id} edits it directly');
      const draft = { name: input.name, subject: input.subject, html: input.html, text: input.text ?? null, fromName: input.fromName ?? null, fromAddress: input.fromAddress ?? null };
      await tx.query('update emails set draft = $2, updated_at = $3 where id = $1', [id, JSON.stringify(draft), clock.now()]);
      return { ...draft, basedOnRevision: email.revision };
    });
  });

  app.get('/emails/:id/draft', async (request) => {
    const { id } = decode(IdParams, request.params);
    const [row] = await db.query<{ draft: EmailContent | null; revision: number }>('select draft, revision from emails where id = $1', [id]);
    if (!row) throw notFound('Email', id);
    if (!row.draft) throw notFound('Draft of email', id);
    return { ...row.draft, basedOnRevision: row.revision };
  });

  app.delete('/emails/:id/draft', async (request, reply) => {
    requireOrganizationWriter(request.caller, 'Emails');
    const { id } = decode(IdParams, request.params);
    await loadEmail(db, id);
    const rows = await db.query('update emails set draft = null where id = $1 and draft is not null returning 1', [id]);
    if (rows.length === 0) throw notFound('Draft of email', id);
    return reply.status(204).send();
  });

  /** The journeys whose running version sends this email, for a warning before its change is published. */
  app.get('/emails/:id/usage', async (request) => {
    const { id } = decode(IdParams, request.params);
    await loadEmail(db, id);
    const params: unknown[] = [id];
    const where = unitFilter(request.caller, 'j.business_unit_id', params);
    const items = await db.query(
      `select j.id, j.name, j.status, j.version from journeys j
        where j.status in ('live', 'stopped')
          and exists (select 1 from jsonb_array_elements(j.definition -> 'tiles') t where t ->> 'type' = 'email' and t ->> 'emailId' = $1)
          ${where}
        order by j.name`,
      params,
    );
    return { items, nextCursor: null };
  });

  /**
   * The email as one contact the caller sees (or nobody) would receive it, with the default content
   * settings. Its links carry no token (a preview is read by viewers too): they lead straight to
   * their destination, and the unsubscribe link and the open pixel lead nowhere.
   */
  app.get('/emails/:id/preview', async (request) => {
    const { id } = decode(IdParams, request.params);
    const { contactId } = decode(PreviewQuery, request.query);
    const email = await loadEmail(db, id);
    let rendered: RenderedEmail | undefined;
    const failure = await renderProblem(async () => {
      rendered = await renderFor(previewDatabase(db), email, contactId, visibleUnit(request.caller));
    });
    if (failure || !rendered) throw unprocessable(`The email cannot be rendered: ${failure?.message}`, undefined, failure ? [failure] : undefined);
    return { subject: rendered.subject, html: rendered.html, text: rendered.text };
  });

  /**
   * The email as one contact of `unit` (or nobody) would receive it, with the default content
   * settings. Its links carry no token (a preview is read by viewers too): they lead straight to
   * their destination, and the unsubscribe link and the open pixel lead nowhere.
   */
  async function renderFor(q: Queryable, email: Email, contactId: string | undefined, unit: string | null): Promise<RenderedEmail> {
    const recipient = await loadPreviewRecipient(q, contactId, unit);
    if (!recipient) throw notFound('Contact', contactId!);
    const links = previewLinks(config);
    const delivery: Delivery = { outbox_id: 0, ...recipient, email };
    return renderer.render(email, templateVariables(delivery, links), links);
  }
}

/** A template that parses may still fail as it renders (a limit, a filter given the wrong type): that failure, naming the part. */
async function renderProblem(render: () => Promise<unknown>): Promise<FieldError | null> {
  try {
    await render();
    return null;
  } catch (error) {
    if (!(error instanceof TemplateRenderError)) throw error;
    return { path: error.part ?? 'html', message: `cannot be rendered: ${error.message}` };
  }
}
