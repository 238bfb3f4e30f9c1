import type { Queryable } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireWriter } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { badRequest, conflict, notFound } from '../problem.ts';
import { existingIds } from './businessUnits.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
export const FormField = z
  .object({
    name: z.string().max(100).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'field names are letters, digits and _, not starting with a digit'),
    label: z.string().trim().max(200).optional(),
    type: z.enum(['email', 'text', 'number', 'checkbox', 'select', 'hidden']),
    required: z.boolean().optional(),
    options: z.array(z.string().trim().min(1).max(200)).min(1).max(200).optional(),
  })
  .strict()
  .superRefine((field, ctx) => {
    if (field.type === 'select' && !field.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'a select field needs options' });
    if (field.type !== 'select' && field.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'only a select field has options' });
  });
const FormFields = z
  .array(FormField)
  .min(1)
  .max(100)
  .superRefine((fields, ctx) => {
    // The email field is how a submission finds (or creates) its contact.
    const emails = fields.filter((field) => field.type === 'email').length;
    if (emails !== 1) ctx.addIssue({ code: 'custom', message: `a form needs exactly one field of type email (found ${emails})` });
    const seen = new Set<string>();
    fields.forEach((field, index) => {
      if (seen.has(field.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate field name ${field.name}` });
      seen.add(field.name);
    });
  });
const formFields = {
  name: z.string().trim().min(1).max(200),
  fields: FormFields,
  subscriptionListId: z.string().min(1).max(200).nullable().optional(),
};
const FormInput = z.object(formFields).strict();
const FormPatch = z.object(formFields).partial().strict();
const ListFilter = z.object({ status: z.enum(['draft', 'live']).optional() });

const COLUMNS = `t.id, t.name, t.fields, t.subscription_list_id as "subscriptionListId", t.status, t.created_at as "createdAt"`;

interface Form {
  id: string;
  name: string;
  fields: z.infer<typeof FormFields>;
  subscriptionListId: string | null;
  status: 'draft' | 'live';
}

async function checkList(db: Queryable, listId: string | null | undefined): Promise<void> {
  if (listId && !(await existingIds(db, 'subscription_lists', [listId])).size) {
    throw badRequest('Unknown subscription list', [{ path: 'subscriptionListId', message: 'no subscription list with this id' }]);
  }
}

async function loadForm(db: Queryable, id: string, forUpdate = false): Promise<Form> {
  const [row] = await db.query<Form>(`select ${COLUMNS} from forms t where t.id = $1${forUpdate ? ' for update' : ''}`, [id]);
  if (!row) throw notFound('Form', id);
  return row;
}

export function formRoutes(app: FastifyInstance, { db, clock }: ServerContext): void {
  app.post('/forms', async (request, reply) => {
    requireWriter(request.caller);
    const input = decode(FormInput, body(request.body));
    const row = await db.transaction(async (tx) => {
      await checkList(tx, input.subscriptionListId);
      const [created] = await tx.query(
        `insert into forms as t (name, fields, subscription_list_id, status, created_at) values ($1, $2::jsonb, $3, 'draft', $4) returning ${COLUMNS}`,
        [input.name, JSON.stringify(input.fields), input.subscriptionListId ?? null, clock.now()],
      );
      return created;
    });
    return reply.status(201).send(row);
  });

  app.get('/forms', async (request) => {
    const filter = decode(ListFilter, request.query);
    const params: unknown[] = [];
    let where = 'where true';
    if (filter.status) {
      params.push(filter.status);
      where += ` and t.status = $${params.length}`;
    }
    return listPage(db, request.query, `select ${COLUMNS} from forms t ${where}`, params);
  });

  app.get('/forms/:id', async (request) => loadForm(db, decode(IdParams, request.params).id));

  app.patch('/forms/:id', async (request) => {
    requireWriter(request.caller);
    const { id } = decode(IdParams, request.params);
    const patch = decode(FormPatch, body(request.body));
    return db.transaction(async (tx) => {
      const form = await loadForm(tx, id, true);
      // People may be filling it in: a live form's fields stay as they are.
      if (form.status === 'live') throw conflict('The form is live; a live form cannot be edited');
      await checkList(tx, patch.subscriptionListId);
      const [updated] = await tx.query(`update forms t set name = $2, fields = $3::jsonb, subscription_list_id = $4 where t.id = $1 returning ${COLUMNS}`, [
        id,
        patch.name ?? form.name,
        JSON.stringify(patch.fields ?? form.fields),
        patch.subscriptionListId === undefined ? form.subscriptionListId : patch.subscriptionListId,
      ]);
      return updated;
    });
  });

  app.post('/forms/:id/publish', async (request) => {
    requireWriter(request.caller);
    const { id } = decode(IdParams, request.params);
    await loadForm(db, id);
    await db.query(`update forms set status = 'live' where id = $1`, [id]);
    return { status: 'live' };
  });
}
