// The task list follows what happens elsewhere: the stream's changes and deletions, a refresh
// after them and after a reconnect, and the countdowns, ticking every second.
import { api, ApiError, type Task } from '../../api';
import { debounce } from '../../dom';
import { t } from '../../i18n';
import * as sse from '../../sse';
import { everySecond, formatRelative } from '../../time';
import { countdownText } from '../countdown';

/** How late the stream may be telling that a task expired before the API is asked. */
const EXPIRY_GRACE_MS = 3000;
/** "Expired 5 minutes ago" is written again every this many ticks (seconds). */
const RELATIVE_TICKS = 15;

export interface ListChanges {
  /** A task as it is now. */
  applyTask(task: Task): void;
  /** A task deleted. */
  forget(id: string): void;
  /** Loads again as much as is shown. */
  refresh(): void;
}

/** Follows the stream and ticks the countdowns of `list`. Returns the stop. */
export function followList(list: HTMLElement, changes: ListChanges): () => void {
  const refresh = debounce(() => changes.refresh(), 250);
  const stopEvents = sse.onTaskEvent((e) => {
    if (e.type === 'deleted' || !e.task) changes.forget(e.item.task_id);
    else changes.applyTask(e.task);
    refresh(); // new tasks, and the order under the current sort, come from the API
  });
  let first = true;
  const stopState = sse.onState((s) => {
    if (s === 'open' && !first) refresh(); // what happened while disconnected
    first = false;
  });
  const stopTick = tickCountdowns(list, changes);
  return () => {
    refresh.cancel();
    stopEvents();
    stopState();
    stopTick();
  };
}

function tickCountdowns(list: HTMLElement, changes: ListChanges): () => void {
  const checkedExpiry = new Set<string>();
  let ticks = 0;
  return everySecond((now) => {
    ticks += 1;
    for (const el of list.querySelectorAll<HTMLElement>('[data-testid="task-countdown"]')) {
      const at = el.dataset.expires!;
      el.textContent = countdownText(at, now);
      const id = el.closest<HTMLElement>('[data-task-id]')?.dataset.taskId;
      // The stream says when a task expired; should that be late, ask the API.
      if (id && now - Date.parse(at) > EXPIRY_GRACE_MS && !checkedExpiry.has(`${id}@${at}`)) {
        checkedExpiry.add(`${id}@${at}`);
        api.get<Task>(`/v1/tasks/${id}`).then(changes.applyTask, (err) => {
          if (err instanceof ApiError && err.status === 404) changes.forget(id);
        });
      }
    }
    if (ticks % RELATIVE_TICKS === 0) {
      for (const el of list.querySelectorAll<HTMLElement>('.rel[data-at]')) {
        el.textContent = t('task.expiredWhen', { when: formatRelative(el.dataset.at!, now) });
      }
    }
  });
}
