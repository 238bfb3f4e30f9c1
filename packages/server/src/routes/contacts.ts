import { ConsentLevel, TimeZone } from '@waymark/core';
import { eraseContact, exportContact, type Queryable } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireWriter } from '../auth.ts';
import type { Caller, ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { badRequest, conflict, forbidden, notFound, type FieldError } from '../problem.ts';
import { AttributeValues, declareAttributes, type AttributeValue } from './attributes.ts';
import { canSee, requireOrganizationLevel, requireReach, unitFilter, visibleIds } from '../visibility.ts';
import { existingIds } from './businessUnits.ts';

export const MAX_BATCH = 10_000;

const IdParams = z.object({ id: z.string().min(1).max(200) });
const Ref = z.string().min(1).max(200).nullable().optional();
const PersonName = z.string().trim().max(200).nullable().optional();
const fields = {
  email: z.email().max(320),
  firstName: PersonName,
  lastName: PersonName,
  accountId: Ref,
  businessUnitId: Ref,
  ownerUserId: Ref,
  consent: ConsentLevel.optional(),
  timeZone: TimeZone.nullable().optional(),
  attributes: AttributeValues.optional(),
};
export const ContactInput = z.object(fields).strict();
export type ContactInput = z.infer<typeof ContactInput>;
export const ContactPatch = z.object(fields).partial().strict();
export const BatchInput = z.object({ contacts: z.array(ContactInput).min(1).max(MAX_BATCH) }).strict();
const ListFilter = z.object({ q: z.string().max(200).optional(), accountId: z.string().max(200).optional() });

/** The API's view of a contact, selected from `contacts <alias>`. */
export const contactColumns = (alias = 'c') =>
  `${alias}.id, ${alias}.email, ${alias}.first_name as "firstName", ${alias}.last_name as "lastName", ${alias}.account_id as "accountId",
   ${alias}.business_unit_id as "businessUnitId", ${alias}.owner_user_id as "ownerUserId", ${alias}.consent, ${alias}.time_zone as "timeZone",
   ${alias}.attributes, ${alias}.created_at as "createdAt", ${alias}.updated_at as "updatedAt"`;

export interface Contact {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  accountId: string | null;
  businessUnitId: string | null;
  ownerUserId: string | null;
  consent: ConsentLevel;
  timeZone: string | null;
  attributes: Record<string, AttributeValue>;
  createdAt: Date;
  updatedAt: Date;
}

const duplicateEmail = (path = 'email') => conflict('A contact with this email already exists', [{ path, message: 'already in use (emails are unique, ignoring case)' }]);
const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === '23505';

/** Runs `work`; a unique violation (two requests racing for one email) becomes the 409 it is. */
async function uniqueEmail<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateEmail();
    throw error;
  }
}

type References = Pick<ContactInput, 'accountId' | 'businessUnitId' | 'ownerUserId'>;

/**
 * Each reference to an account, business unit or user that does not exist (for the caller: another
 * unit's account or user is as unknown as none), in three statements for any number of rows.
 */
async function referenceErrors(db: Queryable, caller: Caller, rows: readonly References[], pathOf: (index: number) => string): Promise<FieldError[]> {
  const pick = (key: keyof References) => rows.map((row) => row[key]).filter((id): id is string => typeof id === 'string');
  // One after another: a transaction's connection runs one statement at a time anyway.
  const accounts = await visibleIds(db, caller, 'accounts', pick('accountId'));
  const units = await existingIds(db, 'business_units', pick('businessUnitId'));
  const users = await visibleIds(db, caller, 'users', pick('ownerUserId'));
  const errors: FieldError[] = [];
  rows.forEach((row, index) => {
    if (row.accountId && !accounts.has(row.accountId)) errors.push({ path: `${pathOf(index)}accountId`, message: 'no account with this id' });
    if (row.businessUnitId && !units.has(row.businessUnitId)) errors.push({ path: `${pathOf(index)}businessUnitId`, message: 'no business unit with this id' });
    if (row.ownerUserId && !users.has(row.ownerUserId)) errors.push({ path: `${pathOf(index)}ownerUserId`, message: 'no user with this id' });
  });
  return errors;
}

/** A field error for each id of `ids` not in `known`, as `<field>.<index>`. */
export function unknownContacts(ids: readonly string[], known: ReadonlySet<string>, field: string): FieldError[] {
  const errors: FieldError[] = [];
  ids.forEach((id, index) => {
    if (!known.has(id)) errors.push({ path: `${field}.${index}`, message: 'no contact with this id' });
  });
  return errors;
}

async function loadContact(db: Queryable, id: string, caller: Caller, forUpdate = false): Promise<Contact> {
  const [row] = await db.query<Contact>(`select ${contactColumns('c')} from contacts c where c.id = $1${forUpdate ? ' for update' : ''}`, [id]);
  if (!row || !canSee(caller, row.businessUnitId)) throw notFound('Contact', id);
  return row;
}

async function emailInUse(db: Queryable, email: string, exceptId: string | null = null): Promise<boolean> {
  return (await db.query('select 1 from contacts where lower(email) = lower($1) and ($2::text is null or id <> $2)', [email, exceptId])).length > 0;
}

/** The values a row of the batch leaves a contact with; fields the row does not give keep theirs. */
interface Upsert {
  email: string;
  first_name: string | null;
  last_name: string | null;
  account_id: string | null;
  business_unit_id: string | null;
  owner_user_id: string | null;
  consent: ConsentLevel;
  time_zone: string | null;
  /** The stored attributes with the given ones merged in; a null removes one (stripped in SQL). */
  attributes: Record<string, AttributeValue>;
}

function given<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

/**
 * Upserts a batch by lower(email) in one set-based statement, all or nothing. Returns the id of
 * each input row, in order (rows naming the same address share one contact).
 */
async function upsertContacts(tx: Queryable, caller: Caller, rows: readonly ContactInput[], now: Date): Promise<string[]> {
  // PostgreSQL's own lower(), so keys agree with the unique index for every alphabet.
  const keys = (await tx.query<{ key: string }>('select lower(e) as key from unnest($1::text[]) with ordinality as x(e, n) order by n', [rows.map((row) => row.email)])).map(
    (row) => row.key,
  );
  const existing = new Map(
    (
      await tx.query<Contact & { key: string }>(`select ${contactColumns('c')}, lower(c.email) as key from contacts c where lower(c.email) = any($1::text[]) for update`, [
        [...new Set(keys)],
      ])
    ).map((row) => [row.key, row]),
  );

  const forbiddenRows: number[] = [];
  const merged = new Map<string, Upsert>();
  rows.forEach((row, index) => {
    const key = keys[index]!;
    const stored = existing.get(key);
    if (stored && caller.level === 'businessUnit' && stored.businessUnitId !== caller.businessUnitId) forbiddenRows.push(index);
    const base: Upsert = merged.get(key) ?? {
      email: stored?.email ?? row.email,
      first_name: stored?.firstName ?? null,
      last_name: stored?.lastName ?? null,
      account_id: stored?.accountId ?? null,
      business_unit_id: stored ? stored.businessUnitId : caller.businessUnitId,
      owner_user_id: stored?.ownerUserId ?? null,
      consent: stored?.consent ?? 'none',
      time_zone: stored?.timeZone ?? null,
      attributes: stored?.attributes ?? {},
    };
    const next: Upsert = {
      email: base.email,
      first_name: given(row.firstName, base.first_name),
      last_name: given(row.lastName, base.last_name),
      account_id: given(row.accountId, base.account_id),
      business_unit_id: given(row.businessUnitId, base.business_unit_id),
      owner_user_id: given(row.ownerUserId, base.owner_user_id),
      consent: given(row.consent, base.consent),
      time_zone: given(row.timeZone, base.time_zone),
      attributes: { ...base.attributes, ...row.attributes },
    };
    if (caller.level === 'businessUnit' && next.business_unit_id !== caller.businessUnitId) forbiddenRows.push(index);
    merged.set(key, next);
  });
  if (forbiddenRows.length > 0) {
    const list = [...new Set(forbiddenRows)].slice(0, 20).join(', ');
    throw forbidden(`Rows ${list} change contacts outside your business unit; business-unit-level users change only their own unit's records`);
  }

  const written = await tx.query<{ id: string; key: string }>(
    `insert into contacts as c (email, first_name, last_name, account_id, business_unit_id, owner_user_id, consent, time_zone, attributes, created_at, updated_at)
     select r.email, r.first_name, r.last_name, r.account_id, r.business_unit_id, r.owner_user_id, r.consent, r.time_zone, jsonb_strip_nulls(r.attributes), $2, $2
       from jsonb_to_recordset($1::jsonb) as r(email text, first_name text, last_name text, account_id text, business_unit_id text,
                                              owner_user_id text, consent text, time_zone text, attributes jsonb)
     on conflict (lower(email)) do update set
       first_name = excluded.first_name, last_name = excluded.last_name, account_id = excluded.account_id,
       business_unit_id = excluded.business_unit_id, owner_user_id = excluded.owner_user_id, consent = excluded.consent,
       time_zone = excluded.time_zone, attributes = excluded.attributes, updated_at = excluded.updated_at
     returning c.id, lower(c.email) as key`,
    [JSON.stringify([...merged.values()]), now],
  );
  const ids = new Map(written.map((row) => [row.key, row.id]));
  return keys.map((key) => ids.get(key)!);
}

export function contactRoutes(app: FastifyInstance, { db, clock, worker }: ServerContext): void {
  app.post('/contacts', async (request, reply) => {
    const { caller } = request;
    requireWriter(caller);
    const input = decode(ContactInput, body(request.body));
    const businessUnitId = input.businessUnitId === undefined ? caller.businessUnitId : input.businessUnitId;
    requireReach(caller, businessUnitId, 'The contact');
    const row = await uniqueEmail(
      db.transaction(async (tx) => {
        const errors = await referenceErrors(tx, caller, [{ ...input, businessUnitId }], () => '');
        if (errors.length > 0) throw badRequest('Unknown referenced record', errors);
        if (await emailInUse(tx, input.email)) throw duplicateEmail();
        await declareAttributes(tx, 'contact', [{ path: 'attributes', values: input.attributes }]);
        const now = clock.now();
        const [created] = await tx.query<Contact>(
          `insert into contacts as c (email, first_name, last_name, account_id, business_unit_id, owner_user_id, consent, time_zone, attributes, created_at, updated_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, jsonb_strip_nulls($9::jsonb), $10, $10) returning ${contactColumns('c')}`,
          [
            input.email,
            input.firstName ?? null,
            input.lastName ?? null,
            input.accountId ?? null,
            businessUnitId,
            input.ownerUserId ?? null,
            input.consent ?? 'none',
            input.timeZone ?? null,
            JSON.stringify(input.attributes ?? {}),
            now,
          ],
        );
        return created;
      }),
    );
    // Live journeys admit new segment members promptly.
    worker.poke();
    return reply.status(201).send(row);
  });

  app.post('/contacts/batch', async (request) => {
    const { caller } = request;
    requireWriter(caller);
    // Every row is checked before anything is written: one bad row and the whole batch is refused.
    const { contacts } = decode(BatchInput, body(request.body));
    const ids = await uniqueEmail(
      db.transaction(async (tx) => {
        const errors = await referenceErrors(tx, caller, contacts, (index) => `contacts.${index}.`);
        if (errors.length > 0) throw badRequest('Unknown referenced records', errors.slice(0, 1000));
        await declareAttributes(
          tx,
          'contact',
          contacts.map((row, index) => ({ path: `contacts.${index}.attributes`, values: row.attributes })),
        );
        return upsertContacts(tx, caller, contacts, clock.now());
      }),
    );
    worker.poke();
    return { ids };
  });

  app.get('/contacts', async (request) => {
    const filter = decode(ListFilter, request.query);
    const params: unknown[] = [];
    let where = 'where true';
    if (filter.q) {
      params.push(filter.q.trim());
      const q = `lower($${params.length})`;
      where += ` and (starts_with(lower(c.email), ${q}) or starts_with(lower(c.first_name), ${q}) or starts_with(lower(c.last_name), ${q})
                      or starts_with(lower(concat_ws(' ', c.first_name, c.last_name)), ${q}))`;
    }
    if (filter.accountId) {
      params.push(filter.accountId);
      where += ` and c.account_id = $${params.length}`;
    }
    where += unitFilter(request.caller, 'c.business_unit_id', params);
    return listPage(db, request.query, `select ${contactColumns('c')} from contacts c ${where}`, params, 'c');
  });

  app.get('/contacts/:id', async (request) => loadContact(db, decode(IdParams, request.params).id, request.caller));

  app.patch('/contacts/:id', async (request) => {
    const { caller } = request;
    requireWriter(caller);
    const { id } = decode(IdParams, request.params);
    const patch = decode(ContactPatch, body(request.body));
    const row = await uniqueEmail(
      db.transaction(async (tx) => {
        const contact = await loadContact(tx, id, request.caller, true);
        requireReach(caller, contact.businessUnitId, 'The contact');
        if (patch.businessUnitId !== undefined) requireReach(caller, patch.businessUnitId, 'The contact');
        const errors = await referenceErrors(tx, caller, [patch], () => '');
        if (errors.length > 0) throw badRequest('Unknown referenced record', errors);
        if (patch.email !== undefined && (await emailInUse(tx, patch.email, id))) throw duplicateEmail();
        await declareAttributes(tx, 'contact', [{ path: 'attributes', values: patch.attributes }]);
        // Attributes merge: a PATCH names the ones it changes, the others stay.
        const [updated] = await tx.query<Contact>(
          `update contacts c set email = $2, first_name = $3, last_name = $4, account_id = $5, business_unit_id = $6, owner_user_id = $7,
                  consent = $8, time_zone = $9, attributes = jsonb_strip_nulls(c.attributes || $10::jsonb), updated_at = $11
            where c.id = $1 returning ${contactColumns('c')}`,
          [
            id,
            given(patch.email, contact.email),
            given(patch.firstName, contact.firstName),
            given(patch.lastName, contact.lastName),
            given(patch.accountId, contact.accountId),
            given(patch.businessUnitId, contact.businessUnitId),
            given(patch.ownerUserId, contact.ownerUserId),
            given(patch.consent, contact.consent),
            given(patch.timeZone, contact.timeZone),
            JSON.stringify(patch.attributes ?? {}),
            clock.now(),
          ],
        );
        return updated;
      }),
    );
    worker.poke();
    return row;
  });

  /**
   * GDPR erasure: the person's row and every row about them (attributes, events, journey rows and
   * history, messages, activities, leads, memberships) go. Only a hash of the address is kept, so a
   * later import of the same address is never admitted to a journey nor mailed.
   */
  app.delete('/contacts/:id', async (request, reply) => {
    const { caller } = request;
    requireWriter(caller);
    const { id } = decode(IdParams, request.params);
    await db.transaction(async (tx) => {
      const contact = await loadContact(tx, id, request.caller, true);
      requireReach(caller, contact.businessUnitId, 'The contact');
      await eraseContact(tx, id, clock.now());
    });
    worker.poke();
    return reply.status(204).send();
  });

  /**
   * The segments the contact is in now: static ones it was added to, dynamic ones as the live
   * membership holds them (kept current by the engine as the contact, its events and time change).
   */
  app.get('/contacts/:id/segments', async (request) => {
    const { id } = decode(IdParams, request.params);
    await loadContact(db, id, request.caller);
    const params: unknown[] = [id];
    // Only the segments the caller sees: another unit's segments stay invisible even around its own contact.
    const items = await db.query(
      `select s.id, s.name, s.kind, x.since
         from (select segment_id, added_at as since from segment_members where contact_id = $1
               union all select segment_id, entered_at from segment_membership where contact_id = $1) x
         join segments s on s.id = x.segment_id
        where true${unitFilter(request.caller, 's.business_unit_id', params)}
        order by s.name, s.id`,
      params,
    );
    return { items, nextCursor: null };
  });

  app.get('/contacts/:id/subscription-lists', async (request) => {
    const { id } = decode(IdParams, request.params);
    await loadContact(db, id, request.caller);
    const items = await db.query(
      `select l.id, l.name, m.added_at as since from list_members m join subscription_lists l on l.id = m.list_id where m.contact_id = $1 order by l.name, l.id`,
      [id],
    );
    return { items, nextCursor: null };
  });

  /**
   * GDPR access and portability: everything held about the person, as one JSON document. That is
   * what every unit holds (their segments, journeys, messages), so only organization-level users take it.
   */
  app.get('/contacts/:id/export', async (request, reply) => {
    const { id } = decode(IdParams, request.params);
    const contact = await loadContact(db, id, request.caller);
    requireOrganizationLevel(request.caller, "A contact's export holds what every business unit keeps about the person");
    const held = await exportContact(db, id);
    return reply
      .header('content-disposition', `attachment; filename="contact-${id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100)}.json"`)
      .send({ exportedAt: clock.now().toISOString(), contact, ...held });
  });
}
