import { CONTACT_FIELDS, ScoringModelDefinition } from '@waymark/core';
import { markAllLeadsForRescoring, type Queryable } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { badRequest, notFound } from '../problem.ts';
import { requireOrganizationWriter } from '../visibility.ts';
import { declaredAttributes } from './attributes.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
const modelFields = { name: z.string().trim().min(1).max(200), ...ScoringModelDefinition.shape };
export const ScoringModelInput = z.object(modelFields).strict();
export const ScoringModelPatch = z.object(modelFields).partial().strict();

const COLUMNS = `t.id, t.name, t.definition, t.status, t.version, t.created_at as "createdAt", t.updated_at as "updatedAt",
  (select count(*)::int from lead_scores s where s.model_id = t.id and s.sales_ready_at is not null) as "salesReadyLeads"`;

interface ModelRow {
  id: string;
  name: string;
  definition: ScoringModelDefinition;
  status: 'draft' | 'live';
  version: number;
  createdAt: Date;
  updatedAt: Date;
  salesReadyLeads: number;
}

const view = ({ definition, ...row }: ModelRow) => ({ ...row, ...definition });

/** An attribute rule must name a built-in contact field or a declared contact attribute. */
async function checkAttributes(db: Queryable, rules: ScoringModelDefinition['rules']): Promise<void> {
  const named = rules.flatMap((rule, n) => ('attribute' in rule && !(CONTACT_FIELDS as readonly string[]).includes(rule.attribute) ? [{ n, name: rule.attribute }] : []));
  if (named.length === 0) return;
  const declared = await declaredAttributes(db, 'contact', named.map((one) => one.name));
  const errors = named.filter((one) => !declared.has(one.name)).map((one) => ({ path: `rules.${one.n}.attribute`, message: `no contact field or declared attribute ${one.name}` }));
  if (errors.length > 0) throw badRequest('The rules name unknown attributes', errors);
}

async function loadModel(db: Queryable, id: string, forUpdate = false): Promise<ModelRow> {
  const [row] = await db.query<ModelRow>(`select ${COLUMNS} from scoring_models t where t.id = $1${forUpdate ? ' for update of t' : ''}`, [id]);
  if (!row) throw notFound('Scoring model', id);
  return row;
}

/**
 * Lead-scoring models: points for behaviour and attributes, optional decay, and the threshold at
 * which a lead becomes sales-ready. Every live model scores every lead; publishing or changing a
 * live model has every lead scored again.
 */
export function scoringModelRoutes(app: FastifyInstance, { db, clock, worker }: ServerContext): void {
  app.post('/scoring-models', async (request, reply) => {
    requireOrganizationWriter(request.caller, 'Scoring models');
    const { name, ...definition } = decode(ScoringModelInput, body(request.body));
    const row = await db.transaction(async (tx) => {
      await checkAttributes(tx, definition.rules);
      const [created] = await tx.query<ModelRow>(
        `insert into scoring_models as t (name, definition, status, created_at, updated_at) values ($1, $2::jsonb, 'draft', $3, $3) returning ${COLUMNS}`,
        [name, JSON.stringify(ScoringModelDefinition.parse(definition)), clock.now()],
      );
      return created!;
    });
    return reply.status(201).send(view(row));
  });

  app.get('/scoring-models', async (request) => {
    const page = await listPage<ModelRow>(db, request.query, `select ${COLUMNS} from scoring_models t where true`, []);
    return { items: page.items.map(view), nextCursor: page.nextCursor };
  });

  app.get('/scoring-models/:id', async (request) => view(await loadModel(db, decode(IdParams, request.params).id)));

  app.patch('/scoring-models/:id', async (request) => {
    requireOrganizationWriter(request.caller, 'Scoring models');
    const { id } = decode(IdParams, request.params);
    const { name, ...changes } = decode(ScoringModelPatch, body(request.body));
    const row = await db.transaction(async (tx) => {
      const model = await loadModel(tx, id, true);
      const definition = ScoringModelDefinition.parse({ ...model.definition, ...changes });
      await checkAttributes(tx, definition.rules);
      const now = clock.now();
      const [updated] = await tx.query<ModelRow>(
        `update scoring_models t set name = $2, definition = $3::jsonb, version = t.version + 1, updated_at = $4 where t.id = $1 returning ${COLUMNS}`,
        [id, name ?? model.name, JSON.stringify(definition), now],
      );
      if (model.status === 'live') await markAllLeadsForRescoring(tx, now);
      return updated!;
    });
    worker.poke();
    return view(row);
  });

  app.post('/scoring-models/:id/publish', async (request) => {
    requireOrganizationWriter(request.caller, 'Scoring models');
    const { id } = decode(IdParams, request.params);
    await db.transaction(async (tx) => {
      const model = await loadModel(tx, id, true);
      if (model.status === 'live') return;
      const now = clock.now();
      await tx.query(`update scoring_models set status = 'live', updated_at = $2 where id = $1`, [id, now]);
      await markAllLeadsForRescoring(tx, now);
    });
    worker.poke();
    return { status: 'live' };
  });
}
