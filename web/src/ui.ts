// Pieces shared by the views: labelled fields, errors from the API next to their fields, the
// flash message, the status badge.
import { ApiError, type Status } from './api';
import { h, uid, type Child } from './dom';
import { t } from './i18n';

// ---------------------------------------------------------------------------------------------
// Flash: one message at the top of the page (data-testid="flash"), e.g. "your session ended".

let flashEl: HTMLElement | null = null;
let flashMessage: { text: string; kind: 'info' | 'error'; route: string } | null = null;

export function mountFlash(el: HTMLElement): void {
  flashEl = el;
  renderFlash();
}

/** Shows a message on the page `route` (default: the current one); it goes when the page changes. */
export function flash(text: string, kind: 'info' | 'error' = 'info', route = location.hash): void {
  flashMessage = { text, kind, route };
  renderFlash();
}

/** Called on every route change. */
export function routeChangedForFlash(route: string): void {
  if (flashMessage && flashMessage.route !== route) flashMessage = null;
  renderFlash();
}

export function clearFlash(): void {
  flashMessage = null;
  renderFlash();
}

function renderFlash(): void {
  if (!flashEl) return;
  const m = flashMessage;
  flashEl.replaceChildren();
  if (!m) return;
  flashEl.append(
    h('div', { class: `flash flash-${m.kind}` },
      h('p', { testid: 'flash' }, m.text),
      h('button', { type: 'button', class: 'flash-close', 'aria-label': t('flash.dismiss'), on: { click: clearFlash } }, '×'),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Fields

export interface FieldOptions {
  /** The API's name for the field: its error goes next to the control (data-testid error-<name>). */
  name?: string;
  hint?: string;
  class?: string;
}

/** A labelled control with a place for its hint and its error. */
export function field(label: string, control: HTMLElement, options: FieldOptions = {}): HTMLElement {
  control.id ||= uid();
  const describedBy: string[] = [];
  let hint: HTMLElement | null = null;
  if (options.hint) {
    hint = h('p', { class: 'hint', id: uid('hint') }, options.hint);
    describedBy.push(hint.id);
  }
  let error: HTMLElement | null = null;
  if (options.name) {
    error = h('p', { class: 'field-error', id: uid('err'), 'data-error-for': options.name, hidden: true });
    describedBy.push(error.id);
    control.dataset.field = options.name;
  }
  if (describedBy.length) control.setAttribute('aria-describedby', describedBy.join(' '));
  return h('div', { class: `field ${options.class ?? ''}`.trim() },
    h('label', { for: control.id }, label),
    control,
    error,
    hint,
  );
}

/** A form's general error place (data-testid form-error while it shows something). */
export function formError(): HTMLElement {
  return h('div', { class: 'form-error', role: 'alert', hidden: true });
}

/**
 * Shows errors in `form`: each problem+json `errors[].field` next to its field, the rest (and
 * errors without fields) in the form's general place. Every other error on the page is cleared
 * first, so that one message of each kind is shown at a time.
 */
export function showErrors(page: HTMLElement, form: HTMLElement, err: unknown, general?: string): void {
  clearErrors(page);
  const leftover: string[] = [];
  const fieldErrors = err instanceof ApiError ? err.fieldErrors : [];
  let first: HTMLElement | null = null;
  for (const fe of fieldErrors) {
    const name = fe.field.replace(/[[.].*$/, '');
    const slot = form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(name)}"]`);
    if (!slot) {
      leftover.push(`${fe.field}: ${fe.message}`);
      continue;
    }
    const text = slot.hidden ? fe.message : `${slot.textContent}; ${fe.message}`;
    setFieldError(slot, name, text);
    const control = form.querySelector<HTMLElement>(`[data-field="${CSS.escape(name)}"]`);
    control?.setAttribute('aria-invalid', 'true');
    first ??= control;
  }
  let message = general ?? '';
  if (!message && (fieldErrors.length === 0 || leftover.length)) {
    message = leftover.length ? t('error.fields', { fields: leftover.join('; ') }) : describe(err);
  }
  if (message) {
    const box = form.querySelector<HTMLElement>('.form-error');
    if (box) {
      box.textContent = message;
      box.dataset.testid = 'form-error';
      box.hidden = false;
    }
  }
  first?.focus();
}

/** Shows one error of the app's own (e.g. "choose a date and time") next to the field `name`. */
export function showFieldError(page: HTMLElement, form: HTMLElement, name: string, message: string): void {
  clearErrors(page);
  const slot = form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(name)}"]`);
  if (slot) setFieldError(slot, name, message);
  const control = form.querySelector<HTMLElement>(`[data-field="${CSS.escape(name)}"]`);
  control?.setAttribute('aria-invalid', 'true');
  control?.focus();
}

function setFieldError(slot: HTMLElement, name: string, text: string): void {
  slot.textContent = text;
  slot.dataset.testid = `error-${name}`;
  slot.hidden = false;
}

export function clearErrors(page: HTMLElement): void {
  for (const el of page.querySelectorAll<HTMLElement>('.field-error, .form-error')) {
    el.hidden = true;
    el.textContent = '';
    delete el.dataset.testid;
  }
  for (const el of page.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

/** A sentence for an error that has no field. */
export function describe(err: unknown): string {
  if (!(err instanceof ApiError)) return t('error.generic', { status: '?' });
  if (err.status === 0) return t('error.network');
  if (err.status === 503 || err.status === 502 || err.status === 504) return t('error.unavailable');
  if (err.status === 412) return t('error.conflict');
  return err.problem?.detail || err.problem?.title || t('error.generic', { status: err.status });
}

/** Runs the action of a button, which stays disabled while it runs (no double submits). */
export async function busy<T>(button: HTMLButtonElement | null, fn: () => Promise<T>): Promise<T | undefined> {
  if (button?.disabled) return undefined;
  if (button) button.disabled = true;
  try {
    return await fn();
  } finally {
    if (button) button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Small pieces

/**
 * The status badge (data-testid task-status): its text is the API's status (what the tests
 * read); people see and hear the translated label that CSS draws from data-label instead.
 */
export function statusBadge(status: Status): HTMLElement {
  return h('span', { class: `badge status status-${status}`, testid: 'task-status', 'data-status': status, 'data-label': t(`status.${status}`) },
    h('span', { class: 'status-raw' }, status),
  );
}

export function section(title: string, ...children: Child[]): HTMLElement {
  const id = uid('sec');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** A <select> with options [value, label]. */
export function select(testid: string, options: [string, string][], value: string, attrs: Record<string, unknown> = {}): HTMLSelectElement {
  const el = h('select', { testid, ...attrs }, ...options.map(([v, label]) => h('option', { value: v }, label)));
  el.value = value;
  return el;
}
