import type { Queryable } from '../db/database.ts';
import type { ListQuery } from './messages.ts';

export interface WorkItemFilter {
  journeyId?: string;
  contactId?: string;
  accountId?: string;
}

const COLUMNS = {
  activities: `t.id, t.journey_id as "journeyId", t.iteration, t.tile_id as "tileId", t.contact_id as "contactId", t.account_id as "accountId",
  t.activity_type as "activityType", t.subject, t.assigned_user_id as "assignedUserId", t.due_at as "dueAt", t.created_at as "createdAt"`,
  leads: `t.id, t.journey_id as "journeyId", t.iteration, t.tile_id as "tileId", t.contact_id as "contactId", t.account_id as "accountId",
  t.topic, t.score, t.status, t.sales_ready_at as "salesReadyAt", t.created_at as "createdAt",
  (select coalesce(jsonb_agg(jsonb_build_object('modelId', s.model_id, 'score', s.score, 'salesReadyAt', s.sales_ready_at) order by s.model_id), '[]')
     from lead_scores s where s.lead_id = t.id) as scores`,
};

/**
 * An activity or lead belongs to the business unit of its contact, or of its account when it is
 * about an account only; `$n` is the unit, or null for every unit.
 */
const inUnit = (n: number) => `($${n}::text is null or $${n} = case when t.contact_id is not null
  then (select c.business_unit_id from contacts c where c.id = t.contact_id)
  else (select a.business_unit_id from accounts a where a.id = t.account_id) end)`;

/** What journey tiles created for people to act on, filtered, of `unit` (null: every unit's). */
export function workItemList(table: 'activities' | 'leads', filter: WorkItemFilter, unit: string | null): ListQuery {
  const params: unknown[] = [unit];
  let where = `where ${inUnit(1)}`;
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
  return { sql: `select ${COLUMNS[table]} from ${table} t ${where}`, params };
}

/** One activity or lead, if it is of `unit` (null: any unit). */
export async function getWorkItem(db: Queryable, table: 'activities' | 'leads', id: string, unit: string | null): Promise<Record<string, unknown> | null> {
  const [row] = await db.query<Record<string, unknown>>(`select ${COLUMNS[table]} from ${table} t where t.id = $1 and ${inUnit(2)}`, [id, unit]);
  return row ?? null;
}
