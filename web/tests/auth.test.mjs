// Registration, login, password change, account deletion and a revoked session, in the browser.
import { after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, closeBrowser, createTask, goto, loginUI, newCredentials, registerUser, rowByTitle, until,
  waitForRoute, webTest,
} from './support.mjs';

after(closeBrowser);

webTest('register through the form lands on the task list', async (s) => {
  const page = await s.newPage();
  const who = newCredentials('Nur Aisyah');
  await goto(page, '');
  // Without a session the app asks to log in; from there to the registration form.
  await waitForRoute(page, '#/login');
  await page.getByTestId('to-register').click();
  await waitForRoute(page, '#/register');
  await page.getByTestId('register-name').fill(who.name);
  await page.getByTestId('register-email').fill(who.email);
  await page.getByTestId('register-password').fill(who.password);
  await page.getByTestId('register-submit').click();
  await waitForRoute(page, '#/tasks');
  await page.getByTestId('task-list').waitFor({ state: 'attached' });
  assert.equal(await page.getByTestId('task-row').count(), 0, 'a new account has no tasks');
  // The account exists: the same credentials log in through the API.
  const login = await api('POST', '/v1/auth/login', { body: { email: who.email, password: who.password } });
  assert.equal(login.status, 200);
  assert.equal(login.body.user.name, who.name);
  // The tokens are in sessionStorage, so a reload keeps the person logged in.
  await page.reload();
  await page.getByTestId('task-list').waitFor({ state: 'attached' });
  assert.equal(await page.evaluate(() => location.hash), '#/tasks');
});

webTest('registering an email twice shows an error and stays on the form', async (s) => {
  const taken = await registerUser();
  const page = await s.newPage();
  await goto(page, '#/register');
  await page.getByTestId('register-form').waitFor();
  await page.getByTestId('register-name').fill('Someone Else');
  await page.getByTestId('register-email').fill(taken.email);
  await page.getByTestId('register-password').fill(newCredentials().password);
  await page.getByTestId('register-submit').click();
  await page.locator('[data-testid="form-error"], [data-testid="error-email"]').first().waitFor();
  assert.equal(await page.evaluate(() => location.hash), '#/register');
});

webTest('log out returns to login; a wrong password shows an error', async (s) => {
  const account = await registerUser();
  const page = await s.newPage();
  await loginUI(page, account);
  await page.getByTestId('logout').click();
  await waitForRoute(page, '#/login');
  await page.getByTestId('login-email').fill(account.email);
  await page.getByTestId('login-password').fill(`${account.password}-wrong`);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('form-error').waitFor();
  assert.equal(await page.evaluate(() => location.hash), '#/login');
  // A protected route without a session goes to login.
  await goto(page, '#/progress');
  await waitForRoute(page, '#/login');
});

webTest('change the password, then log in with the new one', async (s) => {
  const account = await registerUser();
  const page = await s.newPage();
  await loginUI(page, account);
  await page.getByTestId('nav-profile').click();
  await waitForRoute(page, '#/profile');
  const newPassword = newCredentials().password;
  await page.getByTestId('password-current').fill(account.password);
  await page.getByTestId('password-new').fill(newPassword);
  await page.getByTestId('password-save').click();
  await until('the new password to work', async () =>
    (await api('POST', '/v1/auth/login', { body: { email: account.email, password: newPassword } })).status === 200);
  // The session that changed the password goes on.
  await page.getByTestId('nav-tasks').click();
  await page.getByTestId('task-list').waitFor({ state: 'attached' });
  await page.getByTestId('logout').click();
  await waitForRoute(page, '#/login');
  await page.getByTestId('login-email').fill(account.email);
  await page.getByTestId('login-password').fill(account.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('form-error').waitFor();
  await loginUI(page, { ...account, password: newPassword });
});

webTest('a wrong current password is shown next to the field', async (s) => {
  const account = await registerUser();
  const page = await s.newPage();
  await loginUI(page, account);
  await goto(page, '#/profile');
  await page.getByTestId('password-form').waitFor();
  await page.getByTestId('password-current').fill(`${account.password}-wrong`);
  await page.getByTestId('password-new').fill(newCredentials().password);
  await page.getByTestId('password-save').click();
  await page.getByTestId('error-current_password').waitFor();
  const still = await api('POST', '/v1/auth/login', { body: { email: account.email, password: account.password } });
  assert.equal(still.status, 200, 'the old password still works');
});

webTest('delete the account: back to login, and logging in again fails', async (s) => {
  const account = await registerUser();
  const page = await s.newPage();
  await loginUI(page, account);
  await page.getByTestId('nav-profile').click();
  await waitForRoute(page, '#/profile');
  await page.getByTestId('delete-form').waitFor();
  await page.getByTestId('delete-password').fill(account.password);
  await page.getByTestId('delete-confirm').check();
  await page.getByTestId('delete-submit').click();
  await waitForRoute(page, '#/login');
  await page.getByTestId('login-form').waitFor();
  const gone = await api('POST', '/v1/auth/login', { body: { email: account.email, password: account.password } });
  assert.equal(gone.status, 401, 'the account is gone');
  await page.getByTestId('login-email').fill(account.email);
  await page.getByTestId('login-password').fill(account.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('form-error').waitFor();
  assert.equal(await page.evaluate(() => location.hash), '#/login');
});

webTest('account deletion needs the confirmation checkbox', async (s) => {
  const account = await registerUser();
  const page = await s.newPage();
  await loginUI(page, account);
  await goto(page, '#/profile');
  await page.getByTestId('delete-form').waitFor();
  await page.getByTestId('delete-password').fill(account.password);
  const submit = page.getByTestId('delete-submit');
  // Either the button stays disabled, or submitting without the box ticked does nothing.
  if (await submit.isEnabled()) {
    await submit.click();
    // An error, or the browser's own check of a required box, stops it.
    await page
      .locator('[data-testid="form-error"], [data-testid^="error-"], [data-testid="delete-confirm"]:invalid')
      .first()
      .waitFor();
  }
  assert.equal(await page.evaluate(() => location.hash), '#/profile');
  const me = await api('GET', '/v1/users/me', { token: account.token });
  assert.equal(me.status, 200, 'the account still exists');
});

webTest('a revoked session sends the app back to login with a message', async (s) => {
  const account = await registerUser();
  const page = await s.newPage();
  await loginUI(page, account);
  const stored = await page.evaluate(() => sessionStorage.getItem('todo.session'));
  assert.ok(stored, 'sessionStorage todo.session holds the session');
  const tokens = findTokens(JSON.parse(stored));
  assert.ok(tokens.refresh, `a refresh token in todo.session: ${stored.slice(0, 80)}...`);
  // Another client ends this session (as logging out on another device would).
  const out = await api('POST', '/v1/auth/logout', { body: { refresh_token: tokens.refresh }, token: tokens.access });
  assert.equal(out.status, 204);
  // The next thing the app asks the API for fails, and so does the refresh. The app may already
  // have noticed on its own (its live stream ends with the session) and be re-rendering, so the
  // page is moved by its address rather than by clicking a link that may be gone.
  await page.evaluate(() => { location.hash = '#/progress'; });
  await waitForRoute(page, '#/login', 15_000);
  await page.getByTestId('flash').waitFor();
  assert.notEqual((await page.getByTestId('flash').textContent()).trim(), '', 'the flash says something');
  await page.getByTestId('login-form').waitFor();
});

webTest('an access token that stopped working is refreshed silently', async (s) => {
  const account = await registerUser();
  await createTask(account, { title: 'Water the garden' });
  const page = await s.newPage();
  await loginUI(page, account);
  // Spoil the stored access token: the next request gets a 401, the app refreshes and retries.
  const spoiled = await page.evaluate(() => {
    const session = JSON.parse(sessionStorage.getItem('todo.session'));
    let done = false;
    const walk = (v) => {
      for (const [k, x] of Object.entries(v)) {
        if (typeof x === 'string' && /access/i.test(k) && !done) {
          v[k] = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c3BvaWxlZA';
          done = true;
        } else if (x && typeof x === 'object') walk(x);
      }
    };
    walk(session);
    sessionStorage.setItem('todo.session', JSON.stringify(session));
    return done;
  });
  assert.ok(spoiled, 'an access token in todo.session');
  await page.reload();
  await rowByTitle(page, 'Water the garden').waitFor();
  assert.equal(await page.evaluate(() => location.hash), '#/tasks');
  const tokens = findTokens(JSON.parse(await page.evaluate(() => sessionStorage.getItem('todo.session'))));
  assert.notEqual(tokens.access, 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c3BvaWxlZA', 'a new access token');
  assert.equal((await api('GET', '/v1/users/me', { token: tokens.access })).status, 200);
});

/** The access and refresh tokens in the stored session, wherever the app keeps them. */
function findTokens(value) {
  const found = {};
  const walk = (v) => {
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string' && /refresh/i.test(k) && !found.refresh) found.refresh = x;
      else if (typeof x === 'string' && /access/i.test(k) && !found.access) found.access = x;
      else walk(x);
    }
  };
  walk(value);
  return found;
}
