// The task form's expiry fields: never, after a duration (one offered, or a number of seconds), or
// at a date and time in the person's time zone; and whether the task is kept or deleted then.
import type { Task, User } from '../../api';
import { h } from '../../dom';
import { t } from '../../i18n';
import { DURATIONS, durationKeyOf, fromLocalInput, inDuration, MAX_TTL_SECONDS, secondsOf, toLocalInput } from '../../time';
import { field, select } from '../../ui';

type Mode = 'none' | 'duration' | 'at';

/** The expiry the fields ask for, or why they cannot: the API field's name and a message. */
export type ExpiryChoice = { ttl_seconds: number } | { expires_at: string } | { none: true } | { error: [string, string] };

export interface ExpiryFields {
  element: HTMLFieldSetElement;
  /** Keep or delete the task when it expires (a value of its own, beside the expiry). */
  onExpire: HTMLSelectElement;
  /** Mode, duration, seconds and date as one string: what the fields show, to compare. */
  value(): string;
  setValue(value: string): void;
  choice(): ExpiryChoice;
  /** Shows only the fields the chosen mode (and duration) use. */
  showFields(): void;
}

/** The value() the fields show for a task; for a new one, the person's default expiry. */
export function expiryValueOf(task: Task | null, user: User): string {
  const ttl = user.default_task_ttl_seconds;
  const key = durationKeyOf(ttl) ?? (ttl ? 'custom' : '1d');
  const expiry: [Mode, string, string, string] = task?.expires_at
    ? ['at', key, ttl && key === 'custom' ? String(ttl) : '', toLocalInput(task.expires_at, user.timezone)]
    : [task || !ttl ? 'none' : 'duration', key, ttl && key === 'custom' ? String(ttl) : '', ''];
  return JSON.stringify(expiry);
}

export function expiryFields(user: User): ExpiryFields {
  const tz = user.timezone;
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

  const durationField = field(t('form.duration'), duration);
  const secondsField = field(t('form.seconds'), seconds, { name: 'ttl_seconds' });
  const atField = field(t('form.expiresAt'), expiresAt, { name: 'expires_at', hint: t('form.tzHint', { tz }) });
  const onExpireField = field(t('form.onExpire'), onExpire, { name: 'on_expire' });
  const showFields = () => {
    durationField.hidden = mode.value !== 'duration';
    secondsField.hidden = mode.value !== 'duration' || duration.value !== 'custom';
    atField.hidden = mode.value !== 'at';
    onExpireField.hidden = mode.value === 'none';
  };
  mode.addEventListener('change', () => {
    if (mode.value === 'at' && !expiresAt.value) expiresAt.value = toLocalInput(Date.now() + 86400e3, tz);
    showFields();
  });
  duration.addEventListener('change', () => {
    if (duration.value === 'custom' && !seconds.value) seconds.value = String(user.default_task_ttl_seconds ?? 3600);
    showFields();
  });

  function choice(): ExpiryChoice {
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

  return {
    element: h('fieldset', { class: 'expiry' },
      h('legend', null, t('form.expiry')),
      h('div', { class: 'row' }, field(t('form.expiryMode'), mode), durationField, secondsField, atField),
      onExpireField,
    ),
    onExpire,
    value: () => JSON.stringify([mode.value, duration.value, seconds.value, expiresAt.value]),
    setValue(value) {
      const [m, d, s, at] = JSON.parse(value) as string[];
      mode.value = m!;
      duration.value = d!;
      seconds.value = s!;
      expiresAt.value = at!;
    },
    choice,
    showFields,
  };
}
