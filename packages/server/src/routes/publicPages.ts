import { visitPage } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { decode } from '../decode.ts';
import type { FormField } from '../formFields.ts';
import { renderForm } from '../formPage.ts';
import { escapeHtml, htmlDocument, messagePage, paragraphs, sendHtml } from '../html.ts';
import { verifyVisitToken, VISIT_PARAM } from '../visitToken.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });

interface LivePage {
  id: string;
  title: string;
  body: string;
  form: { id: string; name: string; fields: FormField[] } | null;
}

/**
 * Landing pages, without an API key: `GET /p/{id}` serves a live page, with its form when the
 * form is live, and counts the visit. A visitor who came through a tracked link in an email
 * carries a signed `?wm=` token: the visit is then recorded as `page_visited` for that contact,
 * usable in triggers and segments. Anyone else is counted, not identified.
 */
export function publicPageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db, clock, worker, config } = ctx;

  app.get('/p/:id', async (request, reply) => {
    const { id } = decode(IdParams, request.params);
    const [page] = await db.query<LivePage>(
      `select p.id, p.title, p.body,
              (select jsonb_build_object('id', f.id, 'name', f.name, 'fields', f.fields) from forms f where f.id = p.form_id and f.status = 'live') as form
         from pages p where p.id = $1 and p.status = 'live'`,
      [id],
    );
    if (!page) return sendHtml(reply, 404, messagePage('Page not found', 'This page does not exist or is not published.'));
    // A HEAD (link checkers, previews) is not a visit.
    if (request.method === 'GET') {
      const visitor = verifyVisitToken(config.secret, (request.query as Record<string, unknown> | undefined)?.[VISIT_PARAM]);
      const now = clock.now();
      const known = await db.transaction((tx) => visitPage(tx, { pageId: page.id, contactId: visitor?.c ?? null, outboxId: visitor?.o ?? null }, now));
      if (known) worker.poke();
    }
    const form = page.form ? `<section aria-labelledby="wm-form-title">\n<h2 id="wm-form-title">${escapeHtml(page.form.name)}</h2>\n${renderForm(page.form, {}, { headingLevel: 3 })}\n</section>` : '';
    return sendHtml(reply, 200, htmlDocument({ title: page.title, main: `<h1>${escapeHtml(page.title)}</h1>\n${paragraphs(page.body)}\n${form}` }));
  });
}
