-- People sign in: a password (an scrypt hash with its own salt and parameters), sessions held by
-- a browser cookie (only a hash of the token is stored), and deactivation, which ends every
-- session and key of a person without deleting what they made.
alter table users add column if not exists password_hash text;
alter table users add column if not exists deactivated_at timestamptz;

create table if not exists sessions (
  id text primary key default gen_random_uuid()::text,
  user_id text not null references users (id) on delete cascade,
  token_hash text not null unique,
  -- How the person proved who they are: 'password' or 'oidc'.
  method text not null check (method in ('password', 'oidc')),
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  -- The absolute end; the idle end is last_seen_at plus the idle timeout, checked on each use.
  expires_at timestamptz not null,
  revoked_at timestamptz
);
create index if not exists sessions_user_id on sessions (user_id) where revoked_at is null;
