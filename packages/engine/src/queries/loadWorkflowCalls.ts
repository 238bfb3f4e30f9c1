import type { Queryable } from '../db/database.ts';

export interface WorkflowTarget {
  id: string;
  url: string;
  secret: string;
}

export async function loadWorkflows(db: Queryable, ids: string[]): Promise<Map<string, WorkflowTarget>> {
  const rows = await db.query<WorkflowTarget>('select id, url, secret from workflows where id = any($1::text[])', [ids]);
  return new Map(rows.map((row) => [row.id, row]));
}
