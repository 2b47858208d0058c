// Hash routes: #/login, #/register, #/tasks, #/tasks/new, #/tasks/<id>, #/progress, #/profile.

export type Route =
  | { name: 'login' }
  | { name: 'register' }
  | { name: 'tasks' }
  | { name: 'task-new' }
  | { name: 'task'; id: string }
  | { name: 'progress' }
  | { name: 'profile' };

export const PUBLIC_ROUTES = new Set<Route['name']>(['login', 'register']);

export function parse(hash: string): Route | null {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/';
  switch (path) {
    case '/login': return { name: 'login' };
    case '/register': return { name: 'register' };
    case '/tasks': return { name: 'tasks' };
    case '/tasks/new': return { name: 'task-new' };
    case '/progress': return { name: 'progress' };
    case '/profile': return { name: 'profile' };
  }
  const m = /^\/tasks\/([0-9a-fA-F-]{36})$/.exec(path);
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
