// #/profile: name, time zone, default expiry for new tasks; password change; account deletion.
import { api, ApiError, type User } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import * as session from '../session';
import { browserTimeZone, DURATIONS, durationKeyOf, formatDuration, offsetLabel, secondsOf, timeZones } from '../time';
import { busy, clearErrors, describe, field, flash, formError, section, select, showErrors, showFieldError } from '../ui';

export function profileView(root: HTMLElement): () => void {
  let disposed = false;
  const heading = h('h1', { tabindex: '-1' }, t('profile.title'));
  const body = h('div', { class: 'profile' }, h('p', { class: 'loading', role: 'status' }, t('tasks.loading')));
  root.append(h('div', { class: 'page-head' }, heading), body);
  session.user().then((user) => {
    if (!disposed) body.replaceChildren(...profileSections(root, user));
  }, (err) => {
    if (!disposed && !(err instanceof ApiError && err.sessionEnded)) {
      body.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, describe(err)));
    }
  });
  return () => {
    disposed = true;
  };
}

function ttlOptions(current: number | null): [string, string][] {
  const options: [string, string][] = [['none', t('profile.noTtl')], ...DURATIONS.map(([key, s]): [string, string] => [key, formatDuration(s)])];
  // A default set elsewhere (e.g. the CLI) to a value not offered here is shown as it is.
  if (current && !durationKeyOf(current)) options.push([`${current}s`, t('profile.customTtl', { d: formatDuration(current) })]);
  return options;
}

function ttlValue(seconds: number | null): string {
  if (!seconds) return 'none';
  return durationKeyOf(seconds) ?? `${seconds}s`;
}

function ttlSeconds(value: string): number | null {
  if (value === 'none') return null;
  return secondsOf(value) ?? (Number(value.replace(/s$/, '')) || null);
}

function profileSections(root: HTMLElement, user: User): HTMLElement[] {
  return [
    section(t('profile.details'), detailsForm(root, user)),
    section(t('password.title'), passwordForm(root, user)),
    h('section', { class: 'card danger-zone', 'aria-labelledby': 'delete-title' },
      h('h2', { id: 'delete-title' }, t('delete.title')), deleteForm(root, user)),
  ];
}

/** Name, time zone (the browser's offered when it differs) and default expiry for new tasks. */
function detailsForm(root: HTMLElement, user: User): HTMLFormElement {
  const name = h('input', { type: 'text', testid: 'profile-name', required: true, maxlength: '100', autocomplete: 'name', props: { value: user.name } });
  const email = h('input', { type: 'email', readonly: true, props: { value: user.email } });
  const browserTz = browserTimeZone();
  const timezone = select('profile-timezone', timeZones(user.timezone).map((z): [string, string] => [z, z.replaceAll('_', ' ')]), user.timezone);
  const offset = h('p', { class: 'hint' });
  const showOffset = () => {
    offset.textContent = offsetLabel(timezone.value);
  };
  timezone.addEventListener('change', showOffset);
  showOffset();
  const useBrowser = h('button', { type: 'button', class: 'button-quiet' }, t('profile.useBrowser', { tz: browserTz }));
  useBrowser.hidden = browserTz === user.timezone;
  useBrowser.addEventListener('click', () => {
    timezone.value = browserTz;
    showOffset();
    timezone.focus();
  });
  const ttl = select('profile-default-ttl', ttlOptions(user.default_task_ttl_seconds), ttlValue(user.default_task_ttl_seconds));
  const saveProfile = h('button', { type: 'submit', class: 'button-primary', testid: 'profile-save' }, t('profile.save'));
  const profileStatus = h('span', { class: 'saved', role: 'status' });
  const profileForm = h('form', { testid: 'profile-form' },
    field(t('profile.name'), name, { name: 'name' }),
    field(t('profile.email'), email),
    field(t('profile.timezone'), timezone, { name: 'timezone' }),
    h('div', { class: 'tz-extra' }, offset, useBrowser),
    field(t('profile.defaultTtl'), ttl, { name: 'default_task_ttl_seconds' }),
    formError(),
    h('div', { class: 'actions' }, saveProfile, profileStatus),
  );
  profileForm.addEventListener('submit', (e) => {
    e.preventDefault();
    profileStatus.textContent = '';
    void busy(saveProfile, async () => {
      clearErrors(root);
      const patch: Record<string, unknown> = {};
      if (name.value !== user.name) patch.name = name.value;
      if (timezone.value !== user.timezone) patch.timezone = timezone.value;
      const seconds = ttlSeconds(ttl.value);
      if (seconds !== user.default_task_ttl_seconds) patch.default_task_ttl_seconds = seconds;
      if (Object.keys(patch).length === 0) {
        profileStatus.textContent = t('form.nothing');
        return;
      }
      try {
        user = await api.patch<User>('/v1/users/me', patch);
        session.setUser(user);
        useBrowser.hidden = browserTz === user.timezone;
        profileStatus.textContent = t('profile.saved');
      } catch (err) {
        if (!(err instanceof ApiError && err.sessionEnded)) showErrors(root, profileForm, err);
      }
    });
  });
  return profileForm;
}

/** The password change (the current one, then the new). */
function passwordForm(root: HTMLElement, user: User): HTMLFormElement {
  const current = h('input', { type: 'password', testid: 'password-current', required: true, autocomplete: 'current-password' });
  const next = h('input', { type: 'password', testid: 'password-new', required: true, minlength: '8', maxlength: '128', autocomplete: 'new-password' });
  const savePassword = h('button', { type: 'submit', testid: 'password-save' }, t('password.save'));
  // A hidden username lets password managers know whose password this is.
  const form = h('form', { testid: 'password-form' },
    h('input', { type: 'text', autocomplete: 'username', hidden: true, props: { value: user.email }, 'aria-hidden': 'true', tabindex: '-1' }),
    field(t('password.current'), current, { name: 'current_password' }),
    field(t('password.new'), next, { name: 'new_password', hint: t('register.passwordHint') }),
    formError(),
    h('div', { class: 'actions' }, savePassword),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(savePassword, async () => {
      clearErrors(root);
      try {
        await api.put('/v1/users/me/password', { current_password: current.value, new_password: next.value });
        current.value = next.value = '';
        flash(t('password.changed'));
      } catch (err) {
        if (!(err instanceof ApiError && err.sessionEnded)) showErrors(root, form, err);
      }
    });
  });
  return form;
}

/** Account deletion: needs the password and the "I understand" box. */
function deleteForm(root: HTMLElement, user: User): HTMLFormElement {
  const password = h('input', { type: 'password', testid: 'delete-password', required: true, autocomplete: 'current-password' });
  const confirmBox = h('input', { type: 'checkbox', testid: 'delete-confirm', required: true });
  confirmBox.id = `confirm-${user.id}`;
  const deleteButton = h('button', { type: 'submit', class: 'button-danger', testid: 'delete-submit' }, t('delete.submit'));
  const form = h('form', { testid: 'delete-form' },
    h('p', null, t('delete.explain')),
    field(t('delete.password'), password, { name: 'password' }),
    h('div', { class: 'check' }, confirmBox, h('label', { for: confirmBox.id }, t('delete.confirm'))),
    h('p', { class: 'field-error', 'data-error-for': 'confirm', hidden: true }),
    formError(),
    h('div', { class: 'actions' }, deleteButton),
  );
  confirmBox.dataset.field = 'confirm';
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!confirmBox.checked) return showFieldError(root, form, 'confirm', t('delete.needConfirm'));
    void busy(deleteButton, async () => {
      clearErrors(root);
      try {
        await api.del('/v1/users/me', { password: password.value });
        session.end('deleted');
      } catch (err) {
        if (!(err instanceof ApiError && err.sessionEnded)) showErrors(root, form, err);
      }
    });
  });
  return form;
}
