/**
 * People who sign in: password hashes, sessions and deactivation. Only hashes of session tokens
 * are stored; the token itself lives in the person's cookie. Hashing passwords and making tokens
 * is the server's business: this module only keeps what it is given.
 */
import type { Queryable } from '../db/database.ts';

export type Role = 'admin' | 'marketer' | 'viewer';
export type Level = 'organization' | 'businessUnit';

/** A user as sign-in sees them: who they are, plus what proves it. */
export interface SignInUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  level: Level;
  businessUnitId: string;
  passwordHash: string | null;
  active: boolean;
}

/** The person behind a current session. */
export interface SessionUser {
  sessionId: string;
  userId: string;
  role: Role;
  level: Level;
  businessUnitId: string;
  lastSeenAt: Date;
}

export type SignInMethod = 'password' | 'oidc';

const USER_COLUMNS = `u.id, u.name, u.email, u.role, u.level, u.business_unit_id as "businessUnitId", u.password_hash as "passwordHash", u.deactivated_at is null as active`;

/** The user with this address, compared without regard to case, as the unique index does. */
export async function findUserByEmail(db: Queryable, email: string): Promise<SignInUser | null> {
  const [row] = await db.query<SignInUser>(`select ${USER_COLUMNS} from users u where lower(u.email) = lower($1)`, [email]);
  return row ?? null;
}

export async function findUserById(db: Queryable, id: string): Promise<SignInUser | null> {
  const [row] = await db.query<SignInUser>(`select ${USER_COLUMNS} from users u where u.id = $1`, [id]);
  return row ?? null;
}

export async function setPasswordHash(db: Queryable, userId: string, passwordHash: string): Promise<void> {
  await db.query('update users set password_hash = $2 where id = $1', [userId, passwordHash]);
}

export async function createSession(
  db: Queryable,
  session: { userId: string; tokenHash: string; method: SignInMethod; now: Date; expiresAt: Date },
): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `insert into sessions (user_id, token_hash, method, created_at, last_seen_at, expires_at) values ($1, $2, $3, $4, $4, $5) returning id`,
    [session.userId, session.tokenHash, session.method, session.now, session.expiresAt],
  );
  // The person's sessions that ended a month ago are of no use any more (not even to say when someone last signed in).
  await db.query(`delete from sessions where user_id = $1 and least(expires_at, coalesce(revoked_at, expires_at)) < $2::timestamptz - interval '30 days'`, [
    session.userId,
    session.now,
  ]);
  return row!.id;
}

/**
 * The session a token hash belongs to, when it is neither revoked, past its absolute end, idle
 * for longer than `idleMs`, nor held by a deactivated user; else null.
 */
export async function findCurrentSession(db: Queryable, tokenHash: string, now: Date, idleMs: number): Promise<SessionUser | null> {
  const [row] = await db.query<SessionUser>(
    `select s.id as "sessionId", u.id as "userId", u.role, u.level, u.business_unit_id as "businessUnitId", s.last_seen_at as "lastSeenAt"
       from sessions s join users u on u.id = s.user_id
      where s.token_hash = $1 and s.revoked_at is null and s.expires_at > $2
        and s.last_seen_at > $2::timestamptz - make_interval(secs => $3::double precision / 1000)
        and u.deactivated_at is null`,
    [tokenHash, now, idleMs],
  );
  return row ?? null;
}

/** Moves the idle deadline of a session on. */
export async function touchSession(db: Queryable, sessionId: string, now: Date): Promise<void> {
  await db.query('update sessions set last_seen_at = greatest(last_seen_at, $2) where id = $1', [sessionId, now]);
}

export async function revokeSession(db: Queryable, sessionId: string, now: Date): Promise<void> {
  await db.query('update sessions set revoked_at = coalesce(revoked_at, $2) where id = $1', [sessionId, now]);
}

/** Ends every session of a user, but `keep` (the one asking, after a password change); answers how many ended. */
export async function revokeUserSessions(db: Queryable, userId: string, now: Date, keep: string | null = null): Promise<number> {
  const rows = await db.query(
    'update sessions set revoked_at = $2 where user_id = $1 and revoked_at is null and ($3::text is null or id <> $3) returning id',
    [userId, now, keep],
  );
  return rows.length;
}

/**
 * Deactivates or reactivates a user. Deactivating ends their sessions in the same statement;
 * their API keys stop working because every key lookup requires an active user.
 */
export async function setUserActive(db: Queryable, userId: string, active: boolean, now: Date): Promise<void> {
  await db.query(
    `with changed as (update users set deactivated_at = case when $2 then null else coalesce(deactivated_at, $3) end where id = $1 returning id)
     update sessions s set revoked_at = $3 from changed where not $2 and s.user_id = changed.id and s.revoked_at is null`,
    [userId, active, now],
  );
}

/**
 * Makes the person with this email an active organization-level admin whose password is
 * `passwordHash`, creating them (in the top business unit, made when there is none) or resetting
 * them; any session they had ends. For recovering access from the command line.
 */
export async function ensureOrganizationAdmin(
  db: Queryable,
  admin: { email: string; name: string | null; passwordHash: string; now: Date },
): Promise<{ userId: string; created: boolean }> {
  const existing = await findUserByEmail(db, admin.email);
  if (existing) {
    await db.query(
      `update users set role = 'admin', level = 'organization', password_hash = $2, deactivated_at = null, name = coalesce($3, name) where id = $1`,
      [existing.id, admin.passwordHash, admin.name],
    );
    await revokeUserSessions(db, existing.id, admin.now);
    return { userId: existing.id, created: false };
  }
  const [unit] = await db.query<{ id: string }>(
    `with found as (select id from business_units where parent_id is null order by created_at limit 1),
          made as (insert into business_units (name) select 'Organization' where not exists (select 1 from found) returning id)
     select id from found union all select id from made`,
  );
  const [user] = await db.query<{ id: string }>(
    `insert into users (name, email, business_unit_id, role, level, password_hash, created_at) values ($1, $2, $3, 'admin', 'organization', $4, $5) returning id`,
    [admin.name ?? 'Administrator', admin.email, unit!.id, admin.passwordHash, admin.now],
  );
  return { userId: user!.id, created: true };
}
