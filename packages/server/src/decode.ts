import type { z } from 'zod';
import { badRequest, zodProblem, type FieldError } from './problem.ts';

/** Decodes a request part with a core schema, or throws a 400 naming every bad field. */
export function decode<S extends z.ZodType>(schema: S, input: unknown, prefix?: string): z.infer<S> {
  // Lengths first: zod checks every element of an array before its length, which for millions of
  // elements blocks the event loop for seconds only to refuse the request anyway.
  const overlong = overlongArray(schema, input, prefix ?? '');
  if (overlong) throw badRequest(`Invalid ${overlong.path}: ${overlong.message}`, [overlong]);
  const result = schema.safeParse(input);
  if (!result.success) throw zodProblem(result.error, prefix);
  return result.data;
}

/** The JSON body of a request that must have one. */
export function body(input: unknown): unknown {
  if (input === undefined || input === null) throw badRequest('A JSON body is required', [{ path: 'body', message: 'required' }]);
  return input;
}

/** The parts of zod's schema definitions that say how long an array may be, and where arrays sit. */
interface SchemaDef {
  type: string;
  checks?: { _zod: { def: { check: string; maximum?: unknown } } }[];
  innerType?: z.ZodType;
  in?: z.ZodType;
  getter?: () => z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
}

const definition = (schema: z.ZodType) => schema._zod.def as unknown as SchemaDef;
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The first array in `input` longer than `schema` allows at that place, as the field error zod
 * would give, found without looking at any element of an array that is too long. Arrays inside
 * unions are checked when every alternative finds the same one too long.
 */
export function overlongArray(schema: z.ZodType, input: unknown, path: string, depth = 0): FieldError | null {
  if (input === null || typeof input !== 'object' || depth > 64) return null;
  const def = definition(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return def.innerType ? overlongArray(def.innerType, input, path, depth) : null;
    case 'pipe':
      return def.in ? overlongArray(def.in, input, path, depth) : null;
    case 'lazy':
      return def.getter ? overlongArray(def.getter(), input, path, depth + 1) : null;
    case 'object': {
      if (!isRecord(input) || !def.shape) return null;
      for (const [key, field] of Object.entries(def.shape)) {
        if (!Object.hasOwn(input, key)) continue;
        const found = overlongArray(field, input[key], path ? `${path}.${key}` : key, depth + 1);
        if (found) return found;
      }
      return null;
    }
    case 'array': {
      if (!Array.isArray(input)) return null;
      for (const check of def.checks ?? []) {
        const { check: kind, maximum } = check._zod.def;
        if (kind === 'max_length' && typeof maximum === 'number' && input.length > maximum) {
          return { path: path || 'body', message: `Too big: expected array to have <=${maximum} items` };
        }
      }
      if (!def.element) return null;
      for (let i = 0; i < input.length; i += 1) {
        const found = overlongArray(def.element, input[i], path ? `${path}.${i}` : String(i), depth + 1);
        if (found) return found;
      }
      return null;
    }
    case 'union': {
      const found = (def.options ?? []).map((option) => overlongArray(option, input, path, depth + 1));
      const first = found[0];
      return first && found.every((other) => other?.path === first.path) ? first : null;
    }
    default:
      return null;
  }
}
