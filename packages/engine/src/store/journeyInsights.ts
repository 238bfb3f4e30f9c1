import type { Queryable } from '../db/database.ts';

export interface TileInsight {
  entered: number;
  waiting: number;
  completed: number;
  /** Email tiles: messages waiting in the outbox (never tried, or retrying) that no server accepted yet. */
  queued?: number;
  /** Email tiles: messages an SMTP server accepted. */
  sent?: number;
  delivered?: number;
  opened?: number;
  clicked?: number;
  bounced?: number;
  /**
   * Email tiles: messages given up on (rejected by the server, expired after 3 days of temporary
   * failures, a hard-bounced address...). Launch-workflow tiles: calls given up on after a day of retries.
   */
  failed?: number;
  /** Launch-workflow tiles: calls the workflow accepted. */
  called?: number;
  /** Launch-workflow tiles: calls that failed and wait for their next try. */
  retrying?: number;
  onTrue?: number;
  onFalse?: number;
  branches?: number[];
}

export interface JourneyInsights {
  contacts: { entered: number; active: number; completed: number; exited: number; excluded: Record<'consent' | 'scope' | 'suppression' | 'duplicate', number> };
  tiles: Record<string, TileInsight>;
}

/**
 * Live counts for a journey and each of its tiles, from positions, history and email events; with
 * `accountId`, only the contacts of that account.
 */
export async function journeyInsights(db: Queryable, journeyId: string, tiles: { id: string; type: string; branches?: unknown[] }[], accountId?: string): Promise<JourneyInsights> {
  const params: unknown[] = [journeyId];
  let contactFilter = '';
  if (accountId) {
    params.push(accountId);
    contactFilter = ` and contact_id in (select id from contacts where account_id = $2)`;
  }
  const [positions, history, emailEvents, effects] = await Promise.all([
    db.query<{ status: string; reason: string | null; tile_id: string | null; n: number }>(
      `select status, reason, tile_id, count(*)::int as n from journey_contacts where journey_id = $1${contactFilter} group by status, reason, tile_id`,
      params,
    ),
    db.query<{ tile_id: string; outcome: string; branch: number | null; n: number }>(
      `select tile_id, outcome, branch, count(*)::int as n from journey_history where journey_id = $1${contactFilter} group by tile_id, outcome, branch`,
      params,
    ),
    db.query<{ tile_id: string; type: string; n: number }>(
      `select properties ->> 'tileId' as tile_id, type, count(distinct contact_id)::int as n
         from events
        where properties ->> 'journeyId' = $1 and type in ('email_delivered', 'email_opened', 'email_clicked', 'email_bounced')${contactFilter}
        group by 1, 2`,
      params,
    ),
    db.query<{ tile_id: string; status: string; errored: boolean; n: number }>(
      `select tile_id, status, last_error is not null as errored, count(*)::int as n
         from outbox where journey_id = $1${accountId ? ' and (account_id = $2 or contact_id in (select id from contacts where account_id = $2))' : ''}
        group by 1, 2, 3`,
      params,
    ),
  ]);
  // Tile ids are the user's: without a prototype, `__proto__` or `constructor` is a tile like any other.
  const tileInsights: Record<string, TileInsight> = Object.create(null);
  const insights: JourneyInsights = { contacts: { entered: 0, active: 0, completed: 0, exited: 0, excluded: { consent: 0, scope: 0, suppression: 0, duplicate: 0 } }, tiles: tileInsights };
  for (const tile of tiles) {
    const base: TileInsight = { entered: 0, waiting: 0, completed: 0 };
    if (tile.type === 'email') Object.assign(base, { queued: 0, sent: 0, delivered: 0, opened: 0, clicked: 0, bounced: 0, failed: 0 });
    if (tile.type === 'launchWorkflow') Object.assign(base, { called: 0, failed: 0, retrying: 0 });
    if (tile.type === 'trigger' || tile.type === 'condition') Object.assign(base, { onTrue: 0, onFalse: 0 });
    if (tile.type === 'splitter') base.branches = (tile.branches ?? []).map(() => 0);
    insights.tiles[tile.id] = base;
  }
  for (const row of positions) {
    if (row.status === 'excluded') {
      const reason = (row.reason ?? 'duplicate') as keyof JourneyInsights['contacts']['excluded'];
      insights.contacts.excluded[reason] = (insights.contacts.excluded[reason] ?? 0) + row.n;
      continue;
    }
    insights.contacts.entered += row.n;
    if (row.status === 'active') insights.contacts.active += row.n;
    else if (row.status === 'completed') insights.contacts.completed += row.n;
    else insights.contacts.exited += row.n;
    const tile = row.tile_id ? insights.tiles[row.tile_id] : undefined;
    if (tile && row.status === 'active') tile.waiting += row.n;
  }
  for (const row of history) {
    const tile = insights.tiles[row.tile_id];
    if (!tile) continue;
    tile.completed += row.n;
    if (row.outcome === 'true' && tile.onTrue !== undefined) tile.onTrue += row.n;
    if (row.outcome === 'false' && tile.onFalse !== undefined) tile.onFalse += row.n;
    if (row.branch !== null && tile.branches) tile.branches[row.branch] = (tile.branches[row.branch] ?? 0) + row.n;
  }
  for (const tile of Object.values(insights.tiles)) tile.entered = tile.completed + tile.waiting;
  const eventField = { email_delivered: 'delivered', email_opened: 'opened', email_clicked: 'clicked', email_bounced: 'bounced' } as const;
  for (const row of emailEvents) {
    const tile = insights.tiles[row.tile_id];
    const field = eventField[row.type as keyof typeof eventField];
    if (tile && field && tile[field] !== undefined) tile[field] = row.n;
  }
  for (const row of effects) {
    const tile = insights.tiles[row.tile_id];
    if (!tile) continue;
    if (row.status === 'failed' && tile.failed !== undefined) tile.failed += row.n;
    // A contact passing an email tile only queues the message: it counts as sent once a server took it.
    if (row.status === 'pending' && tile.queued !== undefined) tile.queued += row.n;
    if (row.status === 'sent' && tile.sent !== undefined) tile.sent += row.n;
    if (row.status === 'sent' && tile.called !== undefined) tile.called += row.n;
    if (row.status === 'pending' && row.errored && tile.retrying !== undefined) tile.retrying += row.n;
  }
  return insights;
}
