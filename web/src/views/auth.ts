// #/login and #/register.
import { api, ApiError, type Tokens, type User } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import { navigate } from '../router';
import * as session from '../session';
import { browserTimeZone, isTimeZone } from '../time';
import { busy, clearErrors, field, formError, showErrors, showFieldError } from '../ui';

interface AuthResult {
  user: User;
  tokens: Tokens;
}

export function loginView(root: HTMLElement): void {
  const email = h('input', { type: 'email', testid: 'login-email', autocomplete: 'username', required: true, spellcheck: 'false' });
  const password = h('input', { type: 'password', testid: 'login-password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'button-primary', testid: 'login-submit' }, t('login.submit'));
  const form = h('form', { class: 'card auth-card', testid: 'login-form' },
    h('h1', { tabindex: '-1' }, t('login.title')),
    field(t('login.email'), email, { name: 'email' }),
    field(t('login.password'), password, { name: 'password' }),
    formError(),
    h('div', { class: 'actions' }, submit),
    h('p', { class: 'switch' }, `${t('login.noAccount')} `, h('a', { href: '#/register', testid: 'to-register' }, t('login.toRegister'))),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(submit, async () => {
      clearErrors(root);
      try {
        const r = await api.post<AuthResult>('/v1/auth/login', { email: email.value, password: password.value }, { auth: false });
        session.begin(r.tokens, r.user);
        navigate('#/tasks');
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) showErrors(root, form, err, t('login.wrong'));
        else if (err instanceof ApiError && err.status === 429) {
          showErrors(root, form, err, t('login.tooMany', { min: Math.max(1, Math.ceil((err.retryAfter ?? 60) / 60)) }));
        } else showErrors(root, form, err);
      }
    });
  });
  root.append(h('div', { class: 'auth' }, form));
}

export function registerView(root: HTMLElement): void {
  const name = h('input', { type: 'text', testid: 'register-name', autocomplete: 'name', required: true, maxlength: '100' });
  const email = h('input', { type: 'email', testid: 'register-email', autocomplete: 'email', required: true, spellcheck: 'false' });
  const password = h('input', {
    type: 'password', testid: 'register-password', autocomplete: 'new-password', required: true, minlength: '8', maxlength: '128',
  });
  const submit = h('button', { type: 'submit', class: 'button-primary', testid: 'register-submit' }, t('register.submit'));
  const form = h('form', { class: 'card auth-card', testid: 'register-form' },
    h('h1', { tabindex: '-1' }, t('register.title')),
    field(t('register.name'), name, { name: 'name' }),
    field(t('login.email'), email, { name: 'email' }),
    field(t('login.password'), password, { name: 'password', hint: t('register.passwordHint') }),
    formError(),
    h('div', { class: 'actions' }, submit),
    h('p', { class: 'switch' }, `${t('register.haveAccount')} `, h('a', { href: '#/login', testid: 'to-login' }, t('register.toLogin'))),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(submit, async () => {
      clearErrors(root);
      try {
        const r = await api.post<AuthResult>('/v1/auth/register',
          { email: email.value, password: password.value, name: name.value }, { auth: false });
        session.begin(r.tokens, r.user);
        await adoptBrowserTimeZone(r.user);
        navigate('#/tasks');
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) showFieldError(root, form, 'email', t('register.taken'));
        else showErrors(root, form, err);
      }
    });
  });
  root.append(h('div', { class: 'auth' }, form));
}

/** A new account starts in UTC: give it this browser's time zone (changeable in the profile). */
async function adoptBrowserTimeZone(user: User): Promise<void> {
  const tz = browserTimeZone();
  if (user.timezone !== 'UTC' || tz === 'UTC' || !isTimeZone(tz)) return;
  try {
    session.setUser(await api.patch<User>('/v1/users/me', { timezone: tz }));
  } catch {
    // Not important enough to stop here: the profile page offers it again.
  }
}
