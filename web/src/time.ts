// Time in the person's time zone (the `timezone` of GET /v1/users/me), with Intl only: converting
// between instants and the wall-clock values of <input type="datetime-local">, formatting, and
// the durations offered for expiry.
import { lang, t } from './i18n';

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(tz: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    partsFormatters.set(tz, f);
  }
  return f;
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading in `tz` at the instant `ms`. */
function wallAt(ms: number, tz: string): Wall {
  const p: Record<string, number> = {};
  for (const part of partsFormatter(tz).formatToParts(ms)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return {
    year: p.year ?? 1970, month: p.month ?? 1, day: p.day ?? 1,
    hour: (p.hour ?? 0) % 24, minute: p.minute ?? 0, second: p.second ?? 0,
  };
}

/** How far `tz` is ahead of UTC at the instant `ms`, in ms. */
function offsetAt(ms: number, tz: string): number {
  const w = wallAt(ms, tz);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** An instant as the value of a datetime-local input in `tz` ("2026-03-11T11:30"). */
export function toLocalInput(value: string | number | null, tz: string): string {
  if (value === null) return '';
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(ms)) return '';
  const w = wallAt(ms, tz);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/**
 * The instant (ms) that a datetime-local value means in `tz`, or null when it is empty or not a
 * time. A wall time skipped by a DST change resolves to the instant after the gap.
 */
export function fromLocalInput(value: string, tz: string): number | null {
  const m = /^(\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, hh, mm, ss] = m.slice(1).map((x) => Number(x ?? 0)) as number[];
  const guess = Date.UTC(y!, mo! - 1, d!, hh!, mm!, ss || 0);
  const first = guess - offsetAt(guess, tz);
  const second = guess - offsetAt(first, tz);
  return second === first ? first : Math.max(first, second);
}

/** The offset of `tz` now, as "UTC+07:00". */
export function offsetLabel(tz: string, at = Date.now()): string {
  const minutes = Math.round(offsetAt(at, tz) / 60000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Every IANA zone this browser knows, with UTC and `extra` (the saved zone) included. */
export function timeZones(extra?: string): string[] {
  const zones = new Set<string>(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []);
  zones.add('UTC');
  zones.add(browserTimeZone());
  if (extra) zones.add(extra);
  return [...zones].sort();
}

export function formatDateTime(iso: string, tz: string): string {
  return new Intl.DateTimeFormat(lang(), { dateStyle: 'medium', timeStyle: 'short', timeZone: tz }).format(Date.parse(iso));
}

export function formatTime(iso: string, tz: string): string {
  return new Intl.DateTimeFormat(lang(), { timeStyle: 'short', timeZone: tz }).format(Date.parse(iso));
}

/** "3 minutes ago", "in 2 days" in the current language. */
export function formatRelative(iso: string, now = Date.now()): string {
  const diff = (Date.parse(iso) - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat(lang(), { numeric: 'auto' });
  const abs = Math.abs(diff);
  if (abs < 60) return rtf.format(Math.round(diff), 'second');
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
  return rtf.format(Math.round(diff / 86400), 'day');
}

/** A countdown that changes every second: "2d 03:04:05", "04:05", "0:59". */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const clock = h > 0 || days > 0 ? `${pad(h)}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
  if (days === 0) return clock;
  const d = new Intl.NumberFormat(lang(), { style: 'unit', unit: 'day', unitDisplay: 'narrow' }).format(days);
  return `${d} ${clock}`;
}

/** A duration in words in the current language: "2 hours", "3 hari", "90 seconds". */
export function formatDuration(seconds: number): string {
  const units: [Intl.NumberFormatOptions['unit'], number][] = [['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of units) {
    if (seconds >= size && seconds % size === 0 && !(unit === 'week' && seconds / size > 4)) {
      return new Intl.NumberFormat(lang(), { style: 'unit', unit, unitDisplay: 'long' }).format(seconds / size);
    }
  }
  if (seconds >= 3600) {
    const h = Math.floor(seconds / 3600);
    const rest = seconds - h * 3600;
    return `${formatDuration(h * 3600)} ${formatDuration(rest)}`;
  }
  if (seconds >= 60) {
    const m = Math.floor(seconds / 60);
    return `${formatDuration(m * 60)} ${formatDuration(seconds - m * 60)}`;
  }
  return new Intl.NumberFormat(lang(), { style: 'unit', unit: 'second', unitDisplay: 'long' }).format(seconds);
}

/** The durations offered for expiry and for the default expiry, by key. */
export const DURATIONS = [
  ['15m', 900],
  ['1h', 3600],
  ['2h', 7200],
  ['6h', 21600],
  ['1d', 86400],
  ['3d', 259200],
  ['7d', 604800],
  ['30d', 2592000],
] as const;
export type DurationKey = (typeof DURATIONS)[number][0];
export const MAX_TTL_SECONDS = 31622400; // 366 days

export function durationKeyOf(seconds: number | null): DurationKey | null {
  return DURATIONS.find(([, s]) => s === seconds)?.[0] ?? null;
}

export function secondsOf(key: string): number | null {
  return DURATIONS.find(([k]) => k === key)?.[1] ?? null;
}

/** "in 2 hours" / "2 jam lagi". */
export function inDuration(seconds: number): string {
  return t('form.inDuration', { d: formatDuration(seconds) });
}

// One shared clock for every countdown on the page, aligned to the second.
const tickers = new Set<(now: number) => void>();
let tickTimer: ReturnType<typeof setTimeout> | undefined;
function tick() {
  const now = Date.now();
  for (const fn of tickers) fn(now);
  tickTimer = setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
}

/** Calls fn every second (until the returned function is called). */
export function everySecond(fn: (now: number) => void): () => void {
  tickers.add(fn);
  if (tickTimer === undefined) tickTimer = setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  return () => {
    tickers.delete(fn);
    if (tickers.size === 0) {
      clearTimeout(tickTimer);
      tickTimer = undefined;
    }
  };
}
