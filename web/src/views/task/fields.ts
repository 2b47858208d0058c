// The task form's fields (title, description, priority, labels, due date, expiry) and what they
// last showed from the server, to tell an edit made here from a change made elsewhere.
import { PRIORITIES, type Task, type User } from '../../api';
import { h } from '../../dom';
import { t } from '../../i18n';
import { fromLocalInput, toLocalInput } from '../../time';
import { field, select } from '../../ui';
import { expiryFields, expiryValueOf, type ExpiryFields } from './expiry';

/** The fields' values as the controls hold them (expiry: see ExpiryFields.value). */
export interface FieldValues {
  title: string;
  description: string;
  priority: string;
  labels: string;
  due: string;
  expiry: string;
  onExpire: string;
}

export interface TaskFields {
  title: HTMLInputElement;
  expiry: ExpiryFields;
  /** The fields, in the form's order. */
  elements: HTMLElement[];
  /** What the controls hold now. */
  current(): FieldValues;
  /** What they last showed from the server (or a new task's defaults). */
  shown(): FieldValues;
  /** Shows a task (null: a new one); with onlyUnedited, a field edited here keeps what was typed. */
  show(task: Task | null, onlyUnedited: boolean): void;
  /** The due date as the API takes it: null for none, undefined when it is no valid time. */
  dueAt(): string | null | undefined;
}

function valuesOf(task: Task | null, user: User): FieldValues {
  return {
    title: task?.title ?? '', description: task?.description ?? '', priority: task?.priority ?? 'none',
    labels: task?.labels.join(', ') ?? '', due: toLocalInput(task?.due_at ?? null, user.timezone),
    expiry: expiryValueOf(task, user), onExpire: task?.on_expire ?? 'keep',
  };
}

export function taskFields(user: User): TaskFields {
  const tz = user.timezone;
  const title = h('input', { type: 'text', testid: 'task-title-input', required: true, maxlength: '200', autocomplete: 'off' });
  const description = h('textarea', { testid: 'task-description-input', rows: '4', maxlength: '10000' });
  const priority = select('task-priority-input', PRIORITIES.map((p): [string, string] => [p, t(`priority.${p}`)]), 'none');
  const labels = h('input', { type: 'text', testid: 'task-labels-input', autocomplete: 'off' });
  const due = h('input', { type: 'datetime-local', testid: 'task-due-input' });
  const expiry = expiryFields(user);
  let shown = valuesOf(null, user);

  const current = (): FieldValues => ({
    title: title.value, description: description.value, priority: priority.value, labels: labels.value, due: due.value,
    expiry: expiry.value(), onExpire: expiry.onExpire.value,
  });

  return {
    title,
    expiry,
    elements: [
      field(t('form.title'), title, { name: 'title' }),
      field(t('form.description'), description, { name: 'description' }),
      h('div', { class: 'row' },
        field(t('form.priority'), priority, { name: 'priority' }),
        field(t('form.due'), due, { name: 'due_at', hint: t('form.tzHint', { tz }) }),
      ),
      field(t('form.labels'), labels, { name: 'labels', hint: t('form.labelsHint') }),
      expiry.element,
    ],
    current,
    shown: () => shown,
    show(task, onlyUnedited) {
      const values = valuesOf(task, user);
      const now = current();
      const take = (k: keyof FieldValues) => !onlyUnedited || now[k] === shown[k];
      if (take('title')) title.value = values.title;
      if (take('description')) description.value = values.description;
      if (take('priority')) priority.value = values.priority;
      if (take('labels')) labels.value = values.labels;
      if (take('due')) due.value = values.due;
      if (take('onExpire')) expiry.onExpire.value = values.onExpire;
      if (take('expiry')) expiry.setValue(values.expiry);
      shown = values;
      expiry.showFields();
    },
    dueAt() {
      if (!due.value) return null;
      const at = fromLocalInput(due.value, tz);
      return at === null ? undefined : new Date(at).toISOString();
    },
  };
}
