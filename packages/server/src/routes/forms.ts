import type { Queryable } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { fieldTarget, FormFields, type FormField } from '../formFields.ts';
import { escapeHtml } from '../html.ts';
import { listPage, listWhere } from '../pagination.ts';
import { badRequest, conflict, notFound, unprocessable, type FieldError } from '../problem.ts';
import { requireOrganizationWriter } from '../visibility.ts';
import { declaredAttributes, type AttributeType } from './attributes.ts';
import { existingIds } from './businessUnits.ts';

export { FormField } from '../formFields.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
const formFields = {
  name: z.string().trim().min(1).max(200),
  fields: FormFields,
  /** The list the form signs people up to (only those who tick a consent box, when it has one). */
  subscriptionListId: z.string().min(1).max(200).nullable().optional(),
  /** Shown on our thank-you page after a submission. */
  thankYouMessage: z.string().trim().max(2000).nullable().optional(),
  /** Instead of our thank-you page, send the visitor here after a submission. */
  redirectUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable().optional(),
};
export const FormInput = z.object(formFields).strict();
export const FormPatch = z.object(formFields).partial().strict();
const ListFilter = z.object({ status: z.enum(['draft', 'live']).optional() });

const COLUMNS = `t.id, t.name, t.fields, t.subscription_list_id as "subscriptionListId", t.thank_you_message as "thankYouMessage",
  t.redirect_url as "redirectUrl", t.status, t.created_at as "createdAt"`;

export interface Form {
  id: string;
  name: string;
  fields: FormField[];
  subscriptionListId: string | null;
  thankYouMessage: string | null;
  redirectUrl: string | null;
  status: 'draft' | 'live';
}

/** Every subscription list the form names that does not exist, by where it is named. */
async function checkLists(db: Queryable, input: { subscriptionListId?: string | null; fields?: readonly FormField[] }): Promise<void> {
  const named: Array<{ path: string; id: string }> = [];
  if (input.subscriptionListId) named.push({ path: 'subscriptionListId', id: input.subscriptionListId });
  input.fields?.forEach((field, n) => field.subscriptionListId && named.push({ path: `fields.${n}.subscriptionListId`, id: field.subscriptionListId }));
  if (named.length === 0) return;
  const known = await existingIds(db, 'subscription_lists', named.map((one) => one.id));
  const errors = named.filter((one) => !known.has(one.id)).map((one) => ({ path: one.path, message: 'no subscription list with this id' }));
  if (errors.length > 0) throw badRequest('Unknown subscription list', errors);
}

/** A form, or a 404. */
export async function loadForm(db: Queryable, id: string, forUpdate = false): Promise<Form> {
  const [row] = await db.query<Form>(`select ${COLUMNS} from forms t where t.id = $1${forUpdate ? ' for update' : ''}`, [id]);
  if (!row) throw notFound('Form', id);
  return row;
}

/**
 * Declares the custom attributes the form's fields set, with the type of each field; a field whose
 * attribute is already declared with another type makes the form unpublishable (422 naming it).
 */
async function declareFormAttributes(tx: Queryable, fields: readonly FormField[]): Promise<void> {
  const wanted = fields.flatMap((field, n) => {
    const target = fieldTarget(field);
    return target.kind === 'attribute' ? [{ n, name: field.name, type: target.type }] : [];
  });
  if (wanted.length === 0) return;
  const declared = await declaredAttributes(tx, 'contact', wanted.map((one) => one.name));
  // A date attribute takes text in ISO form; a text field cannot promise that.
  const errors: FieldError[] = wanted
    .filter((one) => declared.has(one.name) && declared.get(one.name) !== one.type)
    .map((one) => ({ path: `fields.${one.n}.name`, message: `the contact attribute ${one.name} is declared as ${declared.get(one.name)}, but this field gives ${one.type} values` }));
  if (errors.length > 0) throw unprocessable('The form sets contact attributes with values of another type', undefined, errors);
  const fresh = wanted.filter((one) => !declared.has(one.name));
  await tx.query(`insert into attributes (entity, name, type) select 'contact', n, t from unnest($1::text[], $2::text[]) as d(n, t) on conflict do nothing`, [
    fresh.map((one) => one.name),
    fresh.map((one) => one.type satisfies AttributeType),
  ]);
}

export function formRoutes(app: FastifyInstance, { db, clock, config }: ServerContext): void {
  const publicUrl = (id: string) => `${config.publicUrl.replace(/\/$/, '')}/f/${encodeURIComponent(id)}`;

  app.post('/forms', async (request, reply) => {
    requireOrganizationWriter(request.caller, 'Forms');
    const input = decode(FormInput, body(request.body));
    const row = await db.transaction(async (tx) => {
      await checkLists(tx, input);
      const [created] = await tx.query(
        `insert into forms as t (name, fields, subscription_list_id, thank_you_message, redirect_url, status, created_at)
         values ($1, $2::jsonb, $3, $4, $5, 'draft', $6) returning ${COLUMNS}`,
        [input.name, JSON.stringify(input.fields), input.subscriptionListId ?? null, input.thankYouMessage ?? null, input.redirectUrl ?? null, clock.now()],
      );
      return created;
    });
    return reply.status(201).send(row);
  });

  app.get('/forms', async (request) => {
    const filter = decode(ListFilter, request.query);
    const params: unknown[] = [];
    const where = listWhere(params, { status: filter.status });
    return listPage(db, request.query, `select ${COLUMNS} from forms t ${where}`, params);
  });

  app.get('/forms/:id', async (request) => loadForm(db, decode(IdParams, request.params).id));

  app.patch('/forms/:id', async (request) => {
    requireOrganizationWriter(request.caller, 'Forms');
    const { id } = decode(IdParams, request.params);
    const patch = decode(FormPatch, body(request.body));
    return db.transaction(async (tx) => {
      const form = await loadForm(tx, id, true);
      // People may be filling it in: a live form's fields stay as they are.
      if (form.status === 'live') throw conflict('The form is live; a live form cannot be edited');
      await checkLists(tx, patch);
      const given = <T>(value: T | undefined, current: T) => (value === undefined ? current : value);
      const [updated] = await tx.query(
        `update forms t set name = $2, fields = $3::jsonb, subscription_list_id = $4, thank_you_message = $5, redirect_url = $6 where t.id = $1 returning ${COLUMNS}`,
        [
          id,
          patch.name ?? form.name,
          JSON.stringify(patch.fields ?? form.fields),
          given(patch.subscriptionListId, form.subscriptionListId),
          given(patch.thankYouMessage, form.thankYouMessage),
          given(patch.redirectUrl, form.redirectUrl),
        ],
      );
      return updated;
    });
  });

  app.post('/forms/:id/publish', async (request) => {
    requireOrganizationWriter(request.caller, 'Forms');
    const { id } = decode(IdParams, request.params);
    await db.transaction(async (tx) => {
      const form = await loadForm(tx, id, true);
      await declareFormAttributes(tx, form.fields);
      await tx.query(`update forms set status = 'live' where id = $1`, [id]);
    });
    return { status: 'live' };
  });

  /** Where the form lives publicly, and a snippet that embeds it in another site. */
  app.get('/forms/:id/embed', async (request) => {
    const form = await loadForm(db, decode(IdParams, request.params).id);
    const url = publicUrl(form.id);
    const html = `<iframe src="${escapeHtml(url)}" title="${escapeHtml(form.name)}" width="100%" height="640" style="border:0;max-width:40rem" loading="lazy"></iframe>`;
    return { url, html, status: form.status };
  });
}
