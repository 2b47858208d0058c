// The web app under the gateway's security headers: the Content-Security-Policy is in force (an
// injected inline script does not run, and the refusal is seen by the check every browser test
// makes), the app's own pages break none of it, and no source map is published.
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, closeBrowser, createTask, CSP_VIOLATION, goto, loginUI, registerUser, waitForRoute, webTest } from './support.mjs';

after(closeBrowser);

webTest('an inline script is refused and the refusal is reported', async (s) => {
  const page = await s.newPage();
  const answer = await page.goto(`${BASE}/#/login`);
  const csp = answer.headers()['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self'(;|$)/, csp);
  await page.getByTestId('login-form').waitFor();
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.injected = true;';
    document.body.append(script);
  });
  await until(() => s.policyViolations.some((v) => v.includes(CSP_VIOLATION) && v.includes('script-src')));
  assert.equal(await page.evaluate(() => window.injected), undefined, 'the inline script did not run');
  s.policyViolations.length = 0; // seen and expected: the test's end check must not fail on it
});

webTest('the app logs in and shows its screens without a policy refusal', async (s) => {
  const account = await registerUser();
  await createTask(account, { title: 'Half done', progress: 50 }); // a row with a progress bar
  const page = await s.newPage();
  await loginUI(page, account);
  await page.getByTestId('task-row').waitFor();
  for (const [nav, route] of [['nav-progress', '#/progress'], ['nav-profile', '#/profile'], ['nav-tasks', '#/tasks']]) {
    await page.getByTestId(nav).click();
    await waitForRoute(page, route);
    if (route === '#/progress') await page.getByTestId('daily-chart').locator('canvas').waitFor(); // uPlot drew
  }
  await goto(page, '#/tasks/new');
  await page.getByTestId('task-form').waitFor();
  // webTest fails the test if the browser refused anything on the way.
});

webTest('no source map is served', async (s) => {
  const page = await s.newPage();
  await page.goto(`${BASE}/`);
  const scripts = await page.evaluate(() => [...document.querySelectorAll('script[src]')].map((x) => x.src));
  assert.ok(scripts.length > 0, 'the app has a script');
  for (const src of scripts) {
    const js = await fetch(src);
    assert.equal(js.status, 200, src);
    assert.doesNotMatch(await js.text(), /sourceMappingURL/, `${src} names no source map`);
    const map = await fetch(`${src}.map`);
    assert.equal(map.status, 404, `${src}.map`);
  }
});

/** Polls a condition of the test's own state with a deadline. */
async function until(fn, timeout = 5_000) {
  const deadline = Date.now() + timeout;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the refusal to be reported');
    await new Promise((r) => setTimeout(r, 50)); // poll interval, not a synchronisation sleep
  }
}
