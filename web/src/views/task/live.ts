// An open task follows what happens elsewhere: changes from the stream (a field being edited here
// keeps what was typed), its deletion, and its expiry, counted down every second.
import { api, type Task } from '../../api';
import { t } from '../../i18n';
import { navigate } from '../../router';
import * as sse from '../../sse';
import { everySecond } from '../../time';
import { flash } from '../../ui';
import { countdownText } from '../countdown';
import { taskPath, type TaskState } from './state';

const NOTE_MS = 5000;
/** How late the stream may be telling that the task expired before the API is asked. */
const EXPIRY_GRACE_MS = 3000;

/** Applies the stream's events for this task; `note` says when it changed elsewhere. Returns the stop. */
export function followChanges(state: TaskState, note: HTMLElement, accept: (task: Task) => void): () => void {
  let noteTimer: ReturnType<typeof setTimeout> | undefined;
  const stopEvents = sse.onTaskEvent((e) => {
    const base = state.base;
    if (!base || e.item.task_id !== base.id || state.deleting) return;
    if (e.type === 'deleted' || !e.task) {
      navigate('#/tasks');
      flash(t('form.deletedElsewhere'), 'info', '#/tasks');
      return;
    }
    if (e.task.version <= base.version) return; // our own change, already shown
    accept(e.task);
    note.textContent = t('form.changedElsewhere');
    clearTimeout(noteTimer);
    noteTimer = setTimeout(() => { note.textContent = ''; }, NOTE_MS);
  });
  return () => {
    clearTimeout(noteTimer);
    stopEvents();
  };
}

/** Ticks the countdown in `stateBox` every second. Returns the stop. */
export function tickCountdown(state: TaskState, stateBox: HTMLElement, accept: (task: Task) => void): () => void {
  let checked = '';
  return everySecond((now) => {
    const el = stateBox.querySelector<HTMLElement>('[data-testid="task-countdown"]');
    if (!el || !state.base) return;
    const at = el.dataset.expires!;
    el.textContent = countdownText(at, now);
    if (now - Date.parse(at) > EXPIRY_GRACE_MS && checked !== at) {
      checked = at; // the stream is late telling us it expired: ask
      api.get<Task>(taskPath(state)).then(accept, () => undefined);
    }
  });
}
