import type { JourneyDefinition, JourneyStatus } from '@waymark/core';
import type { Queryable } from '../db/database.ts';
import { insertMilestone } from '../queries/insertMilestone.ts';

export interface StoredJourney {
  id: string;
  status: JourneyStatus;
  definition: JourneyDefinition;
  ownerUserId: string | null;
  businessUnitId: string | null;
  currentIteration: number;
  /** The published version it runs (null while never live). */
  version: number | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `j.id, j.status, j.definition, j.owner_user_id as "ownerUserId", j.business_unit_id as "businessUnitId",
  j.current_iteration as "currentIteration", j.version, j.created_at as "createdAt", j.updated_at as "updatedAt"`;

export async function getJourney(db: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<StoredJourney | null> {
  const rows = await db.query<StoredJourney>(`select ${COLUMNS} from journeys j where j.id = $1${options.forUpdate ? ' for update' : ''}`, [id]);
  return rows[0] ?? null;
}

export async function insertJourney(db: Queryable, def: JourneyDefinition, owner: { userId: string; businessUnitId: string }, now: Date): Promise<StoredJourney> {
  const [row] = await db.query<StoredJourney>(
    `insert into journeys as j (name, definition, owner_user_id, business_unit_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)
     returning ${COLUMNS}`,
    [def.name, JSON.stringify(def), owner.userId, owner.businessUnitId, now],
  );
  await insertMilestone(db, row!.id, 'created', now, undefined, owner.userId);
  return row!;
}

export async function updateJourneyDefinition(db: Queryable, id: string, def: JourneyDefinition, now: Date): Promise<StoredJourney> {
  const [row] = await db.query<StoredJourney>(
    `update journeys j set name = $2, definition = $3, owner_user_id = coalesce($5, j.owner_user_id), updated_at = $4 where id = $1 returning ${COLUMNS}`,
    [id, def.name, JSON.stringify(def), now, def.ownerUserId ?? null],
  );
  return row!;
}

export async function setJourneyStatus(db: Queryable, id: string, status: JourneyStatus, now: Date): Promise<void> {
  await db.query('update journeys set status = $2, updated_at = $3 where id = $1', [id, status, now]);
}

export async function deleteJourney(db: Queryable, id: string): Promise<void> {
  await db.query('delete from journeys where id = $1', [id]);
}
