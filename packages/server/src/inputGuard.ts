import type { FieldError } from './problem.ts';

const MAX_DEPTH = 64;

/**
 * What in a request part PostgreSQL or JSON handling would fail on, as the caller's 400 rather than
 * our 500: a NUL character (PostgreSQL stores U+0000 in neither text nor jsonb), or nesting deeper
 * than any resource needs (JSON.stringify and jsonb parsing recurse). Iterative, so any depth is safe.
 */
export function inputProblem(root: unknown): FieldError | null {
  const pending: [unknown, string, number][] = [[root, '', 0]];
  while (pending.length > 0) {
    const [value, path, depth] = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return { path: path || 'body', message: 'text may not contain U+0000' };
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    if (depth >= MAX_DEPTH) return { path: path || 'body', message: `nested more than ${MAX_DEPTH} levels deep` };
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) return { path: at, message: 'text may not contain U+0000' };
      pending.push([item, at, depth + 1]);
    }
  }
  return null;
}
