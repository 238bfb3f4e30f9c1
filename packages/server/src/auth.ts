import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '@waymark/engine';
import type { FastifyRequest } from 'fastify';
import type { Caller } from './context.ts';
import { forbidden, Problem } from './problem.ts';

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');
export const newApiKey = () => `wm_${randomBytes(24).toString('base64url')}`;

const unauthorized = () => new Problem(401, 'Unauthorized', 'A valid API key is required: Authorization: Bearer <key>');

/** Resolves the caller from the bearer key; only the key's hash is ever stored or compared. */
export async function authenticate(db: Queryable, request: FastifyRequest, now: Date): Promise<Caller> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S{1,200})$/i.exec(header) : null;
  if (!match) throw unauthorized();
  const rows = await db.query<Caller & { lastUsedAt: Date | null }>(
    `select k.id as "keyId", u.id as "userId", u.role, u.level, u.business_unit_id as "businessUnitId", k.last_used_at as "lastUsedAt"
       from api_keys k join users u on u.id = k.user_id
      where k.key_hash = $1 and k.revoked_at is null`,
    [hashApiKey(match[1]!)],
  );
  const row = rows[0];
  if (!row) throw unauthorized();
  // Recording every use would turn each read into a write; a minute's precision is enough.
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db.query('update api_keys set last_used_at = $2 where id = $1', [row.keyId, now]);
  }
  const { lastUsedAt: _lastUsedAt, ...caller } = row;
  return caller;
}

export function requireWriter(caller: Caller): void {
  if (caller.role === 'viewer') throw forbidden('Viewers can read but not change anything');
}

export function requireAdmin(caller: Caller): void {
  if (caller.role !== 'admin') throw forbidden('Only admins can do this');
}

/**
 * Ensures an organization-level admin whose API key is `key` (WAYMARK_BOOTSTRAP_ADMIN_KEY), so a
 * fresh install can be driven by scripts without a manual sign-up.
 */
export async function ensureBootstrapAdmin(db: Queryable, key: string): Promise<void> {
  const existing = await db.query('select 1 from api_keys where key_hash = $1', [hashApiKey(key)]);
  if (existing.length > 0) return;
  const [unit] = await db.query<{ id: string }>(
    `with found as (select id from business_units where parent_id is null order by created_at limit 1),
          made as (insert into business_units (name) select 'Organization' where not exists (select 1 from found) returning id)
     select id from found union all select id from made`,
  );
  const [user] = await db.query<{ id: string }>(
    `insert into users (name, email, business_unit_id, role, level) values ('Administrator', 'admin@waymark.local', $1, 'admin', 'organization')
     on conflict (email) do update set role = 'admin', level = 'organization' returning id`,
    [unit!.id],
  );
  await db.query('insert into api_keys (user_id, key_hash) values ($1, $2)', [user!.id, hashApiKey(key)]);
}
