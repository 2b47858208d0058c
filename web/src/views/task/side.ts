// The side of the task page: the task's state (status, countdown, when it expired or was done),
// its progress, its checklist, and the buttons that complete, reopen or extend it. Drawn from the
// task, or from the draft of a new one.
import { api, type Task } from '../../api';
import { h, type Attrs } from '../../dom';
import { t } from '../../i18n';
import { formatDateTime, formatDuration, formatRelative } from '../../time';
import { busy, statusBadge } from '../../ui';
import { checklist, type ChecklistActions } from '../checklist';
import { countdownText, extendPatch, willExpire } from '../countdown';
import { progressSlider } from './progress-slider';
import { randomKey, taskPath, type TaskState } from './state';

/** Applies the task an API call answers with; reports a failure (and throws it on). */
export type Remote = (call: Promise<Task>) => Promise<void>;

export interface TaskSide {
  element: HTMLElement;
  /** Holds the countdown (data-testid task-countdown) while the task can expire. */
  stateBox: HTMLElement;
  /** Says when the task was changed elsewhere. */
  note: HTMLElement;
  draw(): void;
  /** Drops a progress save not yet started (the page closes). */
  cancel(): void;
}

export function taskSide(state: TaskState, remote: Remote): TaskSide {
  const stateBox = h('div', { class: 'task-state' });
  const progress = progressSlider({
    saved: !state.isNew,
    save: (value) => remote(api.patch<Task>(taskPath(state), { progress: value })),
    keepDraft: (value) => {
      state.draftProgress = value;
      draw();
    },
    redraw: () => draw(),
  });
  const list = checklist(checklistActions(state, remote, () => draw()));
  const sideButtons = h('div', { class: 'actions' });
  const note = h('p', { class: 'hint', role: 'status' });
  const element = h('section', { class: 'card task-side', 'aria-label': t('progress.slider') },
    stateBox,
    ...progress.elements,
    h('h2', null, t('checklist.title')),
    list.element,
    h('div', { class: 'form-error', role: 'alert', hidden: true }),
    h('p', { class: 'field-error', 'data-error-for': 'text', hidden: true }),
    sideButtons, note,
  );

  function draw(): void {
    const task = state.base;
    const items = task ? task.checklist : state.draftItems;
    const expired = task?.status === 'expired';
    const value = task ? task.progress : items.length
      ? Math.round((100 * items.filter((c) => c.done).length) / items.length) : state.draftProgress;
    progress.show(value, items.length > 0, expired);
    list.update(items, expired);
    const { parts, buttons } = task ? stateOf(task, state, remote) : { parts: [], buttons: [] };
    stateBox.replaceChildren(...parts);
    sideButtons.replaceChildren(...buttons);
  }

  return { element, stateBox, note, draw, cancel: progress.cancel };
}

/** What the checklist's buttons do: the API for a saved task, the draft for a new one. */
function checklistActions(state: TaskState, remote: Remote, redraw: () => void): ChecklistActions {
  const local = async (change: () => void): Promise<void> => {
    change();
    redraw();
  };
  const items = () => `${taskPath(state)}/checklist`;
  return {
    add: (text) => state.isNew
      ? local(() => state.draftItems.push({ id: randomKey(), text, done: false }))
      : remote(api.post<Task>(items(), { text })),
    toggle: (c, done) => state.isNew ? local(() => { c.done = done; }) : remote(api.patch<Task>(`${items()}/${c.id}`, { done })),
    rename: (c, text) => state.isNew ? local(() => { c.text = text; }) : remote(api.patch<Task>(`${items()}/${c.id}`, { text })),
    remove: (c) => state.isNew
      ? local(() => { state.draftItems = state.draftItems.filter((x) => x !== c); })
      : remote(api.del<Task>(`${items()}/${c.id}`)),
  };
}

/** A saved task's state (status and what its status means now) and the buttons that change it. */
function stateOf(task: Task, state: TaskState, remote: Remote): { parts: HTMLElement[]; buttons: HTMLButtonElement[] } {
  const tz = state.user.timezone;
  const path = taskPath(state);
  const parts = [statusBadge(task.status)];
  const buttons: HTMLButtonElement[] = [];
  if (willExpire(task)) {
    parts.push(h('span', { class: 'countdown', testid: 'task-countdown', 'data-expires': task.expires_at!, title: formatDateTime(task.expires_at!, tz) },
      countdownText(task.expires_at!, Date.now())));
  } else if (task.status === 'expired') {
    const patch = extendPatch(state.user.default_task_ttl_seconds);
    buttons.push(actionButton('task-extend', t('task.extend'), () => api.patch<Task>(path, patch), remote,
      { class: 'button-primary', title: t('task.extendBy', { d: formatDuration(patch.ttl_seconds) }) }));
    parts.push(h('p', { class: 'expired-note' }, t('form.expiredNote', { when: formatRelative(task.expired_at ?? task.expires_at ?? task.updated_at) })));
  } else if (task.status === 'done' && task.completed_at) {
    parts.push(h('span', { class: 'hint' }, t('form.doneNote', { when: formatDateTime(task.completed_at, tz) })));
  }
  if (task.status === 'todo' || task.status === 'in_progress') {
    buttons.push(actionButton('task-complete', t('task.complete'), () => api.post<Task>(`${path}/complete`), remote));
  } else if (task.status === 'done') {
    buttons.push(actionButton('task-reopen', t('task.reopen'), () => api.post<Task>(`${path}/reopen`), remote));
  }
  return { parts, buttons };
}

function actionButton(testid: string, text: string, run: () => Promise<Task>, remote: Remote, attrs: Attrs = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', testid, ...attrs }, text);
  b.addEventListener('click', () => void busy(b, () => remote(run()).catch(() => undefined)));
  return b;
}
