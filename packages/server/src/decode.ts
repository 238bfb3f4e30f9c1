import type { z } from 'zod';
import { badRequest, zodProblem } from './problem.ts';

/** Decodes a request part with a core schema, or throws a 400 naming every bad field. */
export function decode<S extends z.ZodType>(schema: S, input: unknown, prefix?: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw zodProblem(result.error, prefix);
  return result.data;
}

/** The JSON body of a request that must have one. */
export function body(input: unknown): unknown {
  if (input === undefined || input === null) throw badRequest('A JSON body is required', [{ path: 'body', message: 'required' }]);
  return input;
}
