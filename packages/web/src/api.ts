/**
 * The designer talks to the Waymark HTTP API only. People sign in with email and password (or
 * single sign-on): the server keeps the session in an HttpOnly cookie scripts never see, and writes
 * carry the session's CSRF token, held here in memory only. Signing in with an API key instead keeps
 * the key in sessionStorage: it is gone when the tab closes, and never reaches localStorage or a cookie.
 */
const KEY_STORAGE = 'waymark.apiKey';
const SIGNED_OUT_EVENT = 'waymark:signed-out';
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** The CSRF token of the cookie session; null when there is none (or an API key is used). */
let csrfToken: string | null = null;

/** Who is signed in, as GET /api/v1/auth/me says. */
export interface Me {
  id: string;
  name: string;
  email: string;
  role: 'admin' | 'marketer' | 'viewer';
  level: 'organization' | 'businessUnit';
  businessUnitId: string;
  authenticatedBy: 'session' | 'apiKey';
  csrfToken?: string;
}

/** How people may sign in here. */
export interface SignInOptions {
  password: boolean;
  sso: boolean;
}

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

/** Remembers the cookie session that sign-in (or GET /auth/me) described. */
export function rememberSession(me: Me): void {
  csrfToken = me.csrfToken ?? null;
}

/** Signs in with email and password: the server sets the session cookie. */
export async function signInWithPassword(email: string, password: string): Promise<Me> {
  const me = await request<Me>('POST', '/auth/login', { email, password }, null);
  rememberSession(me);
  return me;
}

/** The person of the current API key or session cookie, or null when neither is valid. */
export async function currentUser(): Promise<Me | null> {
  try {
    const me = await request<Me>('GET', '/auth/me');
    if (me.authenticatedBy === 'session') rememberSession(me);
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/** Ends the session on the server too (a copy of the cookie is worth nothing afterwards), or forgets the key. */
export async function signOut(): Promise<void> {
  if (getApiKey()) return setApiKey(null);
  try {
    await request('POST', '/auth/logout');
  } finally {
    csrfToken = null;
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
  else if (csrfToken && !SAFE_METHODS.has(method)) headers['x-csrf-token'] = csrfToken;
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
    // A key or session that stopped working (revoked, expired, a fresh database) sends the user back to sign-in.
    if (response.status === 401 && key && key === getApiKey()) setApiKey(null);
    else if (response.status === 401 && !key && csrfToken !== null) {
      csrfToken = null;
      window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
    }
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
