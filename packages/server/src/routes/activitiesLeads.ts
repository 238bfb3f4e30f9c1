import { getWorkItem, workItemList } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { notFound } from '../problem.ts';
import { visibleUnit } from '../visibility.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
const Filter = z.object({
  journeyId: z.string().max(200).optional(),
  contactId: z.string().max(200).optional(),
  accountId: z.string().max(200).optional(),
});

/** What journey tiles created for people to act on, about the contacts and accounts the caller sees: read-only here. */
export function activityLeadRoutes(app: FastifyInstance, { db }: ServerContext): void {
  for (const [path, table, what] of [
    ['/activities', 'activities', 'Activity'],
    ['/leads', 'leads', 'Lead'],
  ] as const) {
    app.get(path, async (request) => {
      const { sql, params } = workItemList(table, decode(Filter, request.query), visibleUnit(request.caller));
      return listPage(db, request.query, sql, params);
    });

    app.get(`${path}/:id`, async (request) => {
      const { id } = decode(IdParams, request.params);
      const row = await getWorkItem(db, table, id, visibleUnit(request.caller));
      if (!row) throw notFound(what, id);
      return row;
    });
  }
}
