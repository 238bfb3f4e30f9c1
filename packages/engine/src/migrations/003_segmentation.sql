-- Live segment membership, GDPR suppression and the subscription center.
--
-- Membership of dynamic segments is a table kept current incrementally: every change that can
-- move a contact in or out of a segment (the contact itself, its account, its lists, its static
-- segments, an event of a type some segment asks about) queues the contact in
-- segment_dirty_contacts, from triggers, so no write path (API, import, forms, tests writing SQL)
-- can forget it. The worker evaluates the queue set-based, a batch at a time, and admits the
-- contacts that changed into live journeys. A segment whose query changed (evaluated_at is null)
-- is evaluated whole once.

alter table segments add column evaluated_at timestamptz;

-- No foreign keys: a full evaluation inserts hundreds of thousands of rows at once, and a
-- per-row referential check would cost more than the evaluation. Deletes are handled by triggers.
create table segment_membership (
  segment_id text not null,
  contact_id text not null,
  entered_at timestamptz not null,
  primary key (segment_id, contact_id)
);
create index segment_membership_contact on segment_membership (contact_id);

-- A queue, not a set: plain inserts never wait on a worker that is evaluating the same contact.
-- The worker takes a batch with SKIP LOCKED and removes duplicates itself.
create table segment_dirty_contacts (
  id bigserial primary key,
  contact_id text not null
);

-- Event types some dynamic segment asks about: only those events queue their contact.
create table segment_event_types (
  type text primary key
);

-- Windows (`within`) roll forward by events crossing the window edge, found by type and time.
create index events_type_time on events (type, occurred_at);

-- A journey iteration is admitted whole once (admitted_at); afterwards only changed contacts are looked at.
alter table journey_iterations add column admitted_at timestamptz;

-- GDPR: an erased person leaves only the hash of their address, so a re-import is never mailed.
create table suppressed_emails (
  email_hash text primary key,
  reason text not null,
  suppressed_at timestamptz not null
);
alter table contacts add column suppressed boolean not null default false;

create function waymark_email_hash(email text) returns text
  language sql immutable parallel safe
  as $$ select encode(sha256(convert_to(lower(email), 'UTF8')), 'hex') $$;

-- Contacts: queue for evaluation; keep `suppressed` in step with suppressed_emails.
create function waymark_contacts_changed() returns trigger language plpgsql as $$
begin
  if not exists (select 1 from changed_contacts) then
    return null;
  end if;
  insert into segment_dirty_contacts (contact_id) select id from changed_contacts;
  if exists (select 1 from suppressed_emails) or exists (select 1 from changed_contacts where suppressed) then
    update contacts c set suppressed = x.suppressed
      from (select n.id, exists (select 1 from suppressed_emails s where s.email_hash = waymark_email_hash(n.email)) as suppressed
              from changed_contacts n) x
     where c.id = x.id and c.suppressed <> x.suppressed;
  end if;
  return null;
end $$;
create trigger contacts_inserted after insert on contacts referencing new table as changed_contacts
  for each statement execute function waymark_contacts_changed();
create trigger contacts_updated after update on contacts referencing new table as changed_contacts
  for each statement execute function waymark_contacts_changed();

create function waymark_contacts_deleted() returns trigger language plpgsql as $$
begin
  delete from segment_membership m using deleted_contacts d where m.contact_id = d.id;
  return null;
end $$;
create trigger contacts_deleted after delete on contacts referencing old table as deleted_contacts
  for each statement execute function waymark_contacts_deleted();

-- Accounts: an account's change can move all of its contacts.
create function waymark_accounts_changed() returns trigger language plpgsql as $$
begin
  insert into segment_dirty_contacts (contact_id)
  select c.id from contacts c join changed_accounts a on c.account_id = a.id;
  return null;
end $$;
create trigger accounts_updated after update on accounts referencing new table as changed_accounts
  for each statement execute function waymark_accounts_changed();

-- List and static-segment members, added or removed.
create function waymark_members_changed() returns trigger language plpgsql as $$
begin
  insert into segment_dirty_contacts (contact_id) select distinct contact_id from changed_members;
  return null;
end $$;
create trigger list_members_added after insert on list_members referencing new table as changed_members
  for each statement execute function waymark_members_changed();
create trigger list_members_removed after delete on list_members referencing old table as changed_members
  for each statement execute function waymark_members_changed();
create trigger segment_members_added after insert on segment_members referencing new table as changed_members
  for each statement execute function waymark_members_changed();
create trigger segment_members_removed after delete on segment_members referencing old table as changed_members
  for each statement execute function waymark_members_changed();

-- Leads: a contact's lead score and sales-readiness are fields segments can ask about
-- (an account-level lead counts for every contact of the account).
create function waymark_leads_changed() returns trigger language plpgsql as $$
begin
  -- Scoring rewrites leads often; only a segment that asks about them makes that a change.
  if not exists (select 1 from segments s
                  where s.kind = 'dynamic' and s.query is not null
                    and jsonb_path_exists(s.query, 'strict $.**.attribute ? (@ == "leadScore" || @ == "salesReady")')) then
    return null;
  end if;
  insert into segment_dirty_contacts (contact_id)
  select l.contact_id from changed_leads l where l.contact_id is not null
  union
  select c.id from changed_leads l join contacts c on c.account_id = l.account_id where l.contact_id is null;
  return null;
end $$;
create trigger leads_added after insert on leads referencing new table as changed_leads
  for each statement execute function waymark_leads_changed();
create trigger leads_updated after update on leads referencing new table as changed_leads
  for each statement execute function waymark_leads_changed();

-- Events of a type some segment asks about.
create function waymark_events_added() returns trigger language plpgsql as $$
begin
  insert into segment_dirty_contacts (contact_id)
  select distinct n.contact_id from new_events n where exists (select 1 from segment_event_types t where t.type = n.type);
  return null;
end $$;
create trigger events_added after insert on events referencing new table as new_events
  for each statement execute function waymark_events_added();

-- Segments: a changed query is evaluated whole again; the event types asked about are recomputed.
create function waymark_segment_query_changed() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    new.evaluated_at := null;
  elsif new.query is distinct from old.query or new.kind is distinct from old.kind then
    new.evaluated_at := null;
  end if;
  return new;
end $$;
create trigger segments_query_changed before insert or update on segments
  for each row execute function waymark_segment_query_changed();

create function waymark_segments_changed() returns trigger language plpgsql as $$
begin
  delete from segment_event_types;
  insert into segment_event_types (type)
  select distinct t #>> '{}'
    from segments s, jsonb_path_query(s.query, 'strict $.**.event') t
   where s.kind = 'dynamic' and s.query is not null and jsonb_typeof(t) = 'string';
  return null;
end $$;
create trigger segments_changed after insert or update or delete on segments
  for each statement execute function waymark_segments_changed();

create function waymark_segments_deleted() returns trigger language plpgsql as $$
begin
  delete from segment_membership m using deleted_segments d where m.segment_id = d.id;
  return null;
end $$;
create trigger segments_deleted after delete on segments referencing old table as deleted_segments
  for each statement execute function waymark_segments_deleted();

-- Every table that holds rows about a contact names it in a `contact_id` column. Erasure and
-- export find them all here, so a table added by a later migration is covered without anyone
-- remembering to add it.
create function waymark_contact_tables() returns setof text
  language sql stable
  as $$
    select c.table_name::text
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
     where c.table_schema = current_schema() and c.column_name = 'contact_id' and t.table_type = 'BASE TABLE'
     order by 1
  $$;

create function waymark_erase_contact(p_contact text) returns void language plpgsql as $$
declare
  t text;
begin
  for t in select * from waymark_contact_tables() loop
    execute format('delete from %I where contact_id = $1', t) using p_contact;
  end loop;
  delete from contacts where id = p_contact;
end $$;

create function waymark_contact_records(p_contact text) returns jsonb language plpgsql stable as $$
declare
  t text;
  found jsonb;
  result jsonb := '{}';
begin
  for t in select * from waymark_contact_tables() loop
    execute format('select coalesce(jsonb_agg(to_jsonb(x)), ''[]'') from %I x where x.contact_id = $1', t) into found using p_contact;
    result := result || jsonb_build_object(t, found);
  end loop;
  return result;
end $$;
