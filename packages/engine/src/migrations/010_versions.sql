-- Editing live journeys and emails: versions of journeys, revisions of emails.

-- The version a live journey runs (null while never live), and the next version being edited.
alter table journeys add column if not exists version integer;
alter table journeys add column if not exists draft jsonb;
alter table journeys add column if not exists draft_based_on integer;

-- Every published version, whole and immutable; `changes` says what it changed from the one before.
create table if not exists journey_versions (
  journey_id text not null references journeys (id) on delete cascade,
  version integer not null,
  definition jsonb not null,
  changes jsonb,
  published_at timestamptz not null,
  published_by text,
  primary key (journey_id, version)
);

-- Journeys that went live before versions existed run version 1.
update journeys set version = 1 where version is null and status <> 'draft';
insert into journey_versions (journey_id, version, definition, published_at)
select id, 1, definition, updated_at from journeys where version = 1
on conflict do nothing;

-- Which version a step was taken under, and a message queued by.
alter table journey_history add column if not exists journey_version integer;
alter table outbox add column if not exists journey_version integer;
-- The email revision a message was rendered from (set once it is sent).
alter table outbox add column if not exists email_revision integer;

-- The revision a live email sends, and the next one being edited.
alter table emails add column if not exists revision integer not null default 1;
alter table emails add column if not exists draft jsonb;
