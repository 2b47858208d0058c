// #/tasks/new and #/tasks/<id>: create or edit a task (title, description, priority, labels, due
// date, expiry as a duration or a date and time in the person's time zone), its progress (slider
// without a checklist, derived with one), its checklist, complete / reopen / delete. An open task
// follows changes made elsewhere; a field being edited here keeps what was typed.
import { api, ApiError, PRIORITIES, type ChecklistItem, type Task, type User } from '../api';
import { debounce, h } from '../dom';
import { t } from '../i18n';
import { navigate, type Route } from '../router';
import * as session from '../session';
import * as sse from '../sse';
import {
  DURATIONS, durationKeyOf, everySecond, formatDateTime, formatDuration, formatRelative, fromLocalInput,
  inDuration, MAX_TTL_SECONDS, secondsOf, toLocalInput,
} from '../time';
import { busy, clearErrors, describe, field, flash, formError, select, showErrors, showFieldError, statusBadge } from '../ui';
import { checklist } from './checklist';
import { countdownText, extendPatch, willExpire } from './tasks';

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
      cleanup = taskForm(root, user, task);
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

type Mode = 'none' | 'duration' | 'at';

function parseLabels(text: string): string[] {
  return [...new Set(text.split(',').map((l) => l.trim()).filter(Boolean))];
}

function randomKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function taskForm(root: HTMLElement, user: User, loaded: Task | null): () => void {
  const tz = user.timezone;
  const isNew = loaded === null;
  let base: Task | null = loaded; // the task as the server last told us
  let deleting = false;
  let progressSaving = false;
  let idempotency: { body: string; key: string } | null = null;
  // New task: checklist and progress kept here until it is created.
  let draftItems: ChecklistItem[] = [];
  let draftProgress = 0;

  // ---- the form's controls
  const title = h('input', { type: 'text', testid: 'task-title-input', required: true, maxlength: '200', autocomplete: 'off' });
  const description = h('textarea', { testid: 'task-description-input', rows: '4', maxlength: '10000' });
  const priority = select('task-priority-input', PRIORITIES.map((p): [string, string] => [p, t(`priority.${p}`)]), 'none');
  const labels = h('input', { type: 'text', testid: 'task-labels-input', autocomplete: 'off' });
  const due = h('input', { type: 'datetime-local', testid: 'task-due-input' });
  const mode = select('expiry-mode', [
    ['none', t('form.expiry.none')], ['duration', t('form.expiry.duration')], ['at', t('form.expiry.at')],
  ], 'none');
  const duration = select('expiry-duration', [
    ...DURATIONS.map(([key, seconds]): [string, string] => [key, inDuration(seconds)]),
    ['custom', t('form.durationCustom')],
  ], '1d');
  const seconds = h('input', { type: 'number', testid: 'expiry-duration-seconds', min: '1', max: String(MAX_TTL_SECONDS), step: '1', inputmode: 'numeric' });
  const expiresAt = h('input', { type: 'datetime-local', testid: 'expiry-at' });
  const onExpire = select('task-on-expire-input', [['keep', t('form.onExpire.keep')], ['delete', t('form.onExpire.delete')]], 'keep');
  const save = h('button', { type: 'submit', class: 'button-primary', testid: 'task-save' }, t('form.save'));
  const saved = h('span', { class: 'saved', role: 'status' });

  const durationField = field(t('form.duration'), duration);
  const secondsField = field(t('form.seconds'), seconds, { name: 'ttl_seconds' });
  const atField = field(t('form.expiresAt'), expiresAt, { name: 'expires_at', hint: t('form.tzHint', { tz }) });
  const onExpireField = field(t('form.onExpire'), onExpire, { name: 'on_expire' });
  const showExpiryFields = () => {
    durationField.hidden = mode.value !== 'duration';
    secondsField.hidden = mode.value !== 'duration' || duration.value !== 'custom';
    atField.hidden = mode.value !== 'at';
    onExpireField.hidden = mode.value === 'none';
  };
  mode.addEventListener('change', () => {
    if (mode.value === 'at' && !expiresAt.value) expiresAt.value = toLocalInput(Date.now() + 86400e3, tz);
    showExpiryFields();
  });
  duration.addEventListener('change', () => {
    if (duration.value === 'custom' && !seconds.value) seconds.value = String(user.default_task_ttl_seconds ?? 3600);
    showExpiryFields();
  });

  const deleteButton = isNew ? null : h('button', { type: 'button', class: 'button-danger', testid: 'task-delete' }, t('form.delete'));
  const form = h('form', { class: 'card task-form', testid: 'task-form' },
    field(t('form.title'), title, { name: 'title' }),
    field(t('form.description'), description, { name: 'description' }),
    h('div', { class: 'row' },
      field(t('form.priority'), priority, { name: 'priority' }),
      field(t('form.due'), due, { name: 'due_at', hint: t('form.tzHint', { tz }) }),
    ),
    field(t('form.labels'), labels, { name: 'labels', hint: t('form.labelsHint') }),
    h('fieldset', { class: 'expiry' },
      h('legend', null, t('form.expiry')),
      h('div', { class: 'row' }, field(t('form.expiryMode'), mode), durationField, secondsField, atField),
      onExpireField,
    ),
    formError(),
  );
  form.id = `task-form-${loaded?.id ?? 'new'}`;
  save.setAttribute('form', form.id);
  // Below both columns, so that on a phone it comes after the checklist of a new task too.
  const actionBar = h('div', { class: 'actions task-save-bar' }, save, saved, h('span', { class: 'spacer' }), deleteButton);

  // ---- the side: state, progress, checklist, complete / reopen
  const stateBox = h('div', { class: 'task-state' });
  const progressValue = h('output', { testid: 'progress-value', class: 'progress-value' });
  const slider = h('input', { type: 'range', testid: 'progress-slider', min: '0', max: '100', step: '1' });
  const sliderField = field(t('progress.slider'), slider, { name: 'progress', class: 'slider-field' });
  progressValue.htmlFor.add(slider.id);
  const progressBar = h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span'));
  const derivedNote = h('p', { class: 'hint' }, t('progress.derived'));
  const list = checklist({
    add: (text) => isNew ? local(() => draftItems.push({ id: randomKey(), text, done: false })) : remote(api.post<Task>(`${path()}/checklist`, { text })),
    toggle: (c, done) => isNew ? local(() => { c.done = done; }) : remote(api.patch<Task>(`${path()}/checklist/${c.id}`, { done })),
    rename: (c, text) => isNew ? local(() => { c.text = text; }) : remote(api.patch<Task>(`${path()}/checklist/${c.id}`, { text })),
    remove: (c) => isNew
      ? local(() => { draftItems = draftItems.filter((x) => x !== c); })
      : remote(api.del<Task>(`${path()}/checklist/${c.id}`)),
  });
  const sideButtons = h('div', { class: 'actions' });
  const note = h('p', { class: 'hint', role: 'status' });
  const side = h('section', { class: 'card task-side', 'aria-label': t('progress.slider') },
    stateBox,
    h('div', { class: 'progress-head' }, h('span', { class: 'progress-label' }, t('progress.slider')), progressValue),
    progressBar, sliderField, derivedNote,
    h('h2', null, t('checklist.title')),
    list.element,
    h('div', { class: 'form-error', role: 'alert', hidden: true }),
    h('p', { class: 'field-error', 'data-error-for': 'text', hidden: true }),
    sideButtons, note,
  );

  root.append(
    h('div', { class: 'page-head' },
      h('h1', { tabindex: '-1' }, isNew ? t('form.newTitle') : t('form.editTitle')),
      h('a', { href: '#/tasks', class: 'back' }, `← ${t('form.back')}`),
    ),
    h('div', { class: 'task-layout' }, form, side, actionBar),
  );

  const path = () => `/v1/tasks/${base!.id}`;

  // ---- values: what the controls showed from the server, to tell edits here from changes there
  let initial: Record<string, string> = {};
  function controlValues(): Record<string, string> {
    return {
      title: title.value, description: description.value, priority: priority.value, labels: labels.value, due: due.value,
      expiry: JSON.stringify([mode.value, duration.value, seconds.value, expiresAt.value]), onExpire: onExpire.value,
    };
  }
  function fromTask(task: Task | null): Record<string, string> {
    const ttl = user.default_task_ttl_seconds;
    const key = durationKeyOf(ttl) ?? (ttl ? 'custom' : '1d');
    const expiry: [Mode, string, string, string] = task?.expires_at
      ? ['at', key, ttl && key === 'custom' ? String(ttl) : '', toLocalInput(task.expires_at, tz)]
      : [task || !ttl ? 'none' : 'duration', key, ttl && key === 'custom' ? String(ttl) : '', ''];
    return {
      title: task?.title ?? '', description: task?.description ?? '', priority: task?.priority ?? 'none',
      labels: task?.labels.join(', ') ?? '', due: toLocalInput(task?.due_at ?? null, tz),
      expiry: JSON.stringify(expiry), onExpire: task?.on_expire ?? 'keep',
    };
  }
  function setControls(values: Record<string, string>, onlyUnedited: boolean): void {
    const now = controlValues();
    const take = (k: string) => !onlyUnedited || now[k] === initial[k];
    if (take('title')) title.value = values.title!;
    if (take('description')) description.value = values.description!;
    if (take('priority')) priority.value = values.priority!;
    if (take('labels')) labels.value = values.labels!;
    if (take('due')) due.value = values.due!;
    if (take('onExpire')) onExpire.value = values.onExpire!;
    if (take('expiry')) {
      const [m, d, s, at] = JSON.parse(values.expiry!) as string[];
      mode.value = m!;
      duration.value = d!;
      seconds.value = s!;
      expiresAt.value = at!;
    }
    initial = values;
    showExpiryFields();
  }

  // ---- the side, drawn from the task (or the draft)
  function drawSide(): void {
    const task = base;
    const items = task ? task.checklist : draftItems;
    const expired = task?.status === 'expired';
    const progress = task ? task.progress : items.length
      ? Math.round((100 * items.filter((c) => c.done).length) / items.length) : draftProgress;
    progressValue.textContent = `${progress}%`;
    (progressBar.firstElementChild as HTMLElement).style.width = `${progress}%`;
    sliderField.hidden = items.length > 0;
    derivedNote.hidden = items.length === 0;
    if (!progressSaving && document.activeElement !== slider) slider.value = String(progress);
    slider.disabled = expired;
    // A checklist with items replaces the slider: the element goes, as the contract says.
    if (items.length > 0) sliderField.remove();
    else if (!sliderField.isConnected) progressBar.after(sliderField);
    list.update(items, expired);

    stateBox.replaceChildren();
    sideButtons.replaceChildren();
    if (!task) return;
    stateBox.append(statusBadge(task.status));
    if (willExpire(task)) {
      stateBox.append(h('span', { class: 'countdown', testid: 'task-countdown', 'data-expires': task.expires_at!, title: formatDateTime(task.expires_at!, tz) },
        countdownText(task.expires_at!, Date.now())));
    } else if (expired) {
      const patch = extendPatch(user.default_task_ttl_seconds);
      const extend = h('button', { type: 'button', class: 'button-primary', testid: 'task-extend', title: t('task.extendBy', { d: formatDuration(patch.ttl_seconds) }) }, t('task.extend'));
      extend.addEventListener('click', () => void busy(extend, () => remote(api.patch<Task>(path(), patch)).catch(() => undefined)));
      stateBox.append(h('p', { class: 'expired-note' }, t('form.expiredNote', { when: formatRelative(task.expired_at ?? task.expires_at ?? task.updated_at) })));
      sideButtons.append(extend);
    } else if (task.status === 'done' && task.completed_at) {
      stateBox.append(h('span', { class: 'hint' }, t('form.doneNote', { when: formatDateTime(task.completed_at, tz) })));
    }
    if (task.status === 'todo' || task.status === 'in_progress') {
      sideButtons.append(action('task-complete', t('task.complete'), () => api.post<Task>(`${path()}/complete`)));
    } else if (task.status === 'done') {
      sideButtons.append(action('task-reopen', t('task.reopen'), () => api.post<Task>(`${path()}/reopen`)));
    }
  }

  function action(testid: string, text: string, run: () => Promise<Task>): HTMLButtonElement {
    const b = h('button', { type: 'button', testid }, text);
    b.addEventListener('click', () => void busy(b, () => remote(run()).catch(() => undefined)));
    return b;
  }

  async function local(change: () => void): Promise<void> {
    change();
    drawSide();
  }

  /** Applies the task an API call answered with; reports a failure next to the side's controls. */
  async function remote(call: Promise<Task>): Promise<void> {
    try {
      accept(await call);
      clearErrors(side);
    } catch (err) {
      if (!(err instanceof ApiError && err.sessionEnded)) {
        showErrors(root, side, err, err instanceof ApiError && err.status === 409 ? t('error.expired') : undefined);
      }
      throw err;
    }
  }

  /** A newer state of the task, from an answer or from the stream. */
  function accept(task: Task): void {
    if (base && task.version < base.version) return;
    base = task;
    setControls(fromTask(task), true);
    drawSide();
  }

  // ---- progress slider: saved by itself (PATCH progress) a moment after it moves
  const saveProgress = debounce(() => {
    const value = Number(slider.value);
    if (isNew) {
      draftProgress = value;
      drawSide();
      return;
    }
    progressSaving = true;
    remote(api.patch<Task>(path(), { progress: value }))
      .catch(() => undefined)
      .finally(() => {
        progressSaving = false;
        drawSide();
      });
  }, 250);
  slider.addEventListener('input', () => {
    progressValue.textContent = `${slider.value}%`;
    (progressBar.firstElementChild as HTMLElement).style.width = `${slider.value}%`;
  });
  slider.addEventListener('change', () => {
    progressSaving = !isNew;
    saveProgress();
  });

  // ---- save
  function expiryChoice(): { ttl_seconds: number } | { expires_at: string } | { none: true } | { error: [string, string] } {
    if (mode.value === 'none') return { none: true };
    if (mode.value === 'duration') {
      const s = duration.value === 'custom' ? Number(seconds.value) : secondsOf(duration.value);
      if (!s || !Number.isInteger(s) || s < 1 || s > MAX_TTL_SECONDS) return { error: ['ttl_seconds', t('form.secondsRange')] };
      return { ttl_seconds: s };
    }
    const at = fromLocalInput(expiresAt.value, tz);
    if (at === null) return { error: ['expires_at', t('form.chooseTime')] };
    if (at <= Date.now()) return { error: ['expires_at', t('form.inPast')] };
    return { expires_at: new Date(at).toISOString() };
  }

  function dueValue(): string | null | undefined {
    if (!due.value) return null;
    const at = fromLocalInput(due.value, tz);
    return at === null ? undefined : new Date(at).toISOString();
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    saved.textContent = '';
    void busy(save, async () => {
      clearErrors(root);
      const expiry = expiryChoice();
      const dueAt = dueValue();
      if (dueAt === undefined) return showFieldError(root, form, 'due_at', t('form.chooseTime'));
      try {
        if (isNew) await create(expiry, dueAt);
        else await update(expiry, dueAt);
      } catch (err) {
        if (err instanceof ApiError && err.sessionEnded) return;
        if (err instanceof ApiError && err.status === 412) {
          // Changed elsewhere between our last look and this save: take the new state, keep the edits.
          try {
            accept(await api.get<Task>(path()));
          } catch {
            // shown below anyway
          }
        }
        const general = err instanceof ApiError && err.status === 409 && !err.fieldErrors.length ? t('error.expired') : undefined;
        showErrors(root, form, err, general);
      }
    });
  });

  async function create(expiry: ReturnType<typeof expiryChoice>, dueAt: string | null): Promise<void> {
    if ('error' in expiry) return showFieldError(root, form, expiry.error[0], expiry.error[1]);
    const body: Record<string, unknown> = { title: title.value };
    if (description.value) body.description = description.value;
    if (priority.value !== 'none') body.priority = priority.value;
    const l = parseLabels(labels.value);
    if (l.length) body.labels = l;
    if (dueAt) body.due_at = dueAt;
    if ('ttl_seconds' in expiry) body.ttl_seconds = expiry.ttl_seconds;
    if ('expires_at' in expiry) body.expires_at = expiry.expires_at;
    if (!('none' in expiry) && onExpire.value !== 'keep') body.on_expire = onExpire.value;
    if (draftItems.length) body.checklist = draftItems.map(({ text, done }) => ({ text, done }));
    else if (draftProgress > 0) body.progress = draftProgress;
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

  async function update(expiry: ReturnType<typeof expiryChoice>, dueAt: string | null): Promise<void> {
    const task = base!;
    const now = controlValues();
    const patch: Record<string, unknown> = {};
    if (now.title !== initial.title) patch.title = title.value;
    if (now.description !== initial.description) patch.description = description.value;
    if (now.priority !== initial.priority) patch.priority = priority.value;
    const l = parseLabels(labels.value);
    if (l.join('\n') !== task.labels.join('\n')) patch.labels = l;
    if (now.due !== initial.due) patch.due_at = dueAt;
    if (now.expiry !== initial.expiry) {
      if ('error' in expiry) return showFieldError(root, form, expiry.error[0], expiry.error[1]);
      if ('none' in expiry) {
        if (task.expires_at) patch.expires_at = null;
      } else {
        Object.assign(patch, expiry);
      }
    }
    if (now.onExpire !== initial.onExpire) patch.on_expire = onExpire.value;
    if (Object.keys(patch).length === 0) {
      saved.textContent = t('form.nothing');
      return;
    }
    const r = await api.patch<Task>(path(), patch, { headers: { 'If-Match': `"${task.version}"` } });
    accept(r);
    setControls(fromTask(r), false); // everything typed is saved: the controls show the task now
    saved.textContent = t('form.saved');
  }

  deleteButton?.addEventListener('click', () => void busy(deleteButton, async () => {
    const task = base!;
    if (!confirm(t('form.confirmDelete', { title: task.title }))) return;
    deleting = true;
    try {
      await api.del(path());
      navigate('#/tasks');
      flash(t('form.deleted', { title: task.title }), 'info', '#/tasks');
    } catch (err) {
      deleting = false;
      if (!(err instanceof ApiError && err.sessionEnded)) showErrors(root, form, err);
    }
  }));

  // ---- live: changes made elsewhere, and the countdown
  let noteTimer: ReturnType<typeof setTimeout> | undefined;
  const stopEvents = sse.onTaskEvent((e) => {
    if (!base || e.item.task_id !== base.id || deleting) return;
    if (e.type === 'deleted' || !e.task) {
      navigate('#/tasks');
      flash(t('form.deletedElsewhere'), 'info', '#/tasks');
      return;
    }
    if (e.task.version <= base.version) return; // our own change, already shown
    accept(e.task);
    note.textContent = t('form.changedElsewhere');
    clearTimeout(noteTimer);
    noteTimer = setTimeout(() => { note.textContent = ''; }, 5000);
  });
  let checked = '';
  const stopTick = everySecond((now) => {
    const el = stateBox.querySelector<HTMLElement>('[data-testid="task-countdown"]');
    if (!el || !base) return;
    const at = el.dataset.expires!;
    el.textContent = countdownText(at, now);
    if (now - Date.parse(at) > 3000 && checked !== at) {
      checked = at; // the stream is late telling us it expired: ask
      api.get<Task>(path()).then(accept, () => undefined);
    }
  });

  setControls(fromTask(base), false);
  drawSide();
  if (isNew) title.focus();
  return () => {
    saveProgress.cancel();
    clearTimeout(noteTimer);
    stopEvents();
    stopTick();
  };
}
