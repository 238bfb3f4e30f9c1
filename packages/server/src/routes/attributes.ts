import type { Queryable } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireWriter } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { body, decode } from '../decode.ts';
import { badRequest, conflict, type FieldError } from '../problem.ts';

export const AttributeEntity = z.enum(['contact', 'account']);
export type AttributeEntity = z.infer<typeof AttributeEntity>;
export const AttributeType = z.enum(['string', 'number', 'boolean', 'date']);
export type AttributeType = z.infer<typeof AttributeType>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// An ISO date, optionally with a time: such a string declares (and must fit) a 'date' attribute.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T.*)?$/;
const MAX_ATTRIBUTES = 100;

export const AttributeName = z
  .string()
  .max(100)
  .regex(NAME, 'attribute names are letters, digits and _, not starting with a digit')
  // Assigning it to a plain object would change the object's prototype instead of adding a key.
  .refine((name) => name !== '__proto__', 'reserved name');

export type AttributeValue = string | number | boolean | null;

/**
 * The custom attributes of a contact or account: a flat object of scalar values. A null removes the
 * attribute from the record (stored values always have their declared type, so the compiled segment
 * queries can cast them safely).
 */
export const AttributeValues = z
  .record(AttributeName, z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]))
  .refine((values) => Object.keys(values).length <= MAX_ATTRIBUTES, `at most ${MAX_ATTRIBUTES} attributes`);

export const AttributeInput = z.object({ entity: AttributeEntity, name: AttributeName, type: AttributeType }).strict();
const ListFilter = z.object({ entity: AttributeEntity.optional() });

/** The type a value declares; null declares nothing. */
function typeOf(value: AttributeValue): AttributeType | null {
  if (value === null) return null;
  if (typeof value === 'string') return ISO_DATE.test(value) ? 'date' : 'string';
  return typeof value === 'number' ? 'number' : 'boolean';
}

function fits(type: AttributeType, value: AttributeValue): boolean {
  if (value === null) return true;
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
  }
}

export interface AttributeRecord {
  /** Where the record's attributes sit in the request body, e.g. `attributes` or `contacts.3.attributes`. */
  path: string;
  values: Record<string, AttributeValue> | undefined;
}

/**
 * Declares every attribute not yet known with the type of the first value that carries it (set-based,
 * race-safe: the table decides), then checks every value against the declared type. A mismatch
 * throws a 400 naming each `path.name`; run it inside the request's transaction so nothing is kept.
 */
export async function declareAttributes(tx: Queryable, entity: AttributeEntity, records: readonly AttributeRecord[]): Promise<void> {
  const firstType = new Map<string, AttributeType>();
  const used = new Set<string>();
  for (const record of records) {
    for (const [name, value] of Object.entries(record.values ?? {})) {
      used.add(name);
      const type = typeOf(value);
      if (type && !firstType.has(name)) firstType.set(name, type);
    }
  }
  if (used.size === 0) return;
  if (firstType.size > 0) {
    await tx.query(
      `insert into attributes (entity, name, type) select $1, n, t from unnest($2::text[], $3::text[]) as d(n, t) on conflict do nothing`,
      [entity, [...firstType.keys()], [...firstType.values()]],
    );
  }
  const declared = new Map(
    (await tx.query<{ name: string; type: AttributeType }>('select name, type from attributes where entity = $1 and name = any($2::text[])', [entity, [...used]])).map(
      (row) => [row.name, row.type],
    ),
  );
  const errors: FieldError[] = [];
  for (const record of records) {
    for (const [name, value] of Object.entries(record.values ?? {})) {
      const type = declared.get(name);
      if (type && !fits(type, value)) errors.push({ path: `${record.path}.${name}`, message: `${entity} attribute ${name} is declared as ${type}` });
    }
  }
  if (errors.length > 0) throw badRequest(`Attribute values contradict their declared types`, errors.slice(0, 1000));
}

/** The declared type of each attribute of `entity` among `names` that is declared. */
export async function declaredAttributes(db: Queryable, entity: AttributeEntity, names: readonly string[]): Promise<Map<string, AttributeType>> {
  if (names.length === 0) return new Map();
  const rows = await db.query<{ name: string; type: AttributeType }>('select name, type from attributes where entity = $1 and name = any($2::text[])', [entity, [...new Set(names)]]);
  return new Map(rows.map((row) => [row.name, row.type]));
}

export function attributeRoutes(app: FastifyInstance, { db }: ServerContext): void {
  app.post('/attributes', async (request, reply) => {
    requireWriter(request.caller);
    const input = decode(AttributeInput, body(request.body));
    const created = await db.query('insert into attributes (entity, name, type) values ($1, $2, $3) on conflict do nothing returning entity, name, type', [
      input.entity,
      input.name,
      input.type,
    ]);
    if (created.length > 0) return reply.status(201).send(created[0]);
    const [existing] = await db.query<{ type: AttributeType }>('select type from attributes where entity = $1 and name = $2', [input.entity, input.name]);
    if (existing && existing.type !== input.type) {
      throw conflict(`The ${input.entity} attribute ${input.name} is already declared as ${existing.type}`, [{ path: 'type', message: `already declared as ${existing.type}` }]);
    }
    // Declaring it again the same way changes nothing.
    return { entity: input.entity, name: input.name, type: input.type };
  });

  // Attributes have no creation time to page by; their number stays small (a schema, not data).
  app.get('/attributes', async (request) => {
    const filter = decode(ListFilter, request.query);
    const items = await db.query('select entity, name, type from attributes where ($1::text is null or entity = $1) order by entity, name', [filter.entity ?? null]);
    return { items, nextCursor: null };
  });
}
