// A row of the task list: title, description, status, priority, labels, due date, countdown or
// when it expired, progress, and the button that completes, reopens or extends the task.
import { api, ApiError, type Task } from '../../api';
import { h, keepFocus } from '../../dom';
import { t } from '../../i18n';
import { formatDateTime, formatDuration, formatRelative } from '../../time';
import { busy, describe, flash, statusBadge } from '../../ui';
import { countdownText, extendPatch, willExpire } from '../countdown';

export interface RowContext {
  tz: string;
  defaultTtl: number | null;
  /** A label chip was chosen. */
  filterByLabel(label: string): void;
  /** A button changed the task: the list shows the answer. */
  applyTask(task: Task): void;
}

/** Puts a row for each task into `list`, in order: `rows` keeps each task's row, redrawn when its version changes. */
export function placeRows(list: HTMLElement, rows: Map<string, HTMLLIElement>, items: Task[], ctx: RowContext): void {
  let before: Element | null = list.firstElementChild;
  const keep = new Set<string>();
  for (const task of items) {
    keep.add(task.id);
    let row = rows.get(task.id);
    if (!row) {
      row = h('li', { class: 'task-row', testid: 'task-row', 'data-task-id': task.id });
      rows.set(task.id, row);
    }
    if (row.dataset.version !== String(task.version)) fillRow(row, task, ctx);
    if (row !== before) list.insertBefore(row, before);
    else before = before.nextElementSibling;
  }
  for (const [id, row] of rows) {
    if (!keep.has(id)) {
      row.remove();
      rows.delete(id);
    }
  }
}

/** Draws the task into its row (a row keeps its element, and its focus, across versions). */
function fillRow(row: HTMLLIElement, task: Task, ctx: RowContext): void {
  row.dataset.version = String(task.version);
  row.dataset.status = task.status;
  keepFocus(row, () => row.replaceChildren(...rowContent(task, ctx)), '.task-actions button, a[href]');
}

function rowContent(task: Task, ctx: RowContext): Node[] {
  const now = Date.now();
  const done = task.checklist.filter((c) => c.done).length;
  return [
    h('div', { class: 'task-main' },
      h('a', { class: 'task-title', testid: 'task-title', href: `#/tasks/${task.id}` }, task.title),
      task.description ? h('p', { class: 'task-desc' }, task.description) : null,
      h('div', { class: 'task-meta' }, ...taskMeta(task, now, ctx)),
    ) as Node,
    h('div', { class: 'task-progress', testid: 'task-progress', 'data-progress': String(task.progress) },
      h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { style: `width:${task.progress}%` })),
      h('span', { class: 'pct' }, t('task.progressOf', { p: task.progress })),
      task.checklist.length ? h('span', { class: 'checks' }, `☑ ${done}/${task.checklist.length}`) : null,
    ),
    h('div', { class: 'task-actions', role: 'group', 'aria-label': t('task.actionsFor', { title: task.title }) }, rowAction(task, ctx)),
  ];
}

/** Status, priority, labels (each a filter), due date, and the countdown or when it expired. */
function taskMeta(task: Task, now: number, ctx: RowContext): Node[] {
  const meta: Node[] = [statusBadge(task.status)];
  if (task.priority !== 'none') meta.push(h('span', { class: `chip priority-${task.priority}` }, t(`priority.${task.priority}`)));
  for (const l of task.labels) {
    meta.push(h('button', {
      type: 'button', class: 'chip chip-label', title: t('task.filterByLabel', { label: l }),
      on: { click: () => ctx.filterByLabel(l) },
    }, `#${l}`));
  }
  if (task.due_at) {
    const overdue = Date.parse(task.due_at) < now && task.status !== 'done';
    meta.push(h('span', { class: `due${overdue ? ' overdue' : ''}` },
      t('task.due', { date: formatDateTime(task.due_at, ctx.tz) }), overdue ? ` (${t('task.overdue')})` : ''));
  }
  if (willExpire(task)) {
    meta.push(h('span', { class: 'countdown', testid: 'task-countdown', 'data-expires': task.expires_at!, title: formatDateTime(task.expires_at!, ctx.tz) },
      countdownText(task.expires_at!, now)));
  } else if (task.status === 'expired' && task.expired_at) {
    meta.push(h('span', { class: 'expired-at rel', 'data-at': task.expired_at },
      t('task.expiredWhen', { when: formatRelative(task.expired_at, now) })));
  }
  return meta;
}

/** Extend (expired), reopen (done) or complete (otherwise); a failure is flashed. */
function rowAction(task: Task, ctx: RowContext): HTMLButtonElement {
  const act = (testid: string, text: string, run: () => Promise<Task>, extra: Record<string, string> = {}) => {
    const b = h('button', { type: 'button', testid, ...extra }, text);
    b.addEventListener('click', () => void busy(b, async () => {
      try {
        ctx.applyTask(await run());
      } catch (err) {
        if (!(err instanceof ApiError && err.sessionEnded)) flash(describe(err), 'error');
      }
    }));
    return b;
  };
  const path = `/v1/tasks/${task.id}`;
  if (task.status === 'expired') {
    const patch = extendPatch(ctx.defaultTtl);
    return act('task-extend', t('task.extend'), () => api.patch<Task>(path, patch),
      { class: 'button-primary', title: t('task.extendBy', { d: formatDuration(patch.ttl_seconds) }) });
  }
  if (task.status === 'done') return act('task-reopen', t('task.reopen'), () => api.post<Task>(`${path}/reopen`));
  return act('task-complete', t('task.complete'), () => api.post<Task>(`${path}/complete`));
}
