// The progress page: the summary matches what was done, the chart and the activity feed.
import { after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, closeBrowser, completeTask, createTask, getTask, loginUI, numberIn, patchTask, registerUser,
  tid, until, waitForDom, waitForRoute, webTest,
} from './support.mjs';

after(closeBrowser);

webTest('the progress page shows the summary of what was done, and the chart', async (s) => {
  const account = await registerUser();
  await createTask(account, { title: 'Still to do' });
  const half = await createTask(account, { title: 'Half way' });
  await patchTask(account, half.id, { progress: 50 });
  const done = await createTask(account, { title: 'Finished' });
  await completeTask(account, done.id);
  const gone = await createTask(account, { title: 'Too late', ttl_seconds: 1 });
  await until('a task to expire', async () => (await getTask(account, gone.id)).status === 'expired', 15_000);
  // The progress service learns from events: wait until it has all of them.
  await until('the summary to count every task', async () => {
    const p = (await api('GET', '/v1/progress', { token: account.token })).body;
    return p.total === 4 && p.by_status.expired === 1 && p.by_status.done === 1 && p.by_status.in_progress === 1;
  });

  const page = await s.newPage();
  await loginUI(page, account);
  await page.getByTestId('nav-progress').click();
  await waitForRoute(page, '#/progress');
  await page.getByTestId('summary').waitFor();
  await waitForDom(page, tid('summary-total'), { text: /\b4\b/ });
  const n = async (id) => numberIn(page.getByTestId(id));
  assert.equal(await n('summary-total'), 4);
  assert.equal(await n('summary-todo'), 1);
  assert.equal(await n('summary-in_progress'), 1);
  assert.equal(await n('summary-done'), 1);
  assert.equal(await n('summary-expired'), 1);
  const completion = await n('summary-completion'); // 1 of 4: "25%" or 0.25
  assert.ok(completion === 25 || completion === 0.25, `completion ${completion}`);
  assert.equal(await n('summary-average'), 37.5); // (0 + 50 + 100 + 0) / 4
  assert.equal(await n('summary-overdue'), 0);
  assert.equal(await n('summary-expiring'), 0);
  assert.equal(await n('summary-completed-today'), 1);
  assert.equal(await n('summary-streak'), 1);

  const chart = page.getByTestId('daily-chart');
  await chart.waitFor();
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="daily-chart"]');
    const box = el?.getBoundingClientRect();
    return box && box.width > 100 && box.height > 50 && el.querySelector('canvas, svg');
  });

  // The feed lists what happened (4 created, 1 updated, 1 completed, 1 expired), newest first.
  const feed = (await api('GET', '/v1/activity', { token: account.token })).body.items;
  assert.equal(feed.length, 7);
  await page.getByTestId('activity-list').waitFor();
  await waitForDom(page, tid('activity-item'), { count: feed.length });
  const first = (await page.getByTestId('activity-item').first().textContent()) || '';
  assert.match(first, /Too late/, 'the newest item is the expiry');
});
