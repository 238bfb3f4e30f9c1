/**
 * The designer talks to the Waymark HTTP API only. The API key lives in sessionStorage: it is
 * gone when the tab closes, and never reaches localStorage or a cookie.
 */
const KEY_STORAGE = 'waymark.apiKey';
const SIGNED_OUT_EVENT = 'waymark:signed-out';

export interface FieldError {
  path: string;
  message: string;
}

export interface CheckError {
  tileId?: string;
  field?: string;
  code: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: (FieldError | CheckError)[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
  get status(): number {
    return this.problem.status;
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const getApiKey = (): string | null => sessionStorage.getItem(KEY_STORAGE);

export function setApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else {
    sessionStorage.removeItem(KEY_STORAGE);
    window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
  }
}

export function onSignedOut(listener: () => void): () => void {
  window.addEventListener(SIGNED_OUT_EVENT, listener);
  return () => window.removeEventListener(SIGNED_OUT_EVENT, listener);
}

export async function request<T>(method: string, path: string, body?: unknown, key = getApiKey()): Promise<T> {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError({ status: 0, title: 'Network error', detail: 'The Waymark server could not be reached' });
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    const problem: Problem = typeof parsed === 'object' && parsed ? { ...(parsed as Problem), status: response.status } : { status: response.status, detail: String(parsed ?? response.statusText) };
    // A key that stopped working (revoked, or a fresh database) sends the user back to sign-in.
    if (response.status === 401 && key === getApiKey()) setApiKey(null);
    throw new ApiError(problem);
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/** Every page of a list endpoint, up to `max` items. */
export async function listAll<T>(path: string, max = 5000): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  const join = path.includes('?') ? '&' : '?';
  do {
    const page: Page<T> = await api.get<Page<T>>(`${path}${join}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < max);
  return items;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.problem.errors?.filter((e): e is FieldError => 'path' in e).map((e) => `${e.path}: ${e.message}`) ?? [];
    return [error.message, ...fields.slice(0, 3)].join(' · ');
  }
  return error instanceof Error ? error.message : String(error);
}
