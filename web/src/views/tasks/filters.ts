// The task list's filters (status, priority, label, words) and sort. What is chosen is kept while
// the app runs, so that coming back from a task finds the list as it was left.
import { PRIORITIES, SORTS, STATUSES, type Task } from '../../api';
import { debounce, h } from '../../dom';
import { t } from '../../i18n';
import { field, select } from '../../ui';

export interface Filters {
  status: string;
  label: string;
  priority: string;
  q: string;
  sort: string;
}

export const filters: Filters = { status: '', label: '', priority: '', q: '', sort: '-created_at' };

/** Whether a task belongs in the list under these filters (as the API would decide). */
export function matches(task: Task, f: Filters): boolean {
  if (f.status && !f.status.split(',').includes(task.status)) return false;
  if (f.label && !task.labels.includes(f.label)) return false;
  if (f.priority && task.priority !== f.priority) return false;
  if (f.q && !`${task.title}\n${task.description}`.toLowerCase().includes(f.q.toLowerCase())) return false;
  return true;
}

/** Whether anything narrows the list (the sort does not). */
export function isFiltered(f: Filters): boolean {
  return Boolean(f.status || f.label || f.priority || f.q);
}

export interface FilterForm {
  element: HTMLFormElement;
  /** Shows only the tasks with this label (a row's label chip). */
  filterByLabel(label: string): void;
  /** The labels offered to the label filter. */
  offerLabels(labels: Iterable<string>): void;
  /** Drops a change not yet applied (the page closes). */
  cancel(): void;
}

/** The form; `apply` is called once `filters` holds a new choice. */
export function filterForm(apply: () => void): FilterForm {
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
  const element = h('form', { class: 'filters card', role: 'search', 'aria-label': t('tasks.filters') },
    field(t('tasks.search'), q, { class: 'grow' }),
    field(t('tasks.status'), status),
    field(t('tasks.priority'), priority),
    field(t('tasks.label'), label),
    labelList,
    field(t('tasks.sort'), sort),
    h('div', { class: 'field field-button' }, clear),
  );

  const applyNow = () => {
    applyTyped.cancel();
    filters.status = status.value;
    filters.label = label.value.trim();
    filters.priority = priority.value;
    filters.q = q.value.trim();
    filters.sort = sort.value;
    apply();
  };
  const applyTyped = debounce(applyNow, 300);
  element.addEventListener('submit', (e) => {
    e.preventDefault();
    applyNow();
  });
  for (const s of [status, priority, sort]) s.addEventListener('change', applyNow);
  for (const input of [q, label]) input.addEventListener('input', applyTyped);
  label.addEventListener('change', applyNow);
  clear.addEventListener('click', () => {
    status.value = priority.value = label.value = q.value = '';
    sort.value = '-created_at';
    applyNow();
  });

  return {
    element,
    filterByLabel(l) {
      label.value = l;
      applyNow();
    },
    offerLabels(labels) {
      labelList.replaceChildren(...[...labels].sort().map((l) => h('option', { value: l })));
    },
    cancel: () => applyTyped.cancel(),
  };
}
