// The screenshots of the main screens in docs/screenshots (README "Web app"), taken on a small
// made-up account, each after checking that the screen shows what the picture is meant to show.
import { after } from 'node:test';
import {
  api, closeBrowser, completeTask, createTask, docScreenshot, getTask, goto, loginUI, patchTask,
  registerUser, rowSelector, tid, until, waitForDom, waitForRoute, webTest,
} from './support.mjs';

after(closeBrowser);

webTest('screenshots of the main screens', async (s) => {
  const account = await registerUser('Siti Rahma', 'siti.rahma');
  const me = await api('PATCH', '/v1/users/me', { body: { timezone: 'Asia/Jakarta' }, token: account.token });
  if (me.status !== 200) throw new Error(`profile: ${me.status}`);
  const inDays = (d) => new Date(Date.now() + d * 86400e3).toISOString();
  const late = await createTask(account, { title: 'Reply to Pak Budi', priority: 'medium', ttl_seconds: 1 });
  const bill = await createTask(account, { title: 'Pay the electricity bill', priority: 'high', labels: ['home'] });
  await completeTask(account, bill.id);
  const garage = await createTask(account, { title: 'Clean the garage', priority: 'low', labels: ['home'] });
  await patchTask(account, garage.id, { progress: 30 });
  await createTask(account, { title: 'Renew passport', priority: 'urgent', labels: ['travel'], due_at: inDays(10) });
  await createTask(account, {
    title: 'Buy takjil for iftar', priority: 'medium', labels: ['ramadhan'], ttl_seconds: 2 * 3600,
  });
  const tadarus = await createTask(account, {
    title: 'Tadarus juz 5',
    description: 'After tarawih, with the family.',
    priority: 'high',
    labels: ['ramadhan'],
    ttl_seconds: 3 * 86400,
    checklist: [{ text: 'Read' }, { text: 'Recite' }, { text: 'Reflect' }],
  });
  for (const item of tadarus.checklist.slice(0, 2)) {
    const r = await api('PATCH', `/v1/tasks/${tadarus.id}/checklist/${item.id}`, { body: { done: true }, token: account.token });
    if (r.status !== 200) throw new Error(`checklist tick: ${r.status}`);
  }
  await until('the short task to expire', async () => (await getTask(account, late.id)).status === 'expired', 15_000);
  await until('the summary to count every task', async () => {
    const p = (await api('GET', '/v1/progress', { token: account.token })).body;
    return p.total === 6 && p.by_status.expired === 1 && p.by_status.done === 1 && p.by_status.in_progress === 2;
  });

  const page = await s.newPage();
  await goto(page, '#/login');
  await page.getByTestId('login-form').waitFor();
  await docScreenshot(page, 'login');

  await loginUI(page, account);
  await waitForDom(page, tid('task-row'), { count: 6 });
  await waitForDom(page, `${rowSelector(late.id)} ${tid('task-status')}`, { attr: 'data-status', value: 'expired' });
  await page.locator(`${rowSelector(late.id)} ${tid('task-extend')}`).waitFor();
  await page.getByTestId('task-countdown').first().waitFor();
  await docScreenshot(page, 'tasks');

  await goto(page, `#/tasks/${tadarus.id}`);
  await page.getByTestId('task-form').waitFor();
  await waitForDom(page, tid('checklist-item'), { count: 3 });
  await waitForDom(page, tid('progress-value'), { text: /^67\s*%?$/ });
  await page.getByTestId('task-countdown').waitFor();
  await docScreenshot(page, 'task-edit');

  await page.getByTestId('nav-progress').click();
  await waitForRoute(page, '#/progress');
  await waitForDom(page, tid('summary-total'), { text: /\b6\b/ });
  await page.waitForFunction(() => document.querySelector('[data-testid="daily-chart"] canvas, [data-testid="daily-chart"] svg'));
  await page.getByTestId('activity-item').first().waitFor();
  await docScreenshot(page, 'progress');

  await page.getByTestId('nav-profile').click();
  await waitForRoute(page, '#/profile');
  await page.waitForFunction(() => document.querySelector('[data-testid="profile-name"]')?.value === 'Siti Rahma');
  await page.waitForFunction(() => document.querySelector('[data-testid="profile-timezone"]')?.value === 'Asia/Jakarta');
  await docScreenshot(page, 'profile');

  const phone = await s.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await loginUI(phone, account);
  await waitForDom(phone, tid('task-row'), { count: 6 });
  await phone.getByTestId('task-countdown').first().waitFor();
  await docScreenshot(phone, 'tasks-phone', { fullPage: false });
});
