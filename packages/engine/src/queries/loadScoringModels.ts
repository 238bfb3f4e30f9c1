import { ScoringModelDefinition } from '@waymark/core';
import type { Queryable } from '../db/database.ts';

export interface LiveScoringModel {
  id: string;
  version: number;
  definition: ScoringModelDefinition;
}

/** The live lead-scoring models: every lead is scored by each of them. */
export async function loadScoringModels(db: Queryable): Promise<LiveScoringModel[]> {
  const rows = await db.query<{ id: string; version: number; definition: unknown }>(`select id, version, definition from scoring_models where status = 'live' order by id`);
  return rows.map((row) => ({ id: row.id, version: row.version, definition: ScoringModelDefinition.parse(row.definition) }));
}
