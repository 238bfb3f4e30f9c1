import type { Queryable } from '../db/database.ts';

export interface CarryOver {
  journeyId: string;
  /** Each removed tile that holds contacts, and where they go (null: they exit with reason `tileRemoved`). */
  moves: Record<string, string | null>;
  /** Kept tiles whose settings changed: their waiting contacts are looked at again now. */
  changed: string[];
  /** The version the contacts leave, written on the history rows of the tiles they leave. */
  fromVersion: number | null;
}

/**
 * Carries a journey's waiting contacts over to a new version, set-based: contacts at a removed
 * tile enter its move target at once (due now, entering it now) or exit; contacts at a changed
 * tile fall due now, so the stepper recomputes their wait or timeout from when they entered the
 * tile (their `tile_entered_at` is kept). Returns how many contacts were moved and exited.
 */
export async function carryContactsOver(tx: Queryable, carry: CarryOver, now: Date): Promise<{ moved: number; exited: number }> {
  const from = Object.keys(carry.moves);
  const [counts] = await tx.query<{ moved: number; exited: number }>(
    `with moves as (select * from unnest($2::text[], $3::text[]) as m(from_tile, to_tile)),
     carried as (
       update journey_contacts jc
          set tile_id = coalesce(m.to_tile, jc.tile_id),
              status = case when m.to_tile is null then 'exited' else 'active' end,
              reason = case when m.to_tile is null then 'tileRemoved' end,
              due_at = case when m.to_tile is null then null else $4::timestamptz end,
              tile_entered_at = case when m.to_tile is null then jc.tile_entered_at else $4::timestamptz end,
              waits_for_events = false,
              finished_at = case when m.to_tile is null then $4::timestamptz end,
              version = jc.version + 1
         from moves m
        where jc.journey_id = $1 and jc.status = 'active' and jc.tile_id = m.from_tile
       returning jc.iteration, jc.contact_id, m.from_tile, m.to_tile),
     left_tiles as (
       insert into journey_history (journey_id, iteration, contact_id, tile_id, at, outcome, journey_version)
       select $1, iteration, contact_id, from_tile, $4::timestamptz, case when to_tile is null then 'tileRemoved' else 'moved' end, $5::int from carried
       returning 1),
     woken as (
       update journey_contacts jc set due_at = $4::timestamptz
        where jc.journey_id = $1 and jc.status = 'active' and jc.tile_id = any($6::text[]) and jc.due_at > $4::timestamptz
       returning 1)
     select (select count(*)::int from carried where to_tile is not null) as moved,
            (select count(*)::int from carried where to_tile is null) as exited,
            (select count(*) from left_tiles) as history,
            (select count(*) from woken) as woken`,
    [carry.journeyId, from, from.map((tileId) => carry.moves[tileId]), now, carry.fromVersion, carry.changed],
  );
  return { moved: counts?.moved ?? 0, exited: counts?.exited ?? 0 };
}
