// The session: tokens in sessionStorage (todo.session), refreshed silently a minute before the
// access token expires and once after a 401. When a refresh is refused (the session was revoked
// or ran out) the session ends and the app shows the login page with a message.
//
// Refresh tokens are single-use: presenting one twice revokes the whole session. A duplicated tab
// starts with a copy of the same tokens, so tabs of one origin take turns refreshing (Web Locks)
// and tell each other about the tokens they got (BroadcastChannel).
import { api, ApiError, request, setAuth, type Tokens, type User } from './api';

const STORAGE_KEY = 'todo.session';
const REFRESH_BEFORE_MS = 60_000;

interface Stored {
  access_token: string;
  refresh_token: string;
  /** When the access token expires (ms since the epoch). */
  expires_at: number;
}

export type EndReason = 'expired' | 'logout' | 'deleted';

let current: Stored | null = load();
let timer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<boolean> | null = null;
let me: Promise<User> | null = null;
const endListeners = new Set<(reason: EndReason) => void>();
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('todo.session') : null;

function load(): Stored | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Stored | null;
    return s && typeof s.access_token === 'string' && typeof s.refresh_token === 'string' ? s : null;
  } catch {
    return null;
  }
}

function store(tokens: Tokens): void {
  current = {
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    expires_at: Date.now() + tokens.expires_in * 1000,
  };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(current));
  schedule();
}

function schedule(): void {
  clearTimeout(timer);
  if (!current) return;
  const wait = Math.max(5_000, current.expires_at - REFRESH_BEFORE_MS - Date.now());
  timer = setTimeout(() => void refresh(), wait);
}

export function isLoggedIn(): boolean {
  return current !== null;
}

/** Starts a session with the tokens of a login or registration. */
export function begin(tokens: Tokens, user?: User): void {
  store(tokens);
  me = user ? Promise.resolve(user) : null;
}

/** The person logged in (GET /v1/users/me, asked once per session). */
export function user(): Promise<User> {
  if (!me) {
    me = api.get<User>('/v1/users/me');
    me.catch(() => {
      me = null;
    });
  }
  return me;
}

/** Replaces the known profile after it was changed. */
export function setUser(u: User): void {
  me = Promise.resolve(u);
}

export function onEnd(fn: (reason: EndReason) => void): () => void {
  endListeners.add(fn);
  return () => endListeners.delete(fn);
}

/** Ends the session here (the server side is already over, or being ended by logout()). */
export function end(reason: EndReason): void {
  if (!current) return;
  current = null;
  me = null;
  clearTimeout(timer);
  sessionStorage.removeItem(STORAGE_KEY);
  for (const fn of endListeners) fn(reason);
}

export async function logout(): Promise<void> {
  const s = current;
  if (!s) return;
  try {
    await api.post('/v1/auth/logout', { refresh_token: s.refresh_token });
  } catch {
    // The session ends here anyway; an unreachable server cannot keep anyone logged in.
  }
  end('logout');
}

/** Exchanges the refresh token for a new pair; false when that failed. Refused: the session ends. */
export function refresh(): Promise<boolean> {
  if (!current) return Promise.resolve(false);
  const used = current.refresh_token;
  refreshing ??= withLock(() => doRefresh(used)).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function withLock(fn: () => Promise<boolean>): Promise<boolean> {
  return navigator.locks ? navigator.locks.request('todo.session.refresh', fn).then((ok) => ok) : fn();
}

async function doRefresh(used: string): Promise<boolean> {
  if (!current) return false;
  if (current.refresh_token !== used) return true; // a tab sharing this session refreshed it meanwhile
  try {
    const r = await request<{ tokens: Tokens }>('POST', '/v1/auth/refresh', {
      auth: false,
      body: { refresh_token: used },
    });
    if (!current) return false; // logged out meanwhile
    store(r.data.tokens);
    channel?.postMessage({ from: used, tokens: r.data.tokens });
    // A duplicated tab waiting for the lock gets the message before it would refresh itself.
    await new Promise((resolve) => setTimeout(resolve, 150));
    return true;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 400)) {
      end('expired');
      return false;
    }
    // The server was not reached or is busy: try again soon, keep the session meanwhile.
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 10_000);
    return false;
  }
}

channel?.addEventListener('message', (e: MessageEvent<{ from: string; tokens: Tokens }>) => {
  if (current && e.data?.from === current.refresh_token) store(e.data.tokens);
});

// Timers do not run in a sleeping or hidden tab: catch up when it comes back.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && current && current.expires_at - Date.now() < REFRESH_BEFORE_MS) {
    void refresh();
  }
});

/** A current access token (refreshed first when it is about to expire), or null without a session. */
export async function authToken(): Promise<string | null> {
  if (!current) return null;
  if (current.expires_at - Date.now() < 10_000) await refresh();
  return current?.access_token ?? null;
}

/** After `refused` got a 401: true when a new token is there to retry with. */
export async function recoverFrom(refused: string): Promise<boolean> {
  if (!current) return false;
  if (current.access_token !== refused) return true; // refreshed meanwhile
  return refresh();
}

setAuth({ accessToken: authToken, recover: recoverFrom });
schedule();
