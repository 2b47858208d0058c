// The live stream, GET /v1/stream (Server-Sent Events), read with fetch and a ReadableStream
// because EventSource cannot send the Authorization header. Reconnects after the server's
// `retry:` delay with Last-Event-ID, so events missed while disconnected are replayed.
import type { ActivityItem, ActivityType, Task } from './api';
import * as session from './session';

export interface TaskEvent {
  /** The event's stream sequence (the SSE id). */
  seq: string;
  type: ActivityType;
  item: ActivityItem;
  /** The task after the event; null when it was deleted. */
  task: Task | null;
}

type State = 'connecting' | 'open' | 'closed';

const SILENCE_MS = 45_000; // the server sends a heartbeat every 15 s

let running = false;
let connection: AbortController | null = null;
let lastEventId: string | null = null;
let retryMs = 2000;
let state: State = 'closed';
const eventListeners = new Set<(e: TaskEvent) => void>();
const stateListeners = new Set<(s: State) => void>();

export function onTaskEvent(fn: (e: TaskEvent) => void): () => void {
  eventListeners.add(fn);
  return () => eventListeners.delete(fn);
}

/** Called with the connection state now and whenever it changes ('open' after every reconnect). */
export function onState(fn: (s: State) => void): () => void {
  stateListeners.add(fn);
  fn(state);
  return () => stateListeners.delete(fn);
}

function setState(s: State): void {
  if (s === state) return;
  state = s;
  for (const fn of stateListeners) fn(s);
}

export function start(): void {
  if (running) return;
  running = true;
  lastEventId = null;
  void loop();
}

export function stop(): void {
  running = false;
  connection?.abort();
  connection = null;
  setState('closed');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function loop(): Promise<void> {
  let failures = 0;
  setState('connecting');
  while (running) {
    const ok = await connectOnce();
    if (!running) break;
    setState('connecting');
    failures = ok ? 0 : failures + 1;
    // The server's retry delay, longer after repeated failures (at most 30 s).
    await sleep(Math.min(30_000, retryMs * 2 ** Math.min(failures, 4)));
  }
}

/** One connection, until it ends; false when it could not be opened. */
async function connectOnce(): Promise<boolean> {
  const ctrl = new AbortController();
  connection = ctrl;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  const alive = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => ctrl.abort(), SILENCE_MS);
  };
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await session.authToken();
      if (!token || !running) return false;
      const headers: Record<string, string> = { Accept: 'text/event-stream', Authorization: `Bearer ${token}` };
      if (lastEventId !== null) headers['Last-Event-ID'] = lastEventId;
      alive();
      const res = await fetch('/v1/stream', { headers, signal: ctrl.signal, cache: 'no-store' });
      if (res.status === 401 && attempt === 0) {
        await res.body?.cancel();
        if (!(await session.recoverFrom(token))) return false; // the session ended
        continue;
      }
      if (!res.ok || !res.body) return false;
      setState('open');
      await read(res.body, alive);
      return true;
    }
    return false;
  } catch {
    return false; // network error, aborted by the watchdog or by stop()
  } finally {
    clearTimeout(watchdog);
    if (connection === ctrl) connection = null;
  }
}

/** Parses the event stream (https://html.spec.whatwg.org/#event-stream-interpretation). */
async function read(body: ReadableStream<Uint8Array>, alive: () => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let type = '';
  let id: string | null = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    alive();
    buffer += decoder.decode(value, { stream: true });
    // An unfinished line waits for the next chunk (so does a final \r, which may start \r\n).
    const end = buffer.endsWith('\r') ? buffer.length - 1 : buffer.length;
    const lines = buffer.slice(0, end).split(/\r\n|\r|\n/);
    buffer = (lines.pop() ?? '') + buffer.slice(end);
    for (const line of lines) {
      if (line === '') {
        if (id !== null) lastEventId = id;
        if (data.length) dispatch(type || 'message', data.join('\n'));
        data = [];
        type = '';
        id = null;
        continue;
      }
      if (line.startsWith(':')) continue; // a comment: ": connected", ": heartbeat"
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let val = colon < 0 ? '' : line.slice(colon + 1);
      if (val.startsWith(' ')) val = val.slice(1);
      if (field === 'data') data.push(val);
      else if (field === 'event') type = val;
      else if (field === 'id' && !val.includes('\0')) id = val;
      else if (field === 'retry' && /^\d+$/.test(val)) retryMs = Number(val);
    }
  }
}

function dispatch(type: string, raw: string): void {
  let payload: ActivityItem & { task?: Task | null };
  try {
    payload = JSON.parse(raw) as ActivityItem & { task?: Task | null };
  } catch {
    return;
  }
  const { task = null, ...item } = payload;
  const event: TaskEvent = { seq: lastEventId ?? '', type: (item.type ?? type) as ActivityType, item, task };
  for (const fn of eventListeners) {
    try {
      fn(event);
    } catch (e) {
      console.error('live update failed', e);
    }
  }
}
