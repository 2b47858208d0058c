// The task page's delete button: asks first, then deletes the task and returns to the list.
import { api, ApiError } from '../../api';
import { h } from '../../dom';
import { t } from '../../i18n';
import { navigate } from '../../router';
import { busy, flash, showErrors } from '../../ui';
import { taskPath, type TaskState } from './state';

/** The button; a failure is shown in `form`. */
export function deleteButton(state: TaskState, root: HTMLElement, form: HTMLElement): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'button-danger', testid: 'task-delete' }, t('form.delete'));
  button.addEventListener('click', () => void busy(button, async () => {
    const task = state.base!;
    if (!confirm(t('form.confirmDelete', { title: task.title }))) return;
    state.deleting = true;
    try {
      await api.del(taskPath(state));
      navigate('#/tasks');
      flash(t('form.deleted', { title: task.title }), 'info', '#/tasks');
    } catch (err) {
      state.deleting = false;
      if (!(err instanceof ApiError && err.sessionEnded)) showErrors(root, form, err);
    }
  }));
  return button;
}
