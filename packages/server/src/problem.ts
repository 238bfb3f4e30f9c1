import type { ZodError } from 'zod';

export interface FieldError {
  path: string;
  message: string;
}

/** An RFC 9457 problem the API answers with; thrown by routes, rendered by the error handler. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail ?? title);
  }

  toJSON() {
    return {
      type: `https://waymark.dev/problems/${this.title.toLowerCase().replace(/[^a-z]+/g, '-')}`,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extra,
    };
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) => new Problem(400, 'Bad Request', detail, errors);
export const notFound = (what: string, id?: string) => new Problem(404, 'Not Found', id === undefined ? `${what} not found` : `${what} ${JSON.stringify(id).slice(0, 120)} not found`);
export const conflict = (detail: string, errors?: FieldError[]) => new Problem(409, 'Conflict', detail, errors);
export const forbidden = (detail: string) => new Problem(403, 'Forbidden', detail);
export const unprocessable = (detail: string, extra?: Record<string, unknown>, errors?: FieldError[]) => new Problem(422, 'Unprocessable Content', detail, errors, extra);

export function fieldPath(path: readonly PropertyKey[], prefix?: string): string {
  const joined = path.map(String).join('.');
  return prefix ? (joined ? `${prefix}.${joined}` : prefix) : joined || 'body';
}

/**
 * One zod issue as field errors. An unknown field (contract §13, strict input) is named itself,
 * e.g. `supressionSegmentId`, where zod names the object holding it.
 */
export function issueErrors(issue: ZodError['issues'][number], prefix?: string, base: readonly PropertyKey[] = []): FieldError[] {
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: fieldPath([...base, ...issue.path, key], prefix), message: 'unknown field' }));
  return [{ path: fieldPath([...base, ...issue.path], prefix), message: issue.message }];
}

/** Every zod issue as a field error, with the path inside the body. */
export function zodProblem(error: ZodError, prefix?: string): Problem {
  const errors = error.issues.flatMap((issue) => issueErrors(issue, prefix));
  return badRequest(`Invalid ${errors.map((e) => e.path).filter((p, i, all) => all.indexOf(p) === i).slice(0, 5).join(', ')}`, errors);
}
