// Hash routes: #/login, #/register, #/tasks, #/tasks/new (?list=<id>: in that list),
// #/tasks/<id>, #/lists/<id> (the tasks of a list), #/assigned (the tasks assigned to me),
// #/progress, #/profile.

export type Route =
  | { name: 'login' }
  | { name: 'register' }
  | { name: 'tasks' }
  | { name: 'task-new'; list?: string }
  | { name: 'list'; id: string }
  | { name: 'assigned' }
  | { name: 'task'; id: string }
  | { name: 'progress' }
  | { name: 'profile' };

export const PUBLIC_ROUTES = new Set<Route['name']>(['login', 'register']);

const UUID = '([0-9a-fA-F-]{36})';

export function parse(hash: string): Route | null {
  const [rawPath = '', search = ''] = hash.replace(/^#/, '').split('?', 2);
  const path = rawPath.replace(/\/+$/, '') || '/';
  if (path === '/tasks/new') {
    const list = new URLSearchParams(search).get('list');
    return list && new RegExp(`^${UUID}$`).test(list) ? { name: 'task-new', list: list.toLowerCase() } : { name: 'task-new' };
  }
  switch (path) {
    case '/login': return { name: 'login' };
    case '/register': return { name: 'register' };
    case '/tasks': return { name: 'tasks' };
    case '/assigned': return { name: 'assigned' };
    case '/progress': return { name: 'progress' };
    case '/profile': return { name: 'profile' };
  }
  const list = new RegExp(`^/lists/${UUID}$`).exec(path);
  if (list) return { name: 'list', id: list[1]!.toLowerCase() };
  const m = new RegExp(`^/tasks/${UUID}$`).exec(path);
  return m ? { name: 'task', id: m[1]!.toLowerCase() } : null;
}

let listener: ((route: Route | null) => void) | null = null;

/** Calls fn with the route now and after every change of location.hash. */
export function listen(fn: (route: Route | null) => void): void {
  listener = fn;
  window.addEventListener('hashchange', () => fn(parse(location.hash)));
  fn(parse(location.hash));
}

/** Goes to `hash` ("#/tasks"); with replace, the current history entry is replaced. */
export function navigate(hash: string, { replace = false } = {}): void {
  if (location.hash === hash) {
    listener?.(parse(hash));
  } else if (replace) {
    history.replaceState(history.state, '', hash);
    listener?.(parse(hash));
  } else {
    location.hash = hash;
  }
}
