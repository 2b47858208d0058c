// Helpers shared by the browser tests (web/tests/*.test.mjs).
//
// The tests drive Debian's Chromium (/usr/bin/chromium) with playwright-core against a running
// system: the gateway at TODO_GATEWAY_URL (default http://127.0.0.1:8080) serves the web app at
// `/` and the API at `/v1/...`. They rely only on web/CONTRACT.md (routes, data-testid names,
// behaviour) and the public HTTP API. Every wait is a condition with a timeout, never a sleep.
//
// A failed test leaves build/web-test-failures/<test name>.png (one per open page) and
// <test name>.log (console messages, page errors, failed requests). The screenshots of the main
// screens go to docs/screenshots/<name>.png unless TODO_SCREENSHOTS=0.

import { test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE = (process.env.TODO_GATEWAY_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FAILURE_DIR = path.join(ROOT, 'build', 'web-test-failures');
export const SCREENSHOT_DIR = path.join(ROOT, 'docs', 'screenshots');
const CHROMIUM = process.env.TODO_CHROMIUM || '/usr/bin/chromium';

/** How long a single expectation waits by default (ms). */
export const WAIT = 10_000;
/** How long a whole test may run before it is failed (with its screenshot) (ms). */
const TEST_TIMEOUT = 90_000;
/** How a page reports a Content-Security-Policy violation to the console (see newPage). */
export const CSP_VIOLATION = 'securitypolicyviolation:';
const POLICY_COMPLAINT = new RegExp(
  `^${CSP_VIOLATION}|Content Security Policy|Permissions-Policy|Refused to (apply|load|execute|connect|frame)`,
);

// ---------------------------------------------------------------------------------------------
// Browser and per-test sessions

let browserPromise = null;

/** One Chromium per test file, started on first use and closed by closeBrowser(). */
export function browser() {
  browserPromise ??= chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  return browserPromise;
}

export async function closeBrowser() {
  if (browserPromise) {
    const b = await browserPromise.catch(() => null);
    browserPromise = null;
    await b?.close();
  }
}

/** The browser contexts and pages of one test, with everything their pages logged. */
class Session {
  constructor(name) {
    this.name = name;
    this.contexts = [];
    this.pages = [];
    this.log = [];
    /** What the browser refused under the gateway's security headers (CSP, Permissions-Policy). */
    this.policyViolations = [];
  }

  /** A fresh browser context (own cookies, storage) with one page, in English, UTC. */
  async newPage(options = {}) {
    const b = await browser();
    const context = await b.newContext({
      locale: 'en-US',
      timezoneId: 'UTC',
      viewport: { width: 1280, height: 860 },
      ...options,
    });
    context.setDefaultTimeout(WAIT);
    this.contexts.push(context);
    const page = await context.newPage();
    const tag = `page ${this.pages.length + 1}`;
    this.pages.push(page);
    const note = (line) => this.log.push(`${new Date().toISOString()} [${tag}] ${line}`);
    // Every document reports what its Content-Security-Policy refused (the event fires for each
    // violation); Chromium also logs refusals and header mistakes to the console.
    await context.addInitScript((marker) => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`${marker} ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
      });
    }, CSP_VIOLATION);
    page.on('console', (m) => {
      note(`console.${m.type()}: ${m.text()}`);
      if (POLICY_COMPLAINT.test(m.text())) this.policyViolations.push(`[${tag}] ${m.text()}`);
    });
    page.on('pageerror', (e) => note(`pageerror: ${e.stack || e.message}`));
    page.on('requestfailed', (r) => {
      // Noted, though some are harmless: the live stream is aborted when a page closes.
      note(`requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) note(`response ${r.status()}: ${r.request().method()} ${r.url()}`);
    });
    page.on('dialog', (d) => {
      note(`dialog ${d.type()}: ${d.message()} (accepted)`);
      d.accept().catch(() => {});
    });
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) note(`navigated: ${f.url()}`);
    });
    return page;
  }

  async saveFailure(error) {
    await mkdir(FAILURE_DIR, { recursive: true });
    const base = path.join(FAILURE_DIR, fileName(this.name));
    for (const [i, page] of this.pages.entries()) {
      const file = i === 0 ? `${base}.png` : `${base}-page${i + 1}.png`;
      try {
        if (!page.isClosed()) await page.screenshot({ path: file, fullPage: true, timeout: 5_000 });
      } catch (e) {
        this.log.push(`(screenshot of page ${i + 1} failed: ${e.message})`);
      }
    }
    const urls = this.pages.map((p, i) => `page ${i + 1}: ${p.isClosed() ? '(closed)' : p.url()}`);
    const text = [`test: ${this.name}`, `error: ${error?.stack || error}`, ...urls, '', ...this.log].join('\n');
    await writeFile(`${base}.log`, `${text.replace(/\x1b\[[0-9;]*m/g, '')}\n`);
  }

  async close() {
    await Promise.all(this.contexts.map((c) => c.close().catch(() => {})));
  }
}

function fileName(name) {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 120);
}

/**
 * A browser test: fn receives a Session (s.newPage() opens a page in a fresh context). On
 * failure, or when it runs longer than `timeout` ms, the screenshots and the log are saved.
 */
export function webTest(name, fn, { timeout = TEST_TIMEOUT } = {}) {
  test(name, { timeout: timeout + 15_000 }, async () => {
    const s = new Session(name);
    let timer;
    const expired = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`test ran longer than ${timeout} ms`)), timeout);
    });
    try {
      await Promise.race([fn(s), expired]);
      // The app works under the gateway's headers only if the browser refused nothing it does.
      if (s.policyViolations.length) {
        throw new Error(`the browser refused what the page did:\n${s.policyViolations.join('\n')}`);
      }
    } catch (error) {
      await s.saveFailure(error);
      throw error;
    } finally {
      clearTimeout(timer);
      await s.close();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Screenshots of the main screens (docs/screenshots)

export async function docScreenshot(page, name, { fullPage = true } = {}) {
  if (process.env.TODO_SCREENSHOTS === '0') return;
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  // The caret and running animations would make the pictures differ from run to run.
  await page.screenshot({
    path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage, animations: 'disabled', caret: 'hide',
  });
}

// ---------------------------------------------------------------------------------------------
// The HTTP API (set-up and checks that are not about the UI)

export async function api(method, apiPath, { body, token, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (token) h.Authorization = `Bearer ${token}`;
  const res = await fetch(`${BASE}${apiPath}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = text;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: data };
}

async function apiOk(method, apiPath, options, expected) {
  const r = await api(method, apiPath, options);
  if (r.status !== expected) {
    throw new Error(`${method} ${apiPath}: expected ${expected}, got ${r.status} ${JSON.stringify(r.body)}`);
  }
  return r.body;
}

/** Fresh credentials: a unique email (web-<random>@example.test unless `prefix` is given). */
export function newCredentials(name = 'Web Tester', prefix = 'web') {
  const id = randomUUID().replaceAll('-', '');
  const email = prefix === 'web' ? `web-${id}@example.test` : `${prefix}.${id.slice(0, 8)}@example.test`;
  return { email, password: `web-${id.slice(0, 20)}`, name };
}

/** Registers a fresh user through the API: {email, password, name, user, tokens, token}. */
export async function registerUser(name = 'Web Tester', prefix = 'web') {
  const c = newCredentials(name, prefix);
  const body = await apiOk('POST', '/v1/auth/register', { body: c }, 201);
  return { ...c, user: body.user, tokens: body.tokens, token: body.tokens.access_token };
}

export function createTask(account, task) {
  return apiOk('POST', '/v1/tasks', { body: task, token: account.token }, 201);
}

export function patchTask(account, id, patch) {
  return apiOk('PATCH', `/v1/tasks/${id}`, { body: patch, token: account.token }, 200);
}

export function completeTask(account, id) {
  return apiOk('POST', `/v1/tasks/${id}/complete`, { token: account.token }, 200);
}

export function getTask(account, id) {
  return apiOk('GET', `/v1/tasks/${id}`, { token: account.token }, 200);
}

/** Calls fn until it returns a truthy value (the API side of a wait), or fails after `timeout`. */
export async function until(what, fn, timeout = WAIT) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100)); // poll interval, not a synchronisation sleep
  }
}

// ---------------------------------------------------------------------------------------------
// The page

export const tid = (id) => `[data-testid="${id}"]`;

export function goto(page, route) {
  return page.goto(`${BASE}/${route}`);
}

/** Waits until the app's route (location.hash) is `hash` or matches the RegExp `hash`. */
export async function waitForRoute(page, hash, timeout = WAIT) {
  const arg = hash instanceof RegExp ? { re: hash.source } : { eq: hash };
  try {
    await page.waitForFunction(
      ({ re, eq }) => (re !== undefined ? new RegExp(re).test(location.hash) : location.hash === eq),
      arg,
      { timeout },
    );
  } catch (e) {
    throw new Error(`route is ${await page.evaluate(() => location.hash)}, expected ${hash} (${e.message.split('\n')[0]})`);
  }
  return page.evaluate(() => location.hash);
}

/**
 * Waits until the element(s) matching the CSS `selector` satisfy `check`:
 *   {text: RegExp}   the text (value for form controls) of the first match
 *   {attr, value}    an attribute of the first match equals value
 *   {status}         a status shown by the first match (data-status, else its text)
 *   {count}          exactly this many matches
 *   {texts: [...]}   the sorted texts of all matches equal the sorted list
 *   {order: [...]}   the texts of all matches, in document order, equal the list
 */
export async function waitForDom(page, selector, check, timeout = WAIT) {
  const arg = {
    selector,
    text: check.text ? { source: check.text.source, flags: check.text.flags } : null,
    attr: check.attr ?? null,
    value: check.value ?? null,
    status: check.status ?? null,
    count: check.count ?? null,
    texts: check.texts ?? null,
    order: check.order ?? null,
  };
  const probe = (a) => {
    const els = [...document.querySelectorAll(a.selector)];
    const textOf = (el) =>
      (el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement
        ? el.value
        : el.textContent || ''
      ).trim();
    if (a.count !== null) return els.length === a.count;
    if (a.order !== null) {
      const got = els.map(textOf);
      return got.length === a.order.length && got.every((t, i) => t === a.order[i]);
    }
    if (a.texts !== null) {
      const got = els.map(textOf).sort();
      const want = [...a.texts].sort();
      return got.length === want.length && got.every((t, i) => t === want[i]);
    }
    const el = els[0];
    if (!el) return false;
    if (a.attr !== null) return el.getAttribute(a.attr) === String(a.value);
    if (a.status !== null) return (el.getAttribute('data-status') ?? textOf(el)) === a.status;
    if (a.text !== null) return new RegExp(a.text.source, a.text.flags).test(textOf(el));
    return true;
  };
  try {
    await page.waitForFunction(probe, arg, { timeout });
  } catch (e) {
    const now = await page
      .evaluate((sel) => [...document.querySelectorAll(sel)].slice(0, 20).map((el) => el.outerHTML.slice(0, 300)), selector)
      .catch(() => []);
    throw new Error(
      `timed out after ${timeout} ms: ${selector} ${JSON.stringify(check, (k, v) => (v instanceof RegExp ? String(v) : v))}; ` +
        `now: ${now.length ? now.join(' | ') : '(no match)'}`,
    );
  }
}

/** Selects `value` in a <select>, or fills it when the control is an input. */
export async function choose(locator, value) {
  const tag = await locator.evaluate((el) => el.tagName);
  if (tag === 'SELECT') await locator.selectOption(value);
  else await locator.fill(value);
}

/** The number in an element's text ("Total 4" -> 4, "37.5%" -> 37.5). */
export async function numberIn(locator) {
  const text = (await locator.textContent()) || '';
  const m = text.replace(/,/g, '.').match(/-?\d+(?:\.\d+)?/);
  if (!m) throw new Error(`no number in ${JSON.stringify(text)}`);
  return Number(m[0]);
}

// ---------------------------------------------------------------------------------------------
// Flows

/** Logs in through the form and waits for the task list. */
export async function loginUI(page, account) {
  await goto(page, '#/login');
  await page.getByTestId('login-form').waitFor();
  await page.getByTestId('login-email').fill(account.email);
  await page.getByTestId('login-password').fill(account.password);
  await page.getByTestId('login-submit').click();
  await waitForRoute(page, '#/tasks');
  await page.getByTestId('task-list').waitFor({ state: 'attached' });
}

/** The row of the task titled `title` in the list. */
export function rowByTitle(page, title) {
  return page.getByTestId('task-row').filter({ has: page.getByTestId('task-title').getByText(title, { exact: true }) });
}

export function rowSelector(taskId) {
  return `${tid('task-row')}[data-task-id="${taskId}"]`;
}

/** The titles of the rows in the list, as shown. */
export function titlesShown(page) {
  return page.locator(`${tid('task-row')} ${tid('task-title')}`).allTextContents().then((t) => t.map((x) => x.trim()));
}

/** Creates a task through #/tasks/new with the given title (and optional extra form steps). */
export async function createTaskUI(page, title, fill = async () => {}) {
  await page.getByTestId('nav-tasks').click();
  await waitForRoute(page, '#/tasks');
  await page.getByTestId('new-task').click();
  await waitForRoute(page, '#/tasks/new');
  await page.getByTestId('task-form').waitFor();
  await page.getByTestId('task-title-input').fill(title);
  await fill(page);
  await page.getByTestId('task-save').click();
  // The contract leaves open whether saving opens the task or the list: wait for either.
  await waitForRoute(page, /^#\/tasks(\/[0-9a-f-]{36})?$/);
}
