// The public HTTP API (docs/api.md) on the same origin: types, requests, problem+json errors.
// Authorization comes from session.ts through setAuth(), which keeps this module free of state.

export type Status = 'todo' | 'in_progress' | 'done' | 'expired';
export type Priority = 'none' | 'low' | 'medium' | 'high' | 'urgent';
export const STATUSES: Status[] = ['todo', 'in_progress', 'done', 'expired'];
export const PRIORITIES: Priority[] = ['none', 'low', 'medium', 'high', 'urgent'];
export const SORTS = [
  '-created_at', 'created_at', '-updated_at', 'updated_at', 'due_at', '-due_at',
  'expires_at', '-expires_at', '-priority', 'priority',
] as const;

export interface User {
  id: string;
  email: string;
  name: string;
  timezone: string;
  default_task_ttl_seconds: number | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export interface ChecklistItem {
  id: string;
  text: string;
  done: boolean;
}

export interface Task {
  id: string;
  title: string;
  description: string;
  status: Status;
  progress: number;
  priority: Priority;
  labels: string[];
  checklist: ChecklistItem[];
  due_at: string | null;
  expires_at: string | null;
  on_expire: 'keep' | 'delete';
  completed_at: string | null;
  expired_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Summary {
  total: number;
  by_status: Record<Status, number>;
  completion_rate: number;
  average_progress: number;
  overdue: number;
  expiring_within_24h: number;
  completed_today: number;
  streak_days: number;
  as_of: string;
}

export interface DayCount {
  date: string;
  created: number;
  completed: number;
  expired: number;
}

export type ActivityType = 'created' | 'updated' | 'completed' | 'reopened' | 'expired' | 'deleted';

export interface ActivityItem {
  id: string;
  type: ActivityType;
  task_id: string;
  title: string;
  at: string;
}

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

/** A failed request: the API's problem details, or status 0 when the server was not reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    readonly retryAfter: number | null = null,
    /** The session ended while this request ran (the app is on its way to the login page). */
    readonly sessionEnded = false,
  ) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
  }
  get fieldErrors(): FieldError[] {
    return this.problem?.errors ?? [];
  }
}

export interface AuthHooks {
  /** A current access token (refreshed first when about to expire), or null without a session. */
  accessToken(): Promise<string | null>;
  /** Called after a 401 with the token that was refused: true when a retry may succeed. */
  recover(refused: string): Promise<boolean>;
}

let auth: AuthHooks | null = null;
export function setAuth(hooks: AuthHooks): void {
  auth = hooks;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** false for register, login, refresh: no Authorization header. */
  auth?: boolean;
  signal?: AbortSignal;
}

export interface Response<T> {
  status: number;
  data: T;
  headers: Headers;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<Response<T>> {
  const useAuth = options.auth !== false;
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    let token: string | null = null;
    if (useAuth) {
      token = (await auth?.accessToken()) ?? null;
      if (!token) throw new ApiError(401, null, null, true);
      headers.Authorization = `Bearer ${token}`;
    }
    let res: globalThis.Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
        cache: 'no-store',
      });
    } catch (e) {
      if (options.signal?.aborted) throw e;
      throw new ApiError(0, null);
    }
    if (res.status === 401 && useAuth && token && attempt === 0) {
      if (await auth!.recover(token)) continue; // refreshed: the same request once more
      throw new ApiError(401, await readProblem(res), null, true);
    }
    if (!res.ok) {
      const retry = Number(res.headers.get('Retry-After'));
      throw new ApiError(res.status, await readProblem(res), Number.isFinite(retry) && retry > 0 ? retry : null);
    }
    const text = res.status === 204 ? '' : await res.text();
    return { status: res.status, data: (text ? JSON.parse(text) : null) as T, headers: res.headers };
  }
}

async function readProblem(res: globalThis.Response): Promise<Problem | null> {
  try {
    const body: unknown = await res.json();
    if (body && typeof body === 'object' && 'status' in body) return body as Problem;
  } catch {
    // not JSON (e.g. a proxy's error page)
  }
  return null;
}

export const api = {
  get: <T>(path: string, o?: RequestOptions) => request<T>('GET', path, o).then((r) => r.data),
  post: <T>(path: string, body?: unknown, o?: RequestOptions) => request<T>('POST', path, { ...o, body }).then((r) => r.data),
  patch: <T>(path: string, body: unknown, o?: RequestOptions) => request<T>('PATCH', path, { ...o, body }).then((r) => r.data),
  put: <T>(path: string, body: unknown, o?: RequestOptions) => request<T>('PUT', path, { ...o, body }).then((r) => r.data),
  del: <T>(path: string, body?: unknown, o?: RequestOptions) => request<T>('DELETE', path, { ...o, body }).then((r) => r.data),
};

/** A query string from the non-empty values ("?a=1&b=2", or ""). */
export function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
