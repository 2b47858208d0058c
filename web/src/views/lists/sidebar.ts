// The lists beside the task list (a menu behind a button on a phone): all tasks, each list with its
// colour, its open-task count and whether it is shared, and "new list".
import { ApiError, type List } from '../../api';
import { h, uid } from '../../dom';
import { t } from '../../i18n';
import * as lists from '../../lists';
import { describe } from '../../ui';
import { listFormDialog } from './dialogs';

/** What the page shows: every task, one list, or the tasks assigned to me. */
export type Scope = { kind: 'all' } | { kind: 'list'; id: string } | { kind: 'assigned' };

export interface Sidebar {
  element: HTMLElement;
  stop(): void;
}

/** The name people see for a list (the inbox keeps its own name unless renamed away from "Inbox"). */
export function listName(list: List): string {
  return list.inbox && list.name.trim().toLowerCase() === 'inbox' ? t('list.inbox') : list.name;
}

/** The list's colour as a small dot (CSSOM: style attributes are refused by the CSP). */
export function colorDot(list: List | undefined, testid?: string): HTMLElement {
  const dot = h('span', { class: `list-dot${list?.color ? '' : ' list-dot-none'}`, 'aria-hidden': 'true', testid });
  if (list?.color) dot.style.backgroundColor = list.color;
  return dot;
}

export function listSidebar(scope: Scope, host: HTMLElement): Sidebar {
  const panelId = uid('lists');
  const menu = h('button', {
    type: 'button', class: 'list-menu', testid: 'list-menu', 'aria-expanded': 'false', 'aria-controls': panelId,
  }, h('span', { 'aria-hidden': 'true' }, '☰ '), t('lists.menu'));
  const items = h('ul', { class: 'list-items', 'aria-label': t('lists.title') });
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const add = h('button', { type: 'button', class: 'button-quiet list-new', testid: 'list-new' },
    h('span', { 'aria-hidden': 'true' }, '+ '), t('lists.new'));
  const nav = h('nav', { class: 'list-sidebar', testid: 'list-sidebar', id: panelId, 'aria-label': t('lists.title'), 'data-open': 'false' },
    h('ul', { class: 'list-items list-fixed' },
      h('li', null, h('a', {
        href: '#/tasks', testid: 'list-all', class: 'list-link', 'aria-current': scope.kind === 'all' ? 'page' : undefined,
      }, h('span', { class: 'list-dot list-dot-all', 'aria-hidden': 'true' }), h('span', { class: 'list-name' }, t('lists.all')))),
      h('li', null, h('a', {
        href: '#/assigned', testid: 'list-assigned', class: 'list-link', 'aria-current': scope.kind === 'assigned' ? 'page' : undefined,
      }, h('span', { class: 'list-dot list-dot-me', 'aria-hidden': 'true' }), h('span', { class: 'list-name' }, t('assigned.title')))),
    ),
    h('h2', { class: 'list-heading' }, t('lists.title')),
    items, error, add,
  );
  const element = h('div', { class: 'sidebar' }, menu, nav);

  const setOpen = (open: boolean) => {
    menu.setAttribute('aria-expanded', String(open));
    nav.dataset.open = String(open);
  };
  menu.addEventListener('click', () => setOpen(menu.getAttribute('aria-expanded') !== 'true'));
  nav.addEventListener('click', (e) => {
    if ((e.target as HTMLElement).closest('a')) setOpen(false);
  });
  nav.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && menu.getAttribute('aria-expanded') === 'true') {
      setOpen(false);
      menu.focus();
    }
  });
  add.addEventListener('click', () => listFormDialog(host, null));

  function draw(all: List[]): void {
    items.setAttribute('aria-busy', 'false');
    items.replaceChildren(...all.map((l) => {
      const active = scope.kind === 'list' && scope.id === l.id;
      return h('li', { class: 'list-item', testid: 'list-item', 'data-list-id': l.id, 'data-role': l.role, 'data-inbox': String(l.inbox) },
        h('a', { class: 'list-link', href: `#/lists/${l.id}`, testid: 'list-link', 'aria-current': active ? 'page' : undefined },
          colorDot(l),
          h('span', { class: 'list-name', testid: 'list-name' }, listName(l)),
          l.member_count > 1
            ? h('span', { class: 'list-shared', testid: 'list-shared', title: t('lists.shared', { n: l.member_count }) }, t('lists.sharedShort'))
            : null,
          h('span', { class: 'list-count', testid: 'list-open-count', 'data-count': String(l.open_tasks), title: t('lists.open', { n: l.open_tasks }), 'aria-hidden': 'true' },
            String(l.open_tasks)),
          h('span', { class: 'visually-hidden' }, t('lists.open', { n: l.open_tasks })),
        ));
    }));
  }

  const known = lists.current();
  if (known) draw(known);
  else items.append(h('li', { class: 'hint' }, t('lists.loading')));
  const stop = lists.onChange(draw);
  lists.refresh().then(() => {
    error.hidden = true;
  }, (err: unknown) => {
    if (err instanceof ApiError && err.sessionEnded) return;
    error.textContent = describe(err);
    error.hidden = false;
  });
  return { element, stop: () => void stop() };
}
