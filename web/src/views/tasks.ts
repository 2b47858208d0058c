// #/tasks (every task the person can see), #/lists/<id> (one list's) and #/assigned (those assigned
// to me): the task list with filters, sorts and "load more" over the cursor, beside the lists
// (views/lists/sidebar); rows count down to their expiry, offer "extend" once expired, and follow
// changes made elsewhere (GET /v1/stream), naming who made them. A viewer of a list gets no
// buttons that change its tasks.
// The parts are in views/tasks/: the filters, a row, and what comes from elsewhere (live); the
// list's own header and dialogs are in views/lists/.
import { api, ApiError, canEdit, query, type List, type Page, type Task } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import * as lists from '../lists';
import type { Route } from '../router';
import * as session from '../session';
import { busy, describe } from '../ui';
import { listHeader } from './lists/header';
import { listSidebar, type Scope } from './lists/sidebar';
import { filterForm, filters, isFiltered, matches, type TaskScope } from './tasks/filters';
import { followList } from './tasks/live';
import { placeRows, type RowContext } from './tasks/row';

const PAGE = 25;

type LoadMode = 'reset' | 'more' | 'refresh';

function scopeOf(route: Route): Scope {
  if (route.name === 'list') return { kind: 'list', id: route.id };
  if (route.name === 'assigned') return { kind: 'assigned' };
  return { kind: 'all' };
}

export function tasksView(root: HTMLElement, route: Route): () => void {
  const scope = scopeOf(route);
  const listId = scope.kind === 'list' ? scope.id : null;
  const taskScope: TaskScope = { list: listId, assignee: null };
  let meId = '';
  let loaded = false;
  let items: Task[] = [];
  let next: string | null = null;
  // Loads run one at a time, in the order asked (see load()); a reset makes older ones stale.
  let queue: Promise<void> = Promise.resolve();
  let generation = 0;
  let disposed = false;
  let tz = 'UTC';
  let defaultTtl: number | null = null;
  const latest = new Map<string, Task>(); // the newest version seen of each task
  const deleted = new Set<string>();
  const rows = new Map<string, HTMLLIElement>();
  /** Who made the change that brought a task to a version, when it was someone else (from the stream). */
  const actors = new Map<string, { version: number; id: string | null; name: string | null }>();
  const askedMembers = new Set<string>();
  const ready = Promise.all([
    session.user().then((u) => {
      tz = u.timezone;
      defaultTtl = u.default_task_ttl_seconds;
      meId = u.id;
      if (scope.kind === 'assigned') taskScope.assignee = u.id;
    }),
    lists.lists(),
  ]).then(() => undefined, () => undefined);

  const filterBar = filterForm(() => void load('reset'));
  const list = h('ul', { class: 'task-list', testid: 'task-list', 'aria-busy': 'true', 'aria-label': t('tasks.title') });
  const empty = h('p', { class: 'empty', hidden: true });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const more = h('button', { type: 'button', class: 'button-wide', testid: 'load-more', hidden: true }, t('tasks.loadMore'));
  const count = h('p', { class: 'count', role: 'status' });

  const newTask = h('a', {
    class: 'button button-primary', href: listId ? `#/tasks/new?list=${listId}` : '#/tasks/new', testid: 'new-task',
  }, h('span', { 'aria-hidden': 'true' }, '+ '), t('tasks.new'));
  const heading = h('h1', { tabindex: '-1' }, scope.kind === 'assigned' ? t('assigned.title') : t('tasks.title'));
  const head = h('div', { class: 'page-head' }, heading, newTask);
  const header = listId ? listHeader(root, listId, heading, newTask) : null;
  const sidebar = listSidebar(scope, root);
  const content = h('div', { class: 'with-sidebar-main' },
    head, header?.element, filterBar.element, error, list, empty, h('div', { class: 'list-foot' }, count, more));
  root.append(h('div', { class: 'with-sidebar' }, sidebar.element, content));
  more.addEventListener('click', () => void busy(more, () => load('more')));

  /**
   * Loads the first page (reset), the next one (more) or again as much as is shown (refresh, after
   * a live update). One at a time, in the order asked: a refresh that a live update starts while
   * "load more" is loading then runs after it and keeps its page (when the newest load simply won,
   * the refresh threw the next page away and the list stayed short). A reset (other filters)
   * drops the answers of the loads before it.
   */
  function load(mode: LoadMode): Promise<void> {
    if (mode === 'reset') generation += 1;
    const mine = generation;
    const run = queue.then(() => loadNow(mode, mine));
    queue = run;
    return run;
  }

  async function loadNow(mode: LoadMode, mine: number): Promise<void> {
    if (mine !== generation || disposed || (mode === 'more' && next === null)) return;
    const limit = mode === 'refresh' ? Math.min(200, Math.max(PAGE, items.length)) : PAGE;
    const params = {
      list: listId, assignee: scope.kind === 'assigned' ? 'me' : null,
      status: filters.status, label: filters.label, priority: filters.priority, q: filters.q,
      sort: filters.sort, limit, cursor: mode === 'more' ? next : null,
    };
    try {
      const [page] = await Promise.all([api.get<Page<Task>>(`/v1/tasks${query(params)}`), ready]);
      if (mine !== generation || disposed) return;
      error.hidden = true;
      const fresh = page.items.filter((x) => !deleted.has(x.id)).map(newest);
      if (mode === 'more') {
        const have = new Set(items.map((x) => x.id));
        items = [...items, ...fresh.filter((x) => !have.has(x.id))];
      } else {
        items = fresh;
      }
      next = page.next_cursor;
      loaded = true;
      render();
    } catch (err) {
      if (mine !== generation || disposed || (err instanceof ApiError && err.sessionEnded)) return;
      error.textContent = listId && err instanceof ApiError && err.status === 404 ? t('list.notFound') : describe(err);
      error.hidden = false;
      list.setAttribute('aria-busy', 'false');
    }
  }

  /** The newer of `task` and the latest version seen of it. */
  function newest(task: Task): Task {
    const known = latest.get(task.id);
    if (known && known.version > task.version) return known;
    latest.set(task.id, task);
    return task;
  }

  /** Shows `items`: their rows, and the empty note, the count, "load more" and the labels offered. */
  function render(): void {
    list.setAttribute('aria-busy', 'false');
    const ctx: RowContext = {
      tz, defaultTtl, filterByLabel: filterBar.filterByLabel, applyTask,
      // While the lists are unknown (not loaded), the buttons are offered and the API decides.
      canEdit: (task) => {
        const l = lists.byId(task.list_id);
        return l ? canEdit(l.role) : lists.current() === null;
      },
      listOf: (task) => (listId ? undefined : lists.byId(task.list_id)),
      assigneeName,
      actorOf: (task) => {
        const a = actors.get(task.id);
        return a && a.version === task.version ? a : null;
      },
    };
    placeRows(list, rows, items, ctx);
    askForNames();
    empty.hidden = items.length > 0;
    empty.textContent = isFiltered(filters) ? t('tasks.noMatch')
      : scope.kind === 'assigned' ? t('assigned.empty')
      : listId && !canEdit(lists.byId(listId)?.role) ? t('list.empty') : t('tasks.empty');
    more.hidden = next === null;
    count.textContent = items.length ? t('tasks.count', { n: items.length }) : '';
    filterBar.offerLabels(new Set(items.flatMap((x) => x.labels)));
  }

  /** A task as it is now (from an answer or the stream): its row follows, or leaves the list. */
  function applyTask(task: Task): void {
    const known = latest.get(task.id);
    if (known && known.version > task.version) return;
    latest.set(task.id, task);
    const i = items.findIndex((x) => x.id === task.id);
    if (i < 0) return; // not shown here; a refresh decides whether it belongs
    if (matches(task, filters, taskScope)) items[i] = task;
    else items.splice(i, 1);
    render();
  }

  function forget(id: string): void {
    deleted.add(id);
    latest.delete(id);
    items = items.filter((x) => x.id !== id);
    render();
  }

  /** "Me", or the name of the member a task is assigned to (once their list's members are known). */
  function assigneeName(task: Task): string | null {
    if (!task.assignee_id) return null;
    if (task.assignee_id === meId) return t('task.assignedToMe');
    const name = lists.nameOf(task.assignee_id);
    return name ? t('task.assignedTo', { name }) : null;
  }

  /** Asks for the members of the lists whose assignees are shown without a name yet. */
  function askForNames(): void {
    for (const task of items) {
      const l = task.assignee_id && task.assignee_id !== meId && !lists.nameOf(task.assignee_id) ? task.list_id : null;
      if (!l || askedMembers.has(l)) continue;
      askedMembers.add(l);
      lists.members(l).then(redrawRows, () => undefined);
    }
  }

  /** Draws every row again (roles, list names or member names changed). */
  function redrawRows(): void {
    if (disposed || !loaded) return;
    for (const row of rows.values()) delete row.dataset.version;
    render();
  }

  function noteActor(e: { item: { task_id: string; actor_id?: string | null; actor_name?: string | null }; task: Task | null }): void {
    if (!e.task) return;
    const actor = e.item.actor_id;
    if (actor === undefined || actor === null || actor === meId) actors.delete(e.task.id);
    else actors.set(e.task.id, { version: e.task.version, id: actor, name: e.item.actor_name ?? null });
  }

  const stopLists = lists.onChange((all: List[]) => {
    if (listId && !all.some((l) => l.id === listId)) {
      items = [];
      next = null;
    }
    redrawRows();
  });
  const stopFollowing = followList(list, { event: noteActor, applyTask, forget, refresh: () => void load('refresh') });

  void load('reset');
  return () => {
    disposed = true;
    filterBar.cancel();
    stopFollowing();
    stopLists();
    sidebar.stop();
    header?.stop();
  };
}
