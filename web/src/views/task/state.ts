// What the parts of the task page (#/tasks/new, #/tasks/<id>) share: the task as the server last
// told us, or the draft of a new one.
import type { ChecklistItem, Task, User } from '../../api';

export interface TaskState {
  readonly user: User;
  readonly isNew: boolean;
  /** The task as the server last told us; null for a new task. */
  base: Task | null;
  /** A new task's checklist, kept here until it is created. */
  draftItems: ChecklistItem[];
  /** A new task's progress (without a checklist), kept here until it is created. */
  draftProgress: number;
  /** Set while this page deletes the task, so that the stream's "deleted" is not news to it. */
  deleting: boolean;
}

export function taskState(user: User, loaded: Task | null): TaskState {
  return { user, isNew: loaded === null, base: loaded, draftItems: [], draftProgress: 0, deleting: false };
}

/** The API path of the task (a saved one: base is set). */
export function taskPath(state: TaskState): string {
  return `/v1/tasks/${state.base!.id}`;
}

/** A random id: a draft checklist item's, or an Idempotency-Key. */
export function randomKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}
