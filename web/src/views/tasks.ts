// #/tasks: the task list with filters, sorts and "load more" over the cursor; rows count down to
// their expiry, offer "extend" once expired, and follow changes made elsewhere (GET /v1/stream).
import { api, ApiError, PRIORITIES, query, SORTS, STATUSES, type Page, type Task } from '../api';
import { debounce, h, keepFocus } from '../dom';
import { t } from '../i18n';
import * as session from '../session';
import * as sse from '../sse';
import { everySecond, formatCountdown, formatDateTime, formatDuration, formatRelative } from '../time';
import { busy, describe, field, flash, select, statusBadge } from '../ui';

const PAGE = 25;
const ONE_DAY = 86400;

interface Filters {
  status: string;
  label: string;
  priority: string;
  q: string;
  sort: string;
}

// Kept while the app runs, so that coming back from a task finds the list as it was left.
const filters: Filters = { status: '', label: '', priority: '', q: '', sort: '-created_at' };

function matches(task: Task, f: Filters): boolean {
  if (f.status && !f.status.split(',').includes(task.status)) return false;
  if (f.label && !task.labels.includes(f.label)) return false;
  if (f.priority && task.priority !== f.priority) return false;
  if (f.q && !`${task.title}\n${task.description}`.toLowerCase().includes(f.q.toLowerCase())) return false;
  return true;
}

/** Whether a task shows a countdown: it has an expiry and can still expire. */
export function willExpire(task: Task): boolean {
  return task.expires_at !== null && (task.status === 'todo' || task.status === 'in_progress');
}

/** The PATCH that extends an expired task: the person's default expiry, else one day. */
export function extendPatch(defaultTtl: number | null): { ttl_seconds: number } {
  return { ttl_seconds: defaultTtl && defaultTtl > 0 ? defaultTtl : ONE_DAY };
}

export function countdownText(expiresAt: string, now: number): string {
  const left = Date.parse(expiresAt) - now;
  return left > 0 ? t('task.expiresIn', { t: formatCountdown(left) }) : t('task.expiring');
}

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
  const checkedExpiry = new Set<string>();
  const ready = session.user().then(
    (u) => {
      tz = u.timezone;
      defaultTtl = u.default_task_ttl_seconds;
    },
    () => undefined,
  );

  // Filters and sort
  const status = select('filter-status', [
    ['', t('tasks.allStatuses')],
    ...STATUSES.map((s): [string, string] => [s, t(`status.${s}`)]),
    ['todo,in_progress', t('tasks.open')],
  ], filters.status);
  const label = h('input', { type: 'text', testid: 'filter-label', list: 'known-labels', autocomplete: 'off', props: { value: filters.label } });
  const labelList = h('datalist', { id: 'known-labels' });
  const priority = select('filter-priority', [
    ['', t('tasks.anyPriority')],
    ...PRIORITIES.map((p): [string, string] => [p, t(`priority.${p}`)]),
  ], filters.priority);
  const q = h('input', { type: 'search', testid: 'filter-q', placeholder: t('tasks.searchPlaceholder'), props: { value: filters.q } });
  const sort = select('sort', SORTS.map((s): [string, string] => [s, t(`sort.${s}`)]), filters.sort);
  const clear = h('button', { type: 'button', class: 'button-quiet' }, t('tasks.clear'));
  const filterForm = h('form', { class: 'filters card', role: 'search', 'aria-label': t('tasks.filters') },
    field(t('tasks.search'), q, { class: 'grow' }),
    field(t('tasks.status'), status),
    field(t('tasks.priority'), priority),
    field(t('tasks.label'), label),
    labelList,
    field(t('tasks.sort'), sort),
    h('div', { class: 'field field-button' }, clear),
  );

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
    filterForm, error, list, empty, h('div', { class: 'list-foot' }, count, more),
  );

  const apply = () => {
    applyQuery.cancel();
    filters.status = status.value;
    filters.label = label.value.trim();
    filters.priority = priority.value;
    filters.q = q.value.trim();
    filters.sort = sort.value;
    void load('reset');
  };
  const applyQuery = debounce(apply, 300);
  filterForm.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
  for (const s of [status, priority, sort]) s.addEventListener('change', apply);
  for (const input of [q, label]) input.addEventListener('input', applyQuery);
  label.addEventListener('change', apply);
  clear.addEventListener('click', () => {
    status.value = priority.value = label.value = q.value = '';
    sort.value = '-created_at';
    apply();
  });
  more.addEventListener('click', () => void busy(more, () => load('more')));

  /**
   * Loads the first page (reset), the next one (more) or again as much as is shown (refresh, after
   * a live update). One at a time, in the order asked: a refresh that a live update starts while
   * "load more" is loading then runs after it and keeps its page (when the newest load simply won,
   * the refresh threw the next page away and the list stayed short). A reset (other filters)
   * drops the answers of the loads before it.
   */
  function load(mode: 'reset' | 'more' | 'refresh'): Promise<void> {
    if (mode === 'reset') generation += 1;
    const mine = generation;
    const run = queue.then(() => loadNow(mode, mine));
    queue = run;
    return run;
  }

  async function loadNow(mode: 'reset' | 'more' | 'refresh', mine: number): Promise<void> {
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

  function render(): void {
    list.setAttribute('aria-busy', 'false');
    let before: Element | null = list.firstElementChild;
    const keep = new Set<string>();
    for (const task of items) {
      keep.add(task.id);
      let row = rows.get(task.id);
      if (!row) {
        row = h('li', { class: 'task-row', testid: 'task-row', 'data-task-id': task.id });
        rows.set(task.id, row);
      }
      if (row.dataset.version !== String(task.version)) fillRow(row, task);
      if (row !== before) list.insertBefore(row, before);
      else before = before.nextElementSibling;
    }
    for (const [id, row] of rows) {
      if (!keep.has(id)) {
        row.remove();
        rows.delete(id);
      }
    }
    const filtered = Boolean(filters.status || filters.label || filters.priority || filters.q);
    empty.hidden = items.length > 0;
    empty.textContent = filtered ? t('tasks.noMatch') : t('tasks.empty');
    more.hidden = next === null;
    count.textContent = items.length ? t('tasks.count', { n: items.length }) : '';
    const labels = new Set(items.flatMap((x) => x.labels));
    labelList.replaceChildren(...[...labels].sort().map((l) => h('option', { value: l })));
  }

  function fillRow(row: HTMLLIElement, task: Task): void {
    row.dataset.version = String(task.version);
    row.dataset.status = task.status;
    keepFocus(row, () => row.replaceChildren(...rowContent(task)), '.task-actions button, a[href]');
  }

  function rowContent(task: Task): Node[] {
    const now = Date.now();
    const meta: Node[] = [statusBadge(task.status)];
    if (task.priority !== 'none') meta.push(h('span', { class: `chip priority-${task.priority}` }, t(`priority.${task.priority}`)));
    for (const l of task.labels) {
      meta.push(h('button', {
        type: 'button', class: 'chip chip-label', title: t('task.filterByLabel', { label: l }),
        on: { click: () => { label.value = l; apply(); } },
      }, `#${l}`));
    }
    if (task.due_at) {
      const overdue = Date.parse(task.due_at) < now && task.status !== 'done';
      meta.push(h('span', { class: `due${overdue ? ' overdue' : ''}` },
        t('task.due', { date: formatDateTime(task.due_at, tz) }), overdue ? ` (${t('task.overdue')})` : ''));
    }
    if (willExpire(task)) {
      meta.push(h('span', { class: 'countdown', testid: 'task-countdown', 'data-expires': task.expires_at!, title: formatDateTime(task.expires_at!, tz) },
        countdownText(task.expires_at!, now)));
    } else if (task.status === 'expired' && task.expired_at) {
      meta.push(h('span', { class: 'expired-at rel', 'data-at': task.expired_at },
        t('task.expiredWhen', { when: formatRelative(task.expired_at, now) })));
    }

    const actions: HTMLElement[] = [];
    const act = (testid: string, text: string, run: () => Promise<Task>, extra: Record<string, string> = {}) => {
      const b = h('button', { type: 'button', testid, ...extra }, text);
      b.addEventListener('click', () => void busy(b, async () => {
        try {
          applyTask(await run());
        } catch (err) {
          if (!(err instanceof ApiError && err.sessionEnded)) flash(describe(err), 'error');
        }
      }));
      actions.push(b);
    };
    const path = `/v1/tasks/${task.id}`;
    if (task.status === 'expired') {
      const patch = extendPatch(defaultTtl);
      act('task-extend', t('task.extend'), () => api.patch<Task>(path, patch),
        { class: 'button-primary', title: t('task.extendBy', { d: formatDuration(patch.ttl_seconds) }) });
    } else if (task.status === 'done') {
      act('task-reopen', t('task.reopen'), () => api.post<Task>(`${path}/reopen`));
    } else {
      act('task-complete', t('task.complete'), () => api.post<Task>(`${path}/complete`));
    }

    const done = task.checklist.filter((c) => c.done).length;
    return [
      h('div', { class: 'task-main' },
        h('a', { class: 'task-title', testid: 'task-title', href: `#/tasks/${task.id}` }, task.title),
        task.description ? h('p', { class: 'task-desc' }, task.description) : null,
        h('div', { class: 'task-meta' }, ...meta),
      ) as Node,
      h('div', { class: 'task-progress', testid: 'task-progress', 'data-progress': String(task.progress) },
        h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { style: `width:${task.progress}%` })),
        h('span', { class: 'pct' }, t('task.progressOf', { p: task.progress })),
        task.checklist.length ? h('span', { class: 'checks' }, `☑ ${done}/${task.checklist.length}`) : null,
      ),
      h('div', { class: 'task-actions', role: 'group', 'aria-label': t('task.actionsFor', { title: task.title }) }, ...actions),
    ];
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

  const refresh = debounce(() => void load('refresh'), 250);
  const stopEvents = sse.onTaskEvent((e) => {
    if (e.type === 'deleted' || !e.task) forget(e.item.task_id);
    else applyTask(e.task);
    refresh(); // new tasks, and the order under the current sort, come from the API
  });
  let first = true;
  const stopState = sse.onState((s) => {
    if (s === 'open' && !first) refresh(); // what happened while disconnected
    first = false;
  });

  let ticks = 0;
  const stopTick = everySecond((now) => {
    ticks += 1;
    for (const el of list.querySelectorAll<HTMLElement>('[data-testid="task-countdown"]')) {
      const at = el.dataset.expires!;
      el.textContent = countdownText(at, now);
      const id = el.closest<HTMLElement>('[data-task-id]')?.dataset.taskId;
      // The stream says when a task expired; should that be late, ask the API.
      if (id && now - Date.parse(at) > 3000 && !checkedExpiry.has(`${id}@${at}`)) {
        checkedExpiry.add(`${id}@${at}`);
        api.get<Task>(`/v1/tasks/${id}`).then(applyTask, (err) => {
          if (err instanceof ApiError && err.status === 404) forget(id);
        });
      }
    }
    if (ticks % 15 === 0) {
      for (const el of list.querySelectorAll<HTMLElement>('.rel[data-at]')) {
        el.textContent = t('task.expiredWhen', { when: formatRelative(el.dataset.at!, now) });
      }
    }
  });

  void load('reset');
  return () => {
    disposed = true;
    applyQuery.cancel();
    refresh.cancel();
    stopEvents();
    stopState();
    stopTick();
  };
}
