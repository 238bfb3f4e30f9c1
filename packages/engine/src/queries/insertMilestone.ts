import type { Queryable } from '../db/database.ts';

export type MilestoneKind = 'created' | 'updated' | 'checked' | 'wentLive' | 'started' | 'iterationStarted' | 'stopped' | 'ended' | 'extended' | 'failed' | 'versionPublished';

export async function insertMilestone(db: Queryable, journeyId: string, kind: MilestoneKind, at: Date, detail?: Record<string, unknown>, userId?: string | null): Promise<void> {
  await db.query('insert into journey_milestones (journey_id, at, kind, detail, user_id) values ($1, $2, $3, $4, $5)', [
    journeyId,
    at,
    kind,
    detail ? JSON.stringify(detail) : null,
    userId ?? null,
  ]);
}
