import type { Queryable } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { conflict, notFound } from '../problem.ts';
import { requireOrganizationWriter } from '../visibility.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
const WebUrl = z.url({ protocol: /^https?$/ }).max(2000);
const fields = {
  name: z.string().trim().min(1).max(200),
  postalAddress: z.string().trim().min(1).max(1000),
  subscriptionCenterUrl: WebUrl.nullable().optional(),
  forwardToFriendUrl: WebUrl.nullable().optional(),
  socialLinks: z
    .record(z.string().trim().min(1).max(100), WebUrl)
    .refine((links) => Object.keys(links).length <= 50, 'at most 50 links')
    .optional(),
  isDefault: z.boolean().optional(),
};
export const ContentSettingsInput = z.object(fields).strict();
export const ContentSettingsPatch = z.object(fields).partial().strict();

const COLUMNS = `t.id, t.name, t.postal_address as "postalAddress", t.subscription_center_url as "subscriptionCenterUrl",
  t.forward_to_friend_url as "forwardToFriendUrl", t.social_links as "socialLinks", t.is_default as "isDefault", t.created_at as "createdAt"`;

interface ContentSettings {
  id: string;
  name: string;
  postalAddress: string;
  subscriptionCenterUrl: string | null;
  forwardToFriendUrl: string | null;
  socialLinks: Record<string, string>;
  isDefault: boolean;
}

async function loadSettings(db: Queryable, id: string): Promise<ContentSettings> {
  const [row] = await db.query<ContentSettings>(`select ${COLUMNS} from content_settings t where t.id = $1`, [id]);
  if (!row) throw notFound('Content settings', id);
  return row;
}

/**
 * Serialises the changes that move the default, so "exactly one default" holds under concurrent
 * requests (the partial unique index would otherwise turn a race into an error).
 */
async function lockDefault(tx: Queryable): Promise<void> {
  await tx.query(`select pg_advisory_xact_lock(hashtext('waymark.content_settings.default'))`);
}

export function contentSettingsRoutes(app: FastifyInstance, { db, clock }: ServerContext): void {
  app.post('/content-settings', async (request, reply) => {
    requireOrganizationWriter(request.caller, 'Content settings');
    const input = decode(ContentSettingsInput, body(request.body));
    const row = await db.transaction(async (tx) => {
      await lockDefault(tx);
      const [{ hasDefault } = { hasDefault: false }] = await tx.query<{ hasDefault: boolean }>('select exists (select 1 from content_settings where is_default) as "hasDefault"');
      // The first one becomes the default, whatever it asks: there is always exactly one.
      const isDefault = !hasDefault || input.isDefault === true;
      if (isDefault) await tx.query('update content_settings set is_default = false where is_default');
      const [created] = await tx.query(
        `insert into content_settings as t (name, postal_address, subscription_center_url, forward_to_friend_url, social_links, is_default, created_at)
         values ($1, $2, $3, $4, $5::jsonb, $6, $7) returning ${COLUMNS}`,
        [input.name, input.postalAddress, input.subscriptionCenterUrl ?? null, input.forwardToFriendUrl ?? null, JSON.stringify(input.socialLinks ?? {}), isDefault, clock.now()],
      );
      return created;
    });
    return reply.status(201).send(row);
  });

  app.get('/content-settings', async (request) => listPage(db, request.query, `select ${COLUMNS} from content_settings t where true`, []));

  app.get('/content-settings/:id', async (request) => loadSettings(db, decode(IdParams, request.params).id));

  app.patch('/content-settings/:id', async (request) => {
    requireOrganizationWriter(request.caller, 'Content settings');
    const { id } = decode(IdParams, request.params);
    const patch = decode(ContentSettingsPatch, body(request.body));
    return db.transaction(async (tx) => {
      await lockDefault(tx);
      const current = await loadSettings(tx, id);
      if (patch.isDefault === false && current.isDefault) {
        throw conflict('There is always exactly one default; make another content settings record the default instead', [
          { path: 'isDefault', message: 'cannot unset the only default' },
        ]);
      }
      const isDefault = current.isDefault || patch.isDefault === true;
      if (isDefault && !current.isDefault) await tx.query('update content_settings set is_default = false where is_default');
      const [updated] = await tx.query(
        `update content_settings t set name = $2, postal_address = $3, subscription_center_url = $4, forward_to_friend_url = $5, social_links = $6::jsonb, is_default = $7
          where t.id = $1 returning ${COLUMNS}`,
        [
          id,
          patch.name ?? current.name,
          patch.postalAddress ?? current.postalAddress,
          patch.subscriptionCenterUrl === undefined ? current.subscriptionCenterUrl : patch.subscriptionCenterUrl,
          patch.forwardToFriendUrl === undefined ? current.forwardToFriendUrl : patch.forwardToFriendUrl,
          JSON.stringify(patch.socialLinks ?? current.socialLinks),
          isDefault,
        ],
      );
      return updated;
    });
  });
}
