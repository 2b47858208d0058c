// The person's lists (GET /v1/lists, every page) and their members (GET /v1/lists/{id}/members),
// kept while the app runs. The sidebar, the task list and the task page read them from here. The
// live stream carries task events only: a task event (an open count may have changed, a list may
// have been shared or left) and a reconnect load the lists again, a moment later.
import { api, type List, type Member, type Page } from './api';
import { debounce } from './dom';
import * as session from './session';
import * as sse from './sse';

const PAGE = 200;

let known: List[] | null = null;
let completed = 0;
let loading: Promise<List[]> | null = null;
let again = false;
const listeners = new Set<(lists: List[]) => void>();
/** Members per list, by the list's version (each member change is one more version). */
const memberCache = new Map<string, { version: number; members: Promise<Member[]> }>();
/** Names of the people met in any member list, by user id. */
const names = new Map<string, string>();

/** How many loads of the lists have completed (a view tells a fresh answer from what it began with). */
export function loads(): number {
  return completed;
}

/** The lists as last loaded (inbox first), or null before the first load. */
export function current(): List[] | null {
  return known;
}

export function byId(id: string | null | undefined): List | undefined {
  return id ? known?.find((l) => l.id === id) : undefined;
}

/** The lists, loaded once (then as known; refresh() loads them again). */
export function lists(): Promise<List[]> {
  return known ? Promise.resolve(known) : refresh();
}

/** Loads the lists again; calls after one has started wait for one more load. */
export function refresh(): Promise<List[]> {
  if (loading) {
    again = true;
    return loading;
  }
  loading = (async () => {
    try {
      let all: List[];
      do {
        again = false;
        all = [];
        let cursor: string | null = null;
        do {
          const q: string = `?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
          const page: Page<List> = await api.get<Page<List>>(`/v1/lists${q}`);
          all.push(...page.items);
          cursor = page.next_cursor;
        } while (cursor);
      } while (again);
      completed += 1;
      if (session.isLoggedIn()) set(all);
      return all;
    } finally {
      loading = null;
    }
  })();
  return loading;
}

/** Replaces the known lists (e.g. after a change made here) and tells every listener. */
function set(all: List[]): void {
  known = all;
  for (const fn of listeners) fn(all);
}

/** A list as an answer showed it (created or changed here). */
export function put(list: List): void {
  const all = known ?? [];
  const i = all.findIndex((l) => l.id === list.id);
  set(i < 0 ? [...all, list] : all.map((l) => (l.id === list.id ? list : l)));
  void refresh().catch(() => undefined); // the server's order
}

/** A list deleted or left here. */
export function drop(id: string): void {
  if (known) set(known.filter((l) => l.id !== id));
  memberCache.delete(id);
}

/** Called with the lists whenever they change. Returns the stop. */
export function onChange(fn: (lists: List[]) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The members of a list (the owner first); asked again once the list's version moved. */
export function members(listId: string): Promise<Member[]> {
  const version = byId(listId)?.version ?? -1;
  const cached = memberCache.get(listId);
  if (cached && cached.version === version) return cached.members;
  const p = api.get<{ items: Member[] }>(`/v1/lists/${listId}/members`).then((r) => {
    for (const m of r.items) names.set(m.user_id, m.name);
    return r.items;
  });
  memberCache.set(listId, { version, members: p });
  p.catch(() => {
    if (memberCache.get(listId)?.members === p) memberCache.delete(listId);
  });
  return p;
}

/** Forgets a list's members (they changed here). */
export function membersChanged(listId: string): void {
  memberCache.delete(listId);
}

/** The name of a person met in a member list, if any. */
export function nameOf(userId: string): string | undefined {
  return names.get(userId);
}

const refreshSoon = debounce(() => {
  if (session.isLoggedIn()) void refresh().catch(() => undefined);
}, 300);
sse.onTaskEvent(() => refreshSoon());
let first = true;
sse.onState((s) => {
  if (s === 'open' && !first) refreshSoon();
  if (s === 'open') first = false;
});
session.onEnd(() => {
  known = null;
  memberCache.clear();
  names.clear();
  first = true;
});
