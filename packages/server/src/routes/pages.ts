import type { Queryable } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { badRequest, conflict, notFound, unprocessable } from '../problem.ts';
import { requireOrganizationWriter } from '../visibility.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
const pageFields = {
  name: z.string().trim().min(1).max(200),
  /** The page's heading and browser title. */
  title: z.string().trim().min(1).max(300),
  /** Plain text; blank lines separate paragraphs. Shown escaped, never as HTML. */
  body: z.string().max(20_000).optional(),
  /** The marketing form the page embeds. */
  formId: z.string().min(1).max(200).nullable().optional(),
};
export const PageInput = z.object(pageFields).strict();
export const PagePatch = z.object(pageFields).partial().strict();
const ListFilter = z.object({ status: z.enum(['draft', 'live']).optional() });

const COLUMNS = `t.id, t.name, t.title, t.body, t.form_id as "formId", t.status, t.created_at as "createdAt", t.updated_at as "updatedAt",
  (select count(*)::int from page_visits v where v.page_id = t.id) as visits,
  (select count(distinct v.contact_id)::int from page_visits v where v.page_id = t.id) as "knownVisitors"`;

interface Page {
  id: string;
  name: string;
  title: string;
  body: string;
  formId: string | null;
  status: 'draft' | 'live';
}

async function loadPage(db: Queryable, id: string, forUpdate = false): Promise<Page> {
  const [row] = await db.query<Page>(`select ${COLUMNS} from pages t where t.id = $1${forUpdate ? ' for update of t' : ''}`, [id]);
  if (!row) throw notFound('Page', id);
  return row;
}

async function checkForm(db: Queryable, formId: string | null | undefined): Promise<void> {
  if (!formId) return;
  const rows = await db.query('select 1 from forms where id = $1', [formId]);
  if (rows.length === 0) throw badRequest('Unknown form', [{ path: 'formId', message: 'no form with this id' }]);
}

/**
 * Marketing (landing) pages: a title, text and optionally a form. Published, a page is public at
 * `/p/{id}`; visits through tracked email links are recorded as `page_visited` for the contact.
 */
export function pageRoutes(app: FastifyInstance, { db, clock, config }: ServerContext): void {
  const withUrl = <T extends { id: string }>(page: T) => ({ ...page, url: `${config.publicUrl.replace(/\/$/, '')}/p/${encodeURIComponent(page.id)}` });

  app.post('/pages', async (request, reply) => {
    requireOrganizationWriter(request.caller, 'Pages');
    const input = decode(PageInput, body(request.body));
    const row = await db.transaction(async (tx) => {
      await checkForm(tx, input.formId);
      const [created] = await tx.query<Page>(
        `insert into pages as t (name, title, body, form_id, status, created_at, updated_at) values ($1, $2, $3, $4, 'draft', $5, $5) returning ${COLUMNS}`,
        [input.name, input.title, input.body ?? '', input.formId ?? null, clock.now()],
      );
      return created!;
    });
    return reply.status(201).send(withUrl(row));
  });

  app.get('/pages', async (request) => {
    const filter = decode(ListFilter, request.query);
    const params: unknown[] = [];
    let where = 'where true';
    if (filter.status) {
      params.push(filter.status);
      where += ` and t.status = $${params.length}`;
    }
    const page = await listPage<Page>(db, request.query, `select ${COLUMNS} from pages t ${where}`, params);
    return { items: page.items.map(withUrl), nextCursor: page.nextCursor };
  });

  app.get('/pages/:id', async (request) => withUrl(await loadPage(db, decode(IdParams, request.params).id)));

  app.patch('/pages/:id', async (request) => {
    requireOrganizationWriter(request.caller, 'Pages');
    const { id } = decode(IdParams, request.params);
    const patch = decode(PagePatch, body(request.body));
    const row = await db.transaction(async (tx) => {
      const page = await loadPage(tx, id, true);
      if (page.status === 'live') throw conflict('The page is live; a live page cannot be edited');
      await checkForm(tx, patch.formId);
      const [updated] = await tx.query<Page>(
        `update pages t set name = $2, title = $3, body = $4, form_id = $5, updated_at = $6 where t.id = $1 returning ${COLUMNS}`,
        [id, patch.name ?? page.name, patch.title ?? page.title, patch.body ?? page.body, patch.formId === undefined ? page.formId : patch.formId, clock.now()],
      );
      return updated!;
    });
    return withUrl(row);
  });

  app.post('/pages/:id/publish', async (request) => {
    requireOrganizationWriter(request.caller, 'Pages');
    const { id } = decode(IdParams, request.params);
    await db.transaction(async (tx) => {
      const page = await loadPage(tx, id, true);
      if (page.formId) {
        const [form] = await tx.query<{ status: string }>('select status from forms where id = $1', [page.formId]);
        if (form?.status !== 'live') throw unprocessable('The page embeds a form that is not published; publish the form first', undefined, [{ path: 'formId', message: 'form is not published' }]);
      }
      await tx.query(`update pages set status = 'live', updated_at = $2 where id = $1`, [id, clock.now()]);
    });
    return { status: 'live' };
  });
}
