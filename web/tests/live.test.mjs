// Live updates: what one browser (or another client) changes appears in a second browser,
// logged in separately as the same person, without a reload.
import { after } from 'node:test';
import assert from 'node:assert/strict';
import {
  closeBrowser, completeTask, createTaskUI, goto, loginUI, registerUser, rowByTitle, rowSelector,
  tid, api, waitForDom, webTest,
} from './support.mjs';

after(closeBrowser);

/** Logs in and waits until the page's live stream (GET /v1/stream) is connected. */
async function loginLive(page, account) {
  const connected = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/stream' && r.status() === 200, { timeout: 15_000 });
  await loginUI(page, account);
  await connected;
}

webTest('a change in one browser appears live in another', async (s) => {
  const account = await registerUser();
  const first = await s.newPage();
  const second = await s.newPage();
  await loginLive(first, account);
  await loginLive(second, account);
  await second.evaluate(() => { window.__sameDocument = true; });

  // Created in the first browser, the task shows up in the second one's list.
  await createTaskUI(first, 'Call Ibu about Sunday');
  const row = rowByTitle(second, 'Call Ibu about Sunday');
  await row.waitFor({ timeout: 5_000 });
  const id = await row.getAttribute('data-task-id');

  // Completed by another client, the row changes.
  await completeTask(account, id);
  await waitForDom(second, `${rowSelector(id)} ${tid('task-status')}`, { attr: 'data-status', value: 'done' }, 5_000);
  await waitForDom(second, `${rowSelector(id)} ${tid('task-progress')}`, { attr: 'data-progress', value: 100 }, 5_000);

  // The open task follows too: reopened elsewhere, its form shows it.
  await goto(second, `#/tasks/${id}`);
  await second.getByTestId('task-form').waitFor();
  await waitForDom(second, tid('task-status'), { status: 'done' });
  const reopened = await api('POST', `/v1/tasks/${id}/reopen`, { token: account.token });
  assert.equal(reopened.status, 200);
  await waitForDom(second, tid('task-status'), { status: 'todo' }, 5_000);

  // Deleted elsewhere, the row disappears from the other list.
  await goto(second, '#/tasks');
  await row.waitFor();
  const del = await api('DELETE', `/v1/tasks/${id}`, { token: account.token });
  assert.equal(del.status, 204);
  await waitForDom(second, rowSelector(id), { count: 0 }, 5_000);

  assert.equal(await second.evaluate(() => window.__sameDocument), true, 'the second page never reloaded');
});
