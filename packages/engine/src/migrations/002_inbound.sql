-- Inbound marketing: public forms and landing pages, lead scoring, bounces, and a log of failed
-- effects (workflow calls, emails) so failures show in insights and in each contact's path.

-- What a visitor sees after submitting: a message on our thank-you page, or a page of the site.
alter table forms add column thank_you_message text;
alter table forms add column redirect_url text;

create table pages (
  id text primary key default gen_random_uuid()::text,
  name text not null,
  title text not null,
  -- Plain text; blank lines separate paragraphs. Rendered escaped, never as HTML.
  body text not null default '',
  form_id text references forms (id),
  status text not null default 'draft' check (status in ('draft', 'live')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Every view of a live page; contact_id only when the visitor is known (a tracked link from an email).
create table page_visits (
  id bigserial primary key,
  page_id text not null references pages (id) on delete cascade,
  contact_id text references contacts (id) on delete cascade,
  visited_at timestamptz not null
);
create index page_visits_page on page_visits (page_id, visited_at);
create index page_visits_contact on page_visits (contact_id) where contact_id is not null;

create table scoring_models (
  id text primary key default gen_random_uuid()::text,
  name text not null,
  -- {rules, decay, salesReadyThreshold}: the core's ScoringModelDefinition.
  definition jsonb not null,
  status text not null default 'draft' check (status in ('draft', 'live')),
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- A lead's score under each live model. Sales-ready is sticky: decay does not take it back.
create table lead_scores (
  lead_id text not null references leads (id) on delete cascade,
  model_id text not null references scoring_models (id) on delete cascade,
  score integer not null,
  model_version integer not null,
  sales_ready_at timestamptz,
  computed_at timestamptz not null,
  primary key (lead_id, model_id)
);

alter table leads add column sales_ready_at timestamptz;
-- When the lead's score must be computed again: set by new events and contact changes, and to the
-- next decay step after each computation. Null: nothing will change it by itself.
alter table leads add column rescore_at timestamptz;
alter table leads add column scored_at timestamptz;
create index leads_contact on leads (contact_id);
create index leads_account on leads (account_id) where contact_id is null;
create index leads_rescore on leads (rescore_at) where rescore_at is not null;
-- Lead scoring notices recent attribute changes by this.
create index contacts_updated on contacts (updated_at);

-- Addresses that hard-bounced: no further mail goes to them, whoever holds the address. Kept as
-- a hash of the lower-cased address, so erasing the person leaves no readable trace here.
create table bounced_emails (
  email_hash text primary key,
  reason text not null,
  bounced_at timestamptz not null
);

-- Each failed attempt at an effect; retry_at is null when the sender gave up on it.
create table effect_failures (
  id bigserial primary key,
  outbox_id bigint not null,
  kind text not null,
  journey_id text not null,
  iteration integer not null,
  tile_id text not null,
  contact_id text references contacts (id) on delete cascade,
  account_id text,
  at timestamptz not null,
  error text not null,
  retry_at timestamptz
);
create index effect_failures_journey on effect_failures (journey_id, contact_id);

-- Conditions and triggers load a contact's lists and static segments by contact (loadContactFacts):
-- without these, each lookup reads every membership of every list or segment.
create index list_members_contact on list_members (contact_id);
create index segment_members_contact on segment_members (contact_id);
