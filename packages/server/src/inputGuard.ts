import type { FieldError } from './problem.ts';

const MAX_DEPTH = 64;
/**
 * No resource takes a longer array (a contact batch holds at most 10 000 rows). Checked before any
 * element is looked at: a 4-million-element array once held the event loop for seconds here.
 */
export const MAX_ARRAY_LENGTH = 10_000;
// Half of a UTF-16 surrogate pair on its own: no Unicode character, so jsonb refuses its escape.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why PostgreSQL could not store `text` (a NUL, a lone surrogate), or null when it can. */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'text may not contain U+0000';
  if (LONE_SURROGATE.test(text)) return 'text must be valid Unicode (it holds half of a surrogate pair)';
  return null;
}

/**
 * What in a request part PostgreSQL or JSON handling would fail on, as the caller's 400 rather than
 * our 500: a NUL character (PostgreSQL stores U+0000 in neither text nor jsonb), a lone surrogate, or nesting deeper
 * than any resource needs (JSON.stringify and jsonb parsing recurse), or an array longer than any
 * resource takes. Iterative, so any depth is safe.
 */
export function inputProblem(root: unknown): FieldError | null {
  const pending: [unknown, string, number][] = [[root, '', 0]];
  while (pending.length > 0) {
    const [value, path, depth] = pending.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) return { path: path || 'body', message: problem };
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    if (depth >= MAX_DEPTH) return { path: path || 'body', message: `nested more than ${MAX_DEPTH} levels deep` };
    if (Array.isArray(value) && value.length > MAX_ARRAY_LENGTH) return { path: path || 'body', message: `at most ${MAX_ARRAY_LENGTH} items` };
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      const problem = textProblem(key);
      if (problem) return { path: at, message: problem };
      pending.push([item, at, depth + 1]);
    }
  }
  return null;
}
