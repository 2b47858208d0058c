// Saving the task form: a new task is created (POST, with an Idempotency-Key so that a retry after
// a lost answer makes no second task); a saved one is patched with what was edited here, if its
// version is still the one shown (If-Match), else the newer one is shown and the edits kept.
import { api, ApiError, type Task } from '../../api';
import { t } from '../../i18n';
import { navigate } from '../../router';
import { busy, clearErrors, flash, showErrors, showFieldError } from '../../ui';
import type { ExpiryChoice } from './expiry';
import type { FieldValues, TaskFields } from './fields';
import { randomKey, taskPath, type TaskState } from './state';

export interface SaveForm {
  root: HTMLElement;
  form: HTMLFormElement;
  save: HTMLButtonElement;
  /** Says "saved" or "nothing to save". */
  saved: HTMLElement;
  state: TaskState;
  fields: TaskFields;
  /** Shows a newer state of the task. */
  accept(task: Task): void;
}

type Expiry = Exclude<ExpiryChoice, { error: [string, string] }>;

function parseLabels(text: string): string[] {
  return [...new Set(text.split(',').map((l) => l.trim()).filter(Boolean))];
}

/** The POST body of a new task: what the fields hold, and its draft checklist or progress. */
function createBody(now: FieldValues, expiry: Expiry, dueAt: string | null, state: TaskState): Record<string, unknown> {
  const body: Record<string, unknown> = { title: now.title };
  if (now.description) body.description = now.description;
  if (now.priority !== 'none') body.priority = now.priority;
  const l = parseLabels(now.labels);
  if (l.length) body.labels = l;
  if (dueAt) body.due_at = dueAt;
  if ('ttl_seconds' in expiry) body.ttl_seconds = expiry.ttl_seconds;
  if ('expires_at' in expiry) body.expires_at = expiry.expires_at;
  if (!('none' in expiry) && now.onExpire !== 'keep') body.on_expire = now.onExpire;
  if (state.draftItems.length) body.checklist = state.draftItems.map(({ text, done }) => ({ text, done }));
  else if (state.draftProgress > 0) body.progress = state.draftProgress;
  return body;
}

/** The PATCH of a saved task: the fields edited since the server last showed them. */
function updatePatch(now: FieldValues, shown: FieldValues, task: Task, expiry: ExpiryChoice, dueAt: string | null):
  { patch: Record<string, unknown> } | { error: [string, string] } {
  const patch: Record<string, unknown> = {};
  if (now.title !== shown.title) patch.title = now.title;
  if (now.description !== shown.description) patch.description = now.description;
  if (now.priority !== shown.priority) patch.priority = now.priority;
  const l = parseLabels(now.labels);
  if (l.join('\n') !== task.labels.join('\n')) patch.labels = l;
  if (now.due !== shown.due) patch.due_at = dueAt;
  if (now.expiry !== shown.expiry) {
    if ('error' in expiry) return { error: expiry.error };
    if ('none' in expiry) {
      if (task.expires_at) patch.expires_at = null;
    } else {
      Object.assign(patch, expiry);
    }
  }
  if (now.onExpire !== shown.onExpire) patch.on_expire = now.onExpire;
  return { patch };
}

/** Saves the form when it is submitted (the save button). */
export function saveOnSubmit(page: SaveForm): void {
  const { root, form, save, saved, state, fields, accept } = page;
  let idempotency: { body: string; key: string } | null = null;

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    saved.textContent = '';
    void busy(save, async () => {
      clearErrors(root);
      const expiry = fields.expiry.choice();
      const dueAt = fields.dueAt();
      if (dueAt === undefined) return showFieldError(root, form, 'due_at', t('form.chooseTime'));
      try {
        if (state.isNew) await create(expiry, dueAt);
        else await update(expiry, dueAt);
      } catch (err) {
        if (err instanceof ApiError && err.sessionEnded) return;
        if (err instanceof ApiError && err.status === 412) {
          // Changed elsewhere between our last look and this save: take the new state, keep the edits.
          try {
            accept(await api.get<Task>(taskPath(state)));
          } catch {
            // shown below anyway
          }
        }
        const general = err instanceof ApiError && err.status === 409 && !err.fieldErrors.length ? t('error.expired') : undefined;
        showErrors(root, form, err, general);
      }
    });
  });

  async function create(expiry: ExpiryChoice, dueAt: string | null): Promise<void> {
    if ('error' in expiry) return showFieldError(root, form, expiry.error[0], expiry.error[1]);
    const body = createBody(fields.current(), expiry, dueAt, state);
    // The same body sent again (a retry after a lost answer) reuses its key: no duplicate task.
    const json = JSON.stringify(body);
    if (idempotency?.body !== json) idempotency = { body: json, key: randomKey() };
    let task = await api.post<Task>('/v1/tasks', body, { headers: { 'Idempotency-Key': idempotency.key } });
    if ('none' in expiry && task.expires_at) {
      // Created without an expiry, the task got the profile's default one: "never" means never.
      task = await api.patch<Task>(`/v1/tasks/${task.id}`, { expires_at: null });
    }
    navigate('#/tasks');
    flash(t('form.created', { title: task.title }), 'info', '#/tasks');
  }

  async function update(expiry: ExpiryChoice, dueAt: string | null): Promise<void> {
    const task = state.base!;
    const change = updatePatch(fields.current(), fields.shown(), task, expiry, dueAt);
    if ('error' in change) return showFieldError(root, form, change.error[0], change.error[1]);
    if (Object.keys(change.patch).length === 0) {
      saved.textContent = t('form.nothing');
      return;
    }
    const r = await api.patch<Task>(taskPath(state), change.patch, { headers: { 'If-Match': `"${task.version}"` } });
    accept(r);
    fields.show(r, false); // everything typed is saved: the controls show the task now
    saved.textContent = t('form.saved');
  }
}
