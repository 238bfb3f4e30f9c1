import type { JourneyDefinition, ReferenceLookup } from '@waymark/core';
import type { Queryable } from '../db/database.ts';

/**
 * The records a journey names, looked up in one round of small queries, for check-for-errors.
 * `unit`: the business unit whose segments the checking user sees (null: every unit's); another
 * unit's segment is as missing as one that never existed.
 */
export async function loadReferences(db: Queryable, def: JourneyDefinition, unit: string | null = null): Promise<ReferenceLookup> {
  const ids = { emails: new Set<string>(), forms: new Set<string>(), pages: new Set<string>(), segments: new Set<string>(), lists: new Set<string>(), workflows: new Set<string>() };
  if (def.suppressionSegmentId) ids.segments.add(def.suppressionSegmentId);
  for (const tile of def.tiles) {
    if (tile.type === 'email' && tile.emailId) ids.emails.add(tile.emailId);
    if (tile.type === 'formSubmitted' && tile.formId) ids.forms.add(tile.formId);
    if (tile.type === 'launchWorkflow' && tile.workflowId) ids.workflows.add(tile.workflowId);
    if (tile.type === 'trigger') {
      for (const rule of tile.rules) {
        if ('formId' in rule) ids.forms.add(rule.formId);
        if ('pageId' in rule) ids.pages.add(rule.pageId);
      }
    }
    if (tile.type === 'segmentGroup') {
      for (const source of tile.segments) {
        if (source.source === 'segment') ids.segments.add(source.segmentId);
        else ids.lists.add(source.listId);
      }
    }
  }
  const statusMap = async (table: 'emails' | 'forms' | 'pages', wanted: Set<string>) =>
    new Map((await db.query<{ id: string; status: 'draft' | 'live' }>(`select id, status from ${table} where id = any($1::text[])`, [[...wanted]])).map((row) => [row.id, row]));
  const idSet = async (table: string, wanted: string[]) => new Set((await db.query<{ id: string }>(`select id from ${table} where id = any($1::text[])`, [wanted])).map((row) => row.id));
  return {
    emails: await statusMap('emails', ids.emails),
    forms: await statusMap('forms', ids.forms),
    pages: await statusMap('pages', ids.pages),
    segments: new Set(
      (await db.query<{ id: string }>('select id from segments where id = any($1::text[]) and ($2::text is null or business_unit_id = $2)', [[...ids.segments], unit])).map((row) => row.id),
    ),
    subscriptionLists: await idSet('subscription_lists', [...ids.lists]),
    workflows: await idSet('workflows', [...ids.workflows]),
    contentSettings: await idSet('content_settings', def.contentSettingsId ? [def.contentSettingsId] : []),
  };
}
