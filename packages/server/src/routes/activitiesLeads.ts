import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { notFound } from '../problem.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
const Filter = z.object({
  journeyId: z.string().max(200).optional(),
  contactId: z.string().max(200).optional(),
  accountId: z.string().max(200).optional(),
});

const ACTIVITY_COLUMNS = `t.id, t.journey_id as "journeyId", t.iteration, t.tile_id as "tileId", t.contact_id as "contactId", t.account_id as "accountId",
  t.activity_type as "activityType", t.subject, t.assigned_user_id as "assignedUserId", t.due_at as "dueAt", t.created_at as "createdAt"`;
const LEAD_COLUMNS = `t.id, t.journey_id as "journeyId", t.iteration, t.tile_id as "tileId", t.contact_id as "contactId", t.account_id as "accountId",
  t.topic, t.score, t.status, t.sales_ready_at as "salesReadyAt", t.created_at as "createdAt",
  (select coalesce(jsonb_agg(jsonb_build_object('modelId', s.model_id, 'score', s.score, 'salesReadyAt', s.sales_ready_at) order by s.model_id), '[]')
     from lead_scores s where s.lead_id = t.id) as scores`;

/** `where ...` for the filters given; each value a parameter. */
function filterClause(query: unknown): { where: string; params: unknown[] } {
  const filter = decode(Filter, query);
  const params: unknown[] = [];
  let where = 'where true';
  for (const [key, column] of [
    ['journeyId', 'journey_id'],
    ['contactId', 'contact_id'],
    ['accountId', 'account_id'],
  ] as const) {
    const value = filter[key];
    if (value === undefined) continue;
    params.push(value);
    where += ` and t.${column} = $${params.length}`;
  }
  return { where, params };
}

/** What journey tiles created for people to act on: read-only here. */
export function activityLeadRoutes(app: FastifyInstance, { db }: ServerContext): void {
  app.get('/activities', async (request) => {
    const { where, params } = filterClause(request.query);
    return listPage(db, request.query, `select ${ACTIVITY_COLUMNS} from activities t ${where}`, params);
  });

  app.get('/leads', async (request) => {
    const { where, params } = filterClause(request.query);
    return listPage(db, request.query, `select ${LEAD_COLUMNS} from leads t ${where}`, params);
  });

  app.get('/activities/:id', async (request) => {
    const { id } = decode(IdParams, request.params);
    const [row] = await db.query(`select ${ACTIVITY_COLUMNS} from activities t where t.id = $1`, [id]);
    if (!row) throw notFound('Activity', id);
    return row;
  });

  app.get('/leads/:id', async (request) => {
    const { id } = decode(IdParams, request.params);
    const [row] = await db.query(`select ${LEAD_COLUMNS} from leads t where t.id = $1`, [id]);
    if (!row) throw notFound('Lead', id);
    return row;
  });
}
