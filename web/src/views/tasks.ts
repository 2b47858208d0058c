// #/tasks: the task list with filters, sorts and "load more" over the cursor; rows count down to
// their expiry, offer "extend" once expired, and follow changes made elsewhere (GET /v1/stream).
// The parts are in views/tasks/: the filters, a row, and what comes from elsewhere (live).
import { api, ApiError, query, type Page, type Task } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import * as session from '../session';
import { busy, describe } from '../ui';
import { filterForm, filters, isFiltered, matches } from './tasks/filters';
import { followList } from './tasks/live';
import { placeRows, type RowContext } from './tasks/row';

const PAGE = 25;

type LoadMode = 'reset' | 'more' | 'refresh';

export function tasksView(root: HTMLElement): () => void {
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
  const ready = session.user().then(
    (u) => {
      tz = u.timezone;
      defaultTtl = u.default_task_ttl_seconds;
    },
    () => undefined,
  );

  const filterBar = filterForm(() => void load('reset'));
  const list = h('ul', { class: 'task-list', testid: 'task-list', 'aria-busy': 'true', 'aria-label': t('tasks.title') });
  const empty = h('p', { class: 'empty', hidden: true });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const more = h('button', { type: 'button', class: 'button-wide', testid: 'load-more', hidden: true }, t('tasks.loadMore'));
  const count = h('p', { class: 'count', role: 'status' });

  root.append(
    h('div', { class: 'page-head' },
      h('h1', { tabindex: '-1' }, t('tasks.title')),
      h('a', { class: 'button button-primary', href: '#/tasks/new', testid: 'new-task' }, h('span', { 'aria-hidden': 'true' }, '+ '), t('tasks.new')),
    ),
    filterBar.element, error, list, empty, h('div', { class: 'list-foot' }, count, more),
  );
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
      status: filters.status, label: filters.label, priority: filters.priority, q: filters.q,
      sort: filters.sort, limit, cursor: mode === 'more' ? next : null,
    };
    try {
      const page = await api.get<Page<Task>>(`/v1/tasks${query(params)}`);
      await ready;
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
      render();
    } catch (err) {
      if (mine !== generation || disposed || (err instanceof ApiError && err.sessionEnded)) return;
      error.textContent = describe(err);
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
    const ctx: RowContext = { tz, defaultTtl, filterByLabel: filterBar.filterByLabel, applyTask };
    placeRows(list, rows, items, ctx);
    empty.hidden = items.length > 0;
    empty.textContent = isFiltered(filters) ? t('tasks.noMatch') : t('tasks.empty');
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
    if (matches(task, filters)) items[i] = task;
    else items.splice(i, 1);
    render();
  }

  function forget(id: string): void {
    deleted.add(id);
    latest.delete(id);
    items = items.filter((x) => x.id !== id);
    render();
  }

  const stopFollowing = followList(list, { applyTask, forget, refresh: () => void load('refresh') });

  void load('reset');
  return () => {
    disposed = true;
    filterBar.cancel();
    stopFollowing();
  };
}
