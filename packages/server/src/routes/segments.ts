import { ACCOUNT_FIELDS, CONTACT_FIELD_TYPES, CONTACT_FIELDS, durationToMillis, SegmentQuery, type AttributeOp } from '@waymark/core';
import { contactsMatching, expandedSize, handKeptMembers, loadSegments, MAX_EXPANDED_CONDITIONS, previewDatabase, reaches, segmentsOverLimit, type ContactSelection, type Queryable, type StoredSegment } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireWriter } from '../auth.ts';
import type { Caller, ServerContext } from '../context.ts';
import { changeMembers } from './memberChanges.ts';
import { body, decode } from '../decode.ts';
import { listPage } from '../pagination.ts';
import { badRequest, conflict, issueErrors, notFound, unprocessable, type FieldError } from '../problem.ts';
import { canSee, unitFilter, visibleIds, visibleUnit } from '../visibility.ts';
import { declaredAttributes, type AttributeType } from './attributes.ts';
import { existingIds } from './businessUnits.ts';
import { contactColumns, MAX_BATCH } from './contacts.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
const SegmentName = z.string().trim().min(1).max(200);
export const SegmentInput = z.discriminatedUnion('kind', [
  z.object({ name: SegmentName, kind: z.literal('dynamic'), query: SegmentQuery }).strict(),
  z.object({ name: SegmentName, kind: z.literal('static') }).strict(),
]);
export const SegmentPatch = z.object({ name: SegmentName.optional(), query: SegmentQuery.optional() }).strict();
export const PreviewInput = z.object({ query: SegmentQuery }).strict();
const ContactIds = z.array(z.string().min(1).max(200)).max(MAX_BATCH);
export const MembersChange = z.object({ add: ContactIds.optional(), remove: ContactIds.optional() }).strict();
const ListFilter = z.object({ kind: z.enum(['dynamic', 'static']).optional(), q: z.string().max(200).optional() });

const COLUMNS = `t.id, t.name, t.kind, t.query, t.business_unit_id as "businessUnitId", t.created_at as "createdAt", t.updated_at as "updatedAt"`;
const PREVIEW_SAMPLE = 10;

interface Segment {
  id: string;
  name: string;
  kind: 'dynamic' | 'static';
  query: SegmentQuery | null;
  businessUnitId: string | null;
}

/** A failed alternative of a union that did not even have the shape of the input (wrong or missing keys). */
const isShapeMismatch = (issue: z.core.$ZodIssue) =>
  (issue.code === 'unrecognized_keys' && issue.path.length === 0) || (issue.code === 'invalid_type' && issue.path.length <= 1 && /received undefined/.test(issue.message));

/**
 * Zod reports a query that matches no alternative as one "Invalid input" at `query`. When exactly
 * one alternative has the input's shape, its own issues say what is wrong, and where (`query.and.1.op`).
 */
function preciseIssues(issues: readonly z.core.$ZodIssue[], base: readonly PropertyKey[] = []): FieldError[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...issue.path];
    if (issue.code === 'invalid_union') {
      const shaped = issue.errors.filter((option) => !option.some(isShapeMismatch));
      if (shaped.length === 1) return preciseIssues(shaped[0]!, path);
    }
    return issueErrors(issue, undefined, base);
  });
}

/** `decode`, with the precise errors of segment queries. */
function decodeWithQuery<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = preciseIssues(result.error.issues);
  throw badRequest(`Invalid ${[...new Set(errors.map((e) => e.path))].slice(0, 5).join(', ')}`, errors);
}

interface Reference {
  /** Where the name sits in the body, e.g. `query.and.1.attribute`. */
  path: string;
  id: string;
}

interface AttributeCondition extends Reference {
  /** Where the condition itself sits, e.g. `query.and.1`. */
  at: string;
  op: AttributeOp;
  value: unknown;
}

interface QueryReferences {
  contact: AttributeCondition[];
  account: AttributeCondition[];
  segments: Reference[];
  lists: Reference[];
  events: { at: string; count?: { gte?: number; lte?: number }; within?: string }[];
  misplaced: string[];
}

/** Every name, segment and list a query refers to, with where it sits in the body. */
function collectReferences(query: SegmentQuery, path: string, entity: 'contact' | 'account', out: QueryReferences): void {
  if ('and' in query) return query.and.forEach((part, i) => collectReferences(part, `${path}.and.${i}`, entity, out));
  if ('or' in query) return query.or.forEach((part, i) => collectReferences(part, `${path}.or.${i}`, entity, out));
  if ('not' in query) return collectReferences(query.not, `${path}.not`, entity, out);
  if ('attribute' in query) return void out[entity].push({ path: `${path}.attribute`, at: path, id: query.attribute, op: query.op, value: query.value });
  // Inside `account` only the account's own fields mean anything: events, segments and lists belong to contacts.
  if (entity === 'account') return void out.misplaced.push(path);
  if ('account' in query) return collectReferences(query.account, `${path}.account`, 'account', out);
  if ('event' in query) return void out.events.push({ at: path, count: query.count, within: query.within });
  if ('inSegment' in query) return void out.segments.push({ path: `${path}.inSegment`, id: query.inSegment });
  if ('subscribedTo' in query) return void out.lists.push({ path: `${path}.subscribedTo`, id: query.subscribedTo });
}

const ORDERING_OPS: ReadonlySet<AttributeOp> = new Set(['gt', 'gte', 'lt', 'lte']);
const MAX_COUNT = 2_147_483_647;
const MAX_WITHIN_MS = 100 * 366 * 24 * 3600 * 1000;

/**
 * A comparison (gt/gte/lt/lte) must compare like with like: the compiled query casts the stored
 * value to the type of the value given, and every built-in field is text.
 */
function comparisonError(condition: AttributeCondition, type: AttributeType): FieldError | null {
  if (!ORDERING_OPS.has(condition.op)) return null;
  const given = typeof condition.value;
  const fitting = given === 'number' ? type === 'number' : given === 'boolean' ? type === 'boolean' : given === 'string' ? type === 'string' || type === 'date' : true;
  return fitting ? null : { path: `${condition.at}.value`, message: `${condition.id} holds ${type} values; compare it with a ${type === 'date' ? 'string' : type}` };
}

/** Built-in fields are text, except the derived lead fields (leadScore, salesReady). */
const BUILT_IN_TYPES: Readonly<Record<string, AttributeType>> = CONTACT_FIELD_TYPES;

/** Attribute conditions naming neither a built-in field nor a declared attribute, or comparing unlike types. */
function attributeErrors(conditions: readonly AttributeCondition[], builtIn: ReadonlySet<string>, declared: ReadonlyMap<string, AttributeType>, entity: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const condition of conditions) {
    const type = builtIn.has(condition.id) ? (BUILT_IN_TYPES[condition.id] ?? 'string') : declared.get(condition.id);
    if (!type) {
      errors.push({ path: condition.path, message: `no ${entity} field or declared attribute ${condition.id}` });
      continue;
    }
    const mismatch = comparisonError(condition, type);
    if (mismatch) errors.push(mismatch);
  }
  return errors;
}

/**
 * Checks that a query names only built-in fields or declared attributes (compared with values of
 * their type), and existing segments and lists; that event counts and windows are in range; and that
 * a segment never (transitively) contains itself. Another unit's segment is unknown to a
 * business-unit-level caller. Throws a 400 naming each bad place.
 */
async function validateQuery(db: Queryable, caller: Caller, query: SegmentQuery, prefix: string, selfId?: string): Promise<void> {
  const refs: QueryReferences = { contact: [], account: [], segments: [], lists: [], events: [], misplaced: [] };
  collectReferences(query, prefix, 'contact', refs);
  const contactAttributes = await declaredAttributes(db, 'contact', refs.contact.map((ref) => ref.id));
  const accountAttributes = await declaredAttributes(db, 'account', refs.account.map((ref) => ref.id));
  const segments = await visibleIds(db, caller, 'segments', refs.segments.map((ref) => ref.id));
  const lists = await existingIds(db, 'subscription_lists', refs.lists.map((ref) => ref.id));
  const errors: FieldError[] = [
    ...attributeErrors(refs.contact, new Set(CONTACT_FIELDS), contactAttributes, 'contact'),
    ...attributeErrors(refs.account, new Set(ACCOUNT_FIELDS), accountAttributes, 'account'),
  ];
  for (const path of refs.misplaced) errors.push({ path, message: 'inside account only attribute conditions (with and/or/not) are allowed' });
  for (const event of refs.events) {
    for (const bound of ['gte', 'lte'] as const) {
      const n = event.count?.[bound];
      if (n !== undefined && n > MAX_COUNT) errors.push({ path: `${event.at}.count.${bound}`, message: `at most ${MAX_COUNT}` });
    }
    if (event.within && !(durationToMillis(event.within) <= MAX_WITHIN_MS)) errors.push({ path: `${event.at}.within`, message: 'at most 100 years' });
  }
  for (const ref of refs.lists) if (!lists.has(ref.id)) errors.push({ path: ref.path, message: 'no subscription list with this id' });
  let all: Map<string, StoredSegment> | null = null;
  for (const ref of refs.segments) {
    if (!segments.has(ref.id)) {
      errors.push({ path: ref.path, message: 'no segment with this id' });
    } else if (selfId) {
      all ??= await loadSegments(db);
      if (reaches(all, ref.id, selfId)) errors.push({ path: ref.path, message: 'a segment cannot contain itself' });
    }
  }
  if (errors.length > 0) throw badRequest('The query refers to unknown names or compares unlike values', errors);
  // Segments used with inSegment are compiled into the query: bound the whole, so that no query
  // grows past what one SQL statement (and its parameters) can hold.
  if (refs.segments.length > 0) all ??= await loadSegments(db);
  const size = expandedSize(query, all ?? new Map());
  if (size > MAX_EXPANDED_CONDITIONS) {
    throw badRequest(`The query is too large: over ${MAX_EXPANDED_CONDITIONS} conditions with the segments it uses`, [
      { path: prefix, message: `at most ${MAX_EXPANDED_CONDITIONS} conditions, counting those of the segments it uses` },
    ]);
  }
  // A segment that grows makes every segment using it grow too: each must still fit.
  if (selfId) {
    const over = segmentsOverLimit(all ?? (await loadSegments(db)), selfId, query);
    if (over.length > 0) {
      const names = over.map((segment) => segment.id).join(', ');
      throw unprocessable(`Segments using this one would hold over ${MAX_EXPANDED_CONDITIONS} conditions: ${names}`, { segmentIds: over.map((segment) => segment.id) }, [
        { path: prefix, message: `segment ${names} uses this one and would hold over ${MAX_EXPANDED_CONDITIONS} conditions` },
      ]);
    }
  }
}

async function loadSegment(db: Queryable, id: string, caller: Caller, forUpdate = false): Promise<Segment> {
  const [row] = await db.query<Segment>(`select ${COLUMNS} from segments t where t.id = $1${forUpdate ? ' for update' : ''}`, [id]);
  if (!row || !canSee(caller, row.businessUnitId)) throw notFound('Segment', id);
  return row;
}

/** The contacts a dynamic query holds, of those of `unit` (null: every unit). */
async function matching(db: Queryable, query: SegmentQuery, now: Date, unit: string | null): Promise<ContactSelection> {
  const segments = await loadSegments(db);
  // A query stored before the limit held (or one a segment it uses outgrew) is not compiled.
  if (expandedSize(query, segments) > MAX_EXPANDED_CONDITIONS) {
    throw unprocessable(`The query holds over ${MAX_EXPANDED_CONDITIONS} conditions with the segments it uses; make it smaller`);
  }
  return contactsMatching(db, query, now, unit, segments);
}

export function segmentRoutes(app: FastifyInstance, { db, clock, worker }: ServerContext): void {
  app.post('/segments', async (request, reply) => {
    const { caller } = request;
    requireWriter(caller);
    const input = decodeWithQuery(SegmentInput, body(request.body));
    const row = await db.transaction(async (tx) => {
      if (input.kind === 'dynamic') await validateQuery(tx, caller, input.query, 'query');
      const now = clock.now();
      const [created] = await tx.query(
        `insert into segments as t (name, kind, query, business_unit_id, created_at, updated_at) values ($1, $2, $3::jsonb, $4, $5, $5) returning ${COLUMNS}`,
        [input.name, input.kind, input.kind === 'dynamic' ? JSON.stringify(input.query) : null, caller.businessUnitId, now],
      );
      return created;
    });
    return reply.status(201).send(row);
  });

  // Read-only, so viewers may use it too: it shows who a query would hold (of the contacts the caller sees), without saving it.
  app.post('/segments/preview', async (request) => {
    const { query } = decodeWithQuery(PreviewInput, body(request.body));
    await validateQuery(db, request.caller, query, 'query');
    const { where, params } = await matching(db, query, clock.now(), visibleUnit(request.caller));
    const previews = previewDatabase(db);
    const [counted] = await previews.query<{ count: number }>(`select count(*)::int as count from contacts c where ${where}`, params);
    const sample = await previews.query(`select ${contactColumns('c')} from contacts c where ${where} order by c.created_at, c.id limit ${PREVIEW_SAMPLE}`, params);
    return { count: counted?.count ?? 0, sample };
  });

  app.get('/segments', async (request) => {
    const filter = decode(ListFilter, request.query);
    const params: unknown[] = [];
    let where = 'where true';
    if (filter.kind) {
      params.push(filter.kind);
      where += ` and t.kind = $${params.length}`;
    }
    if (filter.q) {
      params.push(filter.q);
      where += ` and strpos(lower(t.name), lower($${params.length})) > 0`;
    }
    where += unitFilter(request.caller, 't.business_unit_id', params);
    return listPage(db, request.query, `select ${COLUMNS} from segments t ${where}`, params);
  });

  app.get('/segments/:id', async (request) => loadSegment(db, decode(IdParams, request.params).id, request.caller));

  app.patch('/segments/:id', async (request) => {
    requireWriter(request.caller);
    const { id } = decode(IdParams, request.params);
    const patch = decodeWithQuery(SegmentPatch, body(request.body));
    const row = await db.transaction(async (tx) => {
      const segment = await loadSegment(tx, id, request.caller, true);
      if (patch.query !== undefined) {
        if (segment.kind === 'static') throw badRequest('A static segment has no query; change its members instead', [{ path: 'query', message: 'not allowed on a static segment' }]);
        await validateQuery(tx, request.caller, patch.query, 'query', id);
      }
      const [updated] = await tx.query(`update segments t set name = $2, query = $3::jsonb, updated_at = $4 where t.id = $1 returning ${COLUMNS}`, [
        id,
        patch.name ?? segment.name,
        patch.query !== undefined ? JSON.stringify(patch.query) : segment.query === null ? null : JSON.stringify(segment.query),
        clock.now(),
      ]);
      return updated;
    });
    // Live journeys admit whoever the changed query now holds.
    worker.poke();
    return row;
  });

  app.delete('/segments/:id', async (request, reply) => {
    requireWriter(request.caller);
    const { id } = decode(IdParams, request.params);
    await db.transaction(async (tx) => {
      await loadSegment(tx, id, request.caller, true);
      const usedBy = await tx.query<{ kind: string; id: string }>(
        `select 'segment' as kind, s.id from segments s
          where s.id <> $1 and s.query is not null and jsonb_path_exists(s.query, '$.**.inSegment ? (@ == $id)', jsonb_build_object('id', $1::text))
         union all
         select 'journey', j.id from journeys j
          where j.status in ('live', 'stopped')
            and (j.definition ->> 'suppressionSegmentId' = $1
                 or jsonb_path_exists(j.definition, '$.**.segmentId ? (@ == $id)', jsonb_build_object('id', $1::text))
                 or jsonb_path_exists(j.definition, '$.**.inSegment ? (@ == $id)', jsonb_build_object('id', $1::text)))
         limit 5`,
        [id],
      );
      if (usedBy.length > 0) throw conflict(`The segment is in use by ${usedBy.map((use) => `${use.kind} ${use.id}`).join(', ')}`);
      await tx.query('delete from segments where id = $1', [id]);
    });
    return reply.status(204).send();
  });

  app.post('/segments/:id/members', async (request) => {
    requireWriter(request.caller);
    const { id } = decode(IdParams, request.params);
    const change = decode(MembersChange, body(request.body));
    const add = change.add ?? [];
    const remove = change.remove ?? [];
    const result = await db.transaction(async (tx) => {
      const segment = await loadSegment(tx, id, request.caller, true);
      if (segment.kind !== 'static') throw conflict('A dynamic segment holds whoever its query matches; only static segments have members to change');
      return changeMembers(tx, request.caller, 'segment', id, add, remove, clock.now());
    });
    worker.poke();
    return result;
  });

  // Of the segment's members, those the caller sees.
  app.get('/segments/:id/members', async (request) => {
    const segment = await loadSegment(db, decode(IdParams, request.params).id, request.caller);
    const unit = visibleUnit(request.caller);
    const { where, params } =
      segment.kind === 'static' || !segment.query ? handKeptMembers('segment', segment.id, unit) : await matching(db, segment.query, clock.now(), unit);
    return listPage(previewDatabase(db), request.query, `select ${contactColumns('c')} from contacts c where ${where}`, params, 'c');
  });
}
