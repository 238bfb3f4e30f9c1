-- An account-based trigger (basis "account") fires for the whole account once one of its
-- contacts satisfies it; this remembers that it fired, per journey, iteration, tile and account.
create table account_trigger_hits (
  journey_id text not null references journeys (id) on delete cascade,
  iteration integer not null,
  tile_id text not null,
  account_id text not null,
  at timestamptz not null,
  primary key (journey_id, iteration, account_id, tile_id)
);
create index journey_contacts_account on journey_contacts (journey_id, iteration, account_id) where status = 'active';
