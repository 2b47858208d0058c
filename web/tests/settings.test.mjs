// Language switch and profile settings.
import { after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, choose, closeBrowser, goto, loginUI, registerUser, until, waitForRoute, webTest,
} from './support.mjs';

after(closeBrowser);

const htmlLang = (page) => page.evaluate(() => document.documentElement.lang);
const waitForLang = (page, lang) =>
  page.waitForFunction((l) => document.documentElement.lang === l, lang).catch(async () => {
    throw new Error(`<html lang> is ${JSON.stringify(await htmlLang(page))}, expected ${lang}`);
  });

webTest('switch the language to Indonesian and back', async (s) => {
  const account = await registerUser();
  const page = await s.newPage();
  await loginUI(page, account);
  assert.equal(await htmlLang(page), 'en');
  const nav = page.getByTestId('nav-tasks');
  const english = (await nav.textContent()).trim();
  const englishProgress = (await page.getByTestId('nav-progress').textContent()).trim();

  await page.getByTestId('lang-id').click();
  await waitForLang(page, 'id');
  await page.waitForFunction(
    ([a, b]) => {
      const t = (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent.trim();
      return t('nav-tasks') !== a && t('nav-progress') !== b;
    },
    [english, englishProgress],
  );
  assert.equal(await page.evaluate(() => localStorage.getItem('todo.lang')), 'id');

  // The choice is kept.
  await page.reload();
  await page.getByTestId('task-list').waitFor({ state: 'attached' });
  assert.equal(await htmlLang(page), 'id');
  assert.notEqual((await nav.textContent()).trim(), english);

  await page.getByTestId('lang-en').click();
  await waitForLang(page, 'en');
  await page.waitForFunction((a) => document.querySelector('[data-testid="nav-tasks"]')?.textContent.trim() === a, english);
  assert.equal(await page.evaluate(() => localStorage.getItem('todo.lang')), 'en');
});

webTest('the language follows the browser at first', async (s) => {
  const page = await s.newPage({ locale: 'id-ID' });
  await goto(page, '#/login');
  await page.getByTestId('login-form').waitFor();
  await waitForLang(page, 'id');
  const english = await s.newPage({ locale: 'en-GB' });
  await goto(english, '#/login');
  await english.getByTestId('login-form').waitFor();
  await waitForLang(english, 'en');
  assert.notEqual(
    (await page.getByTestId('login-submit').textContent()).trim(),
    (await english.getByTestId('login-submit').textContent()).trim(),
  );
});

webTest('profile: change the name, time zone and default expiry', async (s) => {
  const account = await registerUser('Rina');
  const page = await s.newPage();
  await loginUI(page, account);
  await page.getByTestId('nav-profile').click();
  await waitForRoute(page, '#/profile');
  const name = page.getByTestId('profile-name');
  await page.waitForFunction(() => document.querySelector('[data-testid="profile-name"]')?.value === 'Rina');
  await name.fill('Rina Kartika');
  await choose(page.getByTestId('profile-timezone'), 'Asia/Jakarta');
  const ttl = page.getByTestId('profile-default-ttl');
  const options = await ttl.locator('option').evaluateAll((os) => os.map((o) => o.value));
  const oneDay = options.find((v) => /^(1d|86400)$/.test(v)) ?? options.find((v) => v && !/none/i.test(v));
  await ttl.selectOption(oneDay);
  await page.getByTestId('profile-save').click();

  const me = await until('the profile to be saved', async () => {
    const r = await api('GET', '/v1/users/me', { token: account.token });
    return r.body.name === 'Rina Kartika' && r.body.timezone === 'Asia/Jakarta' && r.body.default_task_ttl_seconds ? r.body : null;
  });
  assert.ok(me.default_task_ttl_seconds > 0);

  // A reload shows what was saved.
  await page.reload();
  await page.waitForFunction(() => document.querySelector('[data-testid="profile-name"]')?.value === 'Rina Kartika');
  assert.equal(await page.getByTestId('profile-timezone').inputValue(), 'Asia/Jakarta');
  assert.equal(await ttl.inputValue(), oneDay);

  // The default expiry applies to a task created without one; the list counts it down. The
  // tasks service learns the new default from identity's event, moments after the save: until
  // it has, a task made without an expiry gets none (it is deleted, and the next one tried).
  await until('the tasks service to apply the new default expiry', async () => {
    const made = await api('POST', '/v1/tasks', { token: account.token, body: { title: 'Buy rice' } });
    assert.equal(made.status, 201);
    if (made.body.expires_at) return made.body;
    const gone = await api('DELETE', `/v1/tasks/${made.body.id}`, { token: account.token });
    assert.equal(gone.status, 204);
    return null;
  });
  await goto(page, '#/tasks');
  await page.getByTestId('task-row').filter({ hasText: 'Buy rice' }).getByTestId('task-countdown').waitFor();
});
