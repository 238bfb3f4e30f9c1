-- Waymark's first schema. Ids are opaque text so an unknown or malformed id is simply "not found".

create table settings (
  key text primary key,
  value text not null
);

create table business_units (
  id text primary key default gen_random_uuid()::text,
  name text not null,
  parent_id text references business_units (id),
  created_at timestamptz not null default now()
);

create table users (
  id text primary key default gen_random_uuid()::text,
  name text not null,
  email text not null unique,
  business_unit_id text not null references business_units (id),
  role text not null check (role in ('admin', 'marketer', 'viewer')),
  level text not null check (level in ('organization', 'businessUnit')),
  created_at timestamptz not null default now()
);

create table api_keys (
  id text primary key default gen_random_uuid()::text,
  user_id text not null references users (id) on delete cascade,
  key_hash text not null unique,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

create table attributes (
  entity text not null check (entity in ('contact', 'account')),
  name text not null,
  type text not null check (type in ('string', 'number', 'boolean', 'date')),
  primary key (entity, name)
);

create table accounts (
  id text primary key default gen_random_uuid()::text,
  name text not null,
  business_unit_id text references business_units (id),
  owner_user_id text references users (id),
  attributes jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table contacts (
  id text primary key default gen_random_uuid()::text,
  email text not null,
  first_name text,
  last_name text,
  account_id text references accounts (id) on delete set null,
  business_unit_id text references business_units (id),
  owner_user_id text references users (id),
  consent text not null default 'none',
  time_zone text,
  attributes jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index contacts_email on contacts (lower(email));
create index contacts_account on contacts (account_id);

create table segments (
  id text primary key default gen_random_uuid()::text,
  name text not null,
  kind text not null check (kind in ('dynamic', 'static')),
  query jsonb,
  business_unit_id text references business_units (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table segment_members (
  segment_id text not null references segments (id) on delete cascade,
  contact_id text not null references contacts (id) on delete cascade,
  added_at timestamptz not null default now(),
  primary key (segment_id, contact_id)
);

create table subscription_lists (
  id text primary key default gen_random_uuid()::text,
  name text not null,
  created_at timestamptz not null default now()
);

create table list_members (
  list_id text not null references subscription_lists (id) on delete cascade,
  contact_id text not null references contacts (id) on delete cascade,
  added_at timestamptz not null default now(),
  primary key (list_id, contact_id)
);

create table content_settings (
  id text primary key default gen_random_uuid()::text,
  name text not null,
  postal_address text not null,
  subscription_center_url text,
  forward_to_friend_url text,
  social_links jsonb not null default '{}',
  is_default boolean not null default false,
  created_at timestamptz not null default now()
);
create unique index content_settings_one_default on content_settings (is_default) where is_default;

create table emails (
  id text primary key default gen_random_uuid()::text,
  name text not null,
  subject text not null,
  html text not null,
  text text,
  from_name text,
  from_address text,
  status text not null default 'draft' check (status in ('draft', 'live')),
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table forms (
  id text primary key default gen_random_uuid()::text,
  name text not null,
  fields jsonb not null,
  subscription_list_id text references subscription_lists (id),
  status text not null default 'draft' check (status in ('draft', 'live')),
  created_at timestamptz not null default now()
);

create table workflows (
  id text primary key default gen_random_uuid()::text,
  name text not null,
  url text not null,
  secret text not null,
  created_at timestamptz not null default now()
);

create table journeys (
  id text primary key default gen_random_uuid()::text,
  name text not null,
  status text not null default 'draft' check (status in ('draft', 'live', 'stopped', 'ended')),
  definition jsonb not null,
  owner_user_id text references users (id),
  business_unit_id text references business_units (id),
  current_iteration integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table journey_milestones (
  id bigserial primary key,
  journey_id text not null references journeys (id) on delete cascade,
  at timestamptz not null,
  kind text not null,
  detail jsonb,
  user_id text
);
create index journey_milestones_journey on journey_milestones (journey_id, id);

create table journey_iterations (
  journey_id text not null references journeys (id) on delete cascade,
  number integer not null,
  started_at timestamptz not null,
  status text not null default 'running',
  primary key (journey_id, number)
);

-- One row per (journey, iteration, contact): where the contact stands, and when it is next due.
create table journey_contacts (
  journey_id text not null references journeys (id) on delete cascade,
  iteration integer not null,
  contact_id text not null references contacts (id) on delete cascade,
  account_id text,
  tile_id text,
  status text not null check (status in ('active', 'completed', 'exited', 'excluded')),
  reason text,
  due_at timestamptz,
  -- Set while the contact waits in a trigger, so an arriving event wakes exactly these rows.
  waits_for_events boolean not null default false,
  tile_entered_at timestamptz,
  entered_at timestamptz not null,
  finished_at timestamptz,
  version integer not null default 1,
  primary key (journey_id, iteration, contact_id)
);
create index journey_contacts_due on journey_contacts (due_at) where status = 'active';
create index journey_contacts_waiting on journey_contacts (contact_id) where waits_for_events;

-- The path each contact took: one row per tile it left, with the outcome.
create table journey_history (
  seq bigserial primary key,
  journey_id text not null,
  iteration integer not null,
  contact_id text not null,
  tile_id text not null,
  at timestamptz not null,
  outcome text not null,
  branch integer
);
create index journey_history_contact on journey_history (journey_id, contact_id);
create index journey_history_tile on journey_history (journey_id, tile_id);

create table events (
  id bigserial primary key,
  contact_id text not null references contacts (id) on delete cascade,
  type text not null,
  occurred_at timestamptz not null,
  properties jsonb not null default '{}',
  -- Optional client-chosen key: a resent event with the same key is stored once.
  message_id text unique,
  created_at timestamptz not null default now()
);
create index events_contact on events (contact_id, type, occurred_at);
create index events_journey_tile on events ((properties ->> 'journeyId'), (properties ->> 'tileId'), type);

-- Effects to carry out after commit (emails, workflow calls), each at most once per key.
create table outbox (
  id bigserial primary key,
  idempotency_key text not null unique,
  kind text not null check (kind in ('email', 'workflow')),
  journey_id text not null,
  iteration integer not null,
  tile_id text not null,
  contact_id text,
  account_id text,
  target_id text not null,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null,
  sent_at timestamptz
);
create index outbox_pending on outbox (kind, next_attempt_at) where status = 'pending';

create table activities (
  id text primary key default gen_random_uuid()::text,
  idempotency_key text not null unique,
  journey_id text not null,
  iteration integer not null,
  tile_id text not null,
  contact_id text references contacts (id) on delete cascade,
  account_id text,
  activity_type text not null,
  subject text not null,
  assigned_user_id text,
  due_at timestamptz,
  created_at timestamptz not null
);
create index activities_journey on activities (journey_id);

create table leads (
  id text primary key default gen_random_uuid()::text,
  idempotency_key text not null unique,
  journey_id text not null,
  iteration integer not null,
  tile_id text not null,
  contact_id text references contacts (id) on delete cascade,
  account_id text,
  topic text,
  score integer not null default 0,
  status text not null default 'new',
  created_at timestamptz not null
);
create index leads_journey on leads (journey_id);
