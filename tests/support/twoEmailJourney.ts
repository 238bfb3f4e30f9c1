import type { Queryable } from '@waymark/engine';

/**
 * The workload the fault test and the soak put under fire: `contacts` people in one segment, a live
 * journey that mails them, waits a day and mails them again. Written straight into the database so
 * the processes under test find work the moment they start.
 */
export async function seedTwoEmailJourney(db: Queryable, options: { contacts: number; journeyId: string; name: string; start: Date; days: number }): Promise<void> {
  await db.query(
    `insert into contacts (id, email, first_name, consent) select 'c' || n, 'c' || n || '@example.com', 'Name' || n, 'marketing' from generate_series(1, $1::int) n`,
    [options.contacts],
  );
  await db.query(`insert into segments (id, name, kind, query) values ('all', 'All', 'dynamic', '{"attribute": "email", "op": "contains", "value": "@"}')`);
  await db.query(`insert into content_settings (name, postal_address, is_default) values ('Default', '1 Main St', true)`);
  await db.query(`insert into emails (id, name, subject, html, status) values ('hello', 'Hello', 'Hello', '<p>Hello {{ content.postalAddress }}</p>', 'live'), ('again', 'Again', 'Again', '<p>Again {{ content.postalAddress }}</p>', 'live')`);
  const definition = {
    name: options.name,
    target: 'contacts',
    scope: 'organization',
    startAt: options.start.toISOString(),
    endAt: new Date(options.start.getTime() + options.days * 86_400_000).toISOString(),
    timeZone: 'UTC',
    tiles: [
      { id: 'audience', type: 'segmentGroup', combine: 'union', segments: [{ source: 'segment', segmentId: 'all', mode: 'include' }], next: 'hello' },
      { id: 'hello', type: 'email', emailId: 'hello', next: 'wait' },
      { id: 'wait', type: 'scheduler', wait: { for: 'P1D' }, next: 'again' },
      { id: 'again', type: 'email', emailId: 'again', next: null },
    ],
  };
  await db.query(`insert into journeys (id, name, status, definition) values ($1, $2, 'live', $3)`, [options.journeyId, options.name, JSON.stringify(definition)]);
}
