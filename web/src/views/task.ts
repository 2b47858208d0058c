// #/tasks/new and #/tasks/<id>: create or edit a task (title, description, priority, labels, due
// date, expiry as a duration or a date and time in the person's time zone), its progress (slider
// without a checklist, derived with one), its checklist, complete / reopen / delete. An open task
// follows changes made elsewhere; a field being edited here keeps what was typed.
// The parts are in views/task/: the form's fields (fields, expiry), the side (side,
// progress-slider), saving (save), deleting (delete) and what comes from elsewhere (live).
import { api, ApiError, type Task, type User } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import type { Route } from '../router';
import * as session from '../session';
import { clearErrors, describe, formError, showErrors } from '../ui';
import { deleteButton } from './task/delete';
import { taskFields } from './task/fields';
import { followChanges, tickCountdown } from './task/live';
import { saveOnSubmit } from './task/save';
import { taskSide } from './task/side';
import { taskState } from './task/state';

export function taskView(root: HTMLElement, route: Route): () => void {
  const id = route.name === 'task' ? route.id : null;
  let disposed = false;
  let cleanup: (() => void) | null = null;
  root.append(h('p', { class: 'loading', role: 'status' }, t('tasks.loading')));
  void (async () => {
    try {
      const [user, task] = await Promise.all([session.user(), id ? api.get<Task>(`/v1/tasks/${id}`) : Promise.resolve(null)]);
      if (disposed) return;
      root.replaceChildren();
      cleanup = taskPage(root, user, task);
    } catch (err) {
      if (disposed || (err instanceof ApiError && err.sessionEnded)) return;
      const gone = err instanceof ApiError && err.status === 404;
      root.replaceChildren(
        h('h1', { tabindex: '-1' }, t('form.editTitle')),
        h('p', { class: 'form-error', role: 'alert' }, gone ? t('form.notFound') : describe(err)),
        h('p', null, h('a', { href: '#/tasks' }, t('form.back'))),
      );
    }
  })();
  return () => {
    disposed = true;
    cleanup?.();
  };
}

/** The page of a loaded task (or of a new one, loaded = null): puts it together. Returns its cleanup. */
function taskPage(root: HTMLElement, user: User, loaded: Task | null): () => void {
  const state = taskState(user, loaded);
  const fields = taskFields(user);
  const save = h('button', { type: 'submit', class: 'button-primary', testid: 'task-save' }, t('form.save'));
  const saved = h('span', { class: 'saved', role: 'status' });
  const form = h('form', { class: 'card task-form', testid: 'task-form' }, ...fields.elements, formError());
  form.id = `task-form-${loaded?.id ?? 'new'}`;
  save.setAttribute('form', form.id);
  // Below both columns, so that on a phone it comes after the checklist of a new task too.
  const actionBar = h('div', { class: 'actions task-save-bar' }, save, saved, h('span', { class: 'spacer' }),
    state.isNew ? null : deleteButton(state, root, form));
  const side = taskSide(state, remote);

  root.append(
    h('div', { class: 'page-head' },
      h('h1', { tabindex: '-1' }, state.isNew ? t('form.newTitle') : t('form.editTitle')),
      h('a', { href: '#/tasks', class: 'back' }, `← ${t('form.back')}`),
    ),
    h('div', { class: 'task-layout' }, form, side.element, actionBar),
  );

  /** Applies the task an API call answered with; reports a failure next to the side's controls. */
  async function remote(call: Promise<Task>): Promise<void> {
    try {
      accept(await call);
      clearErrors(side.element);
    } catch (err) {
      if (!(err instanceof ApiError && err.sessionEnded)) {
        showErrors(root, side.element, err, err instanceof ApiError && err.status === 409 ? t('error.expired') : undefined);
      }
      throw err;
    }
  }

  /** A newer state of the task, from an answer or from the stream. */
  function accept(task: Task): void {
    if (state.base && task.version < state.base.version) return;
    state.base = task;
    fields.show(task, true);
    side.draw();
  }

  saveOnSubmit({ root, form, save, saved, state, fields, accept });
  const stopChanges = followChanges(state, side.note, accept);
  const stopTick = tickCountdown(state, side.stateBox, accept);

  fields.show(state.base, false);
  side.draw();
  if (state.isNew) fields.title.focus();
  return () => {
    side.cancel();
    stopChanges();
    stopTick();
  };
}
