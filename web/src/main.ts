// The app: the page frame (navigation, language switch, flash), routing to the views, and the
// live stream while someone is logged in.
import './styles.css';
import { append, h } from './dom';
import { lang, onLangChange, setLang, t, type Key, type Lang } from './i18n';
import { listen, navigate, PUBLIC_ROUTES, type Route } from './router';
import * as session from './session';
import * as sse from './sse';
import { flash, mountFlash, routeChangedForFlash } from './ui';
import { loginView, registerView } from './views/auth';
import { profileView } from './views/profile';
import { progressView } from './views/progress';
import { taskView } from './views/task';
import { tasksView } from './views/tasks';

/** A view draws itself into `root` and returns what stops its timers and subscriptions. */
export type View = (root: HTMLElement, route: Route) => (() => void) | void;

const VIEWS: Record<Route['name'], [View, Key]> = {
  login: [loginView, 'login.title'],
  register: [registerView, 'register.title'],
  tasks: [tasksView, 'tasks.title'],
  'task-new': [taskView, 'form.newTitle'],
  task: [taskView, 'form.editTitle'],
  progress: [progressView, 'progress.title'],
  profile: [profileView, 'profile.title'],
};

const app = document.getElementById('app')!;
const skip = h('a', { class: 'skip-link', href: '#main' });
const header = h('header', { class: 'topbar' });
const flashRegion = h('div', { class: 'flash-region', 'aria-live': 'polite' });
const main = h('main', { id: 'main', tabindex: '-1' });
app.replaceChildren(skip, header, flashRegion, main);
mountFlash(flashRegion);

// The skip link must not change location.hash (that is the router's).
skip.addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});

let current: Route | null = null;
let cleanup: (() => void) | null = null;
let liveState = 'closed';

function render(route: Route | null, { focus = false } = {}): void {
  const loggedIn = session.isLoggedIn();
  if (!route) return navigate(loggedIn ? '#/tasks' : '#/login', { replace: true });
  const isPublic = PUBLIC_ROUTES.has(route.name);
  if (!isPublic && !loggedIn) return navigate('#/login', { replace: true });
  if (isPublic && loggedIn) return navigate('#/tasks', { replace: true });

  cleanup?.();
  cleanup = null;
  current = route;
  routeChangedForFlash(location.hash);
  if (loggedIn) sse.start();
  else sse.stop();
  renderHeader();
  const [view, title] = VIEWS[route.name];
  document.title = `${t(title)} · ${t('app.name')}`;
  main.replaceChildren();
  cleanup = view(main, route) ?? null;
  if (focus) main.querySelector<HTMLElement>('h1')?.focus({ preventScroll: false });
}

function renderHeader(): void {
  const loggedIn = session.isLoggedIn();
  skip.textContent = t('nav.skip');
  const link = (testid: string, href: string, key: Key, names: Route['name'][]) =>
    h('li', null, h('a', {
      testid, href,
      'aria-current': current && names.includes(current.name) ? 'page' : undefined,
    }, t(key)));
  const langButton = (l: Lang, short: string) =>
    h('button', {
      type: 'button', testid: `lang-${l}`, lang: l, 'aria-pressed': String(lang() === l),
      title: t(`lang.${l}`), 'aria-label': t(`lang.${l}`), on: { click: () => setLang(l) },
    }, short);

  header.replaceChildren();
  append(header, [
    h('a', { class: 'brand', href: loggedIn ? '#/tasks' : '#/login' },
      h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '✓'), t('app.name')),
    loggedIn
      ? h('nav', { 'aria-label': t('nav.main') },
          h('ul', null,
            link('nav-tasks', '#/tasks', 'nav.tasks', ['tasks', 'task', 'task-new']),
            link('nav-progress', '#/progress', 'nav.progress', ['progress']),
            link('nav-profile', '#/profile', 'nav.profile', ['profile']),
          ))
      : null,
    h('div', { class: 'topbar-end' },
      loggedIn ? liveIndicator() : null,
      h('div', { class: 'lang-switch', role: 'group', 'aria-label': t('lang.group') },
        langButton('en', 'EN'), langButton('id', 'ID')),
      loggedIn
        ? h('button', {
            type: 'button', class: 'button-quiet', testid: 'logout',
            on: { click: (e) => { (e.currentTarget as HTMLButtonElement).disabled = true; void session.logout(); } },
          }, t('nav.logout'))
        : null,
    ),
  ]);
}

function liveIndicator(): HTMLElement {
  const on = liveState === 'open';
  return h('span', { class: `live live-${on ? 'on' : 'off'}`, title: t(on ? 'live.onHint' : 'live.offHint') },
    h('span', { class: 'live-dot', 'aria-hidden': 'true' }), t(on ? 'live.on' : 'live.off'));
}

sse.onState((s) => {
  liveState = s;
  const el = header.querySelector('.live');
  if (el && session.isLoggedIn()) el.replaceWith(liveIndicator());
});

session.onEnd((reason) => {
  sse.stop();
  navigate('#/login');
  const text = reason === 'expired' ? t('session.ended') : reason === 'deleted' ? t('delete.done') : t('session.loggedOut');
  flash(text, reason === 'expired' ? 'error' : 'info', '#/login');
});

onLangChange(() => render(current));
listen((route) => render(route, { focus: current !== null }));
