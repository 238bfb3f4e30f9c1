import { refusedWorkflowUrl } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { badRequest, notFound } from '../problem.ts';
import { requireOrganizationWriter } from '../visibility.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
export const WorkflowInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    url: z.url({ protocol: /^https?$/ }).max(2000),
    secret: z.string().min(8).max(500),
  })
  .strict();

// The secret signs calls; it is write-only, never echoed back.
const COLUMNS = `t.id, t.name, t.url, t.created_at as "createdAt"`;

export function workflowRoutes(app: FastifyInstance, { db, config }: ServerContext): void {
  const addressPolicy = config.webhooks?.addressPolicy ?? { allowPrivate: false };

  app.post('/workflows', async (request, reply) => {
    requireOrganizationWriter(request.caller, 'Workflows');
    const input = decode(WorkflowInput, body(request.body));
    // Checked again, after resolution, at every call: DNS may change after this.
    const refused = await refusedWorkflowUrl(input.url, addressPolicy);
    if (refused) throw badRequest('Invalid url', [{ path: 'url', message: refused }]);
    const [row] = await db.query(`insert into workflows as t (name, url, secret) values ($1, $2, $3) returning ${COLUMNS}`, [input.name, input.url, input.secret]);
    return reply.status(201).send(row);
  });

  app.get('/workflows', async (request) => listPage(db, request.query, `select ${COLUMNS} from workflows t where true`, []));

  app.get('/workflows/:id', async (request) => {
    const { id } = decode(IdParams, request.params);
    const [row] = await db.query(`select ${COLUMNS} from workflows t where t.id = $1`, [id]);
    if (!row) throw notFound('Workflow', id);
    return row;
  });
}
