import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing.ts';

describe('autovacuum settings of the hot tables', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('vacuums journey_contacts, outbox and the dirty-contacts queue after a small number of dead rows', async () => {
    const rows = await database.db.query<{ relname: string; reloptions: string[] }>(
      `select relname, reloptions from pg_class where relname in ('journey_contacts', 'outbox', 'segment_dirty_contacts') and relkind = 'r' order by relname`,
    );
    const options = Object.fromEntries(rows.map((row) => [row.relname, row.reloptions]));
    expect(options.journey_contacts).toEqual(expect.arrayContaining(['autovacuum_vacuum_scale_factor=0.02', 'autovacuum_vacuum_threshold=1000']));
    expect(options.outbox).toEqual(expect.arrayContaining(['autovacuum_vacuum_scale_factor=0.02', 'autovacuum_vacuum_threshold=1000']));
    expect(options.segment_dirty_contacts).toEqual(expect.arrayContaining(['autovacuum_vacuum_scale_factor=0', 'autovacuum_vacuum_threshold=1000']));
  });
});
