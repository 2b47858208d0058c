// #/progress: the summary (GET /v1/progress), a chart of the last 30 days (GET /v1/progress/daily,
// drawn with uPlot) and the activity feed (GET /v1/activity, "load more"), all following the stream.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, ApiError, query, type ActivityItem, type DayCount, type Page, type Summary } from '../api';
import { debounce, h } from '../dom';
import { formatNumber, lang, t, type Key } from '../i18n';
import * as session from '../session';
import * as sse from '../sse';
import { formatDateTime, formatRelative } from '../time';
import { busy, describe, section } from '../ui';

const DAYS = 30;
const ACTIVITY_PAGE = 20;

export function progressView(root: HTMLElement): () => void {
  let disposed = false;
  let tz = 'UTC';
  let chart: uPlot | null = null;
  let days: DayCount[] = [];
  let activityNext: string | null = null;
  const seen = new Set<string>();

  const summaryList = h('dl', { class: 'summary', testid: 'summary', 'aria-busy': 'true' });
  const asOf = h('p', { class: 'hint' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const chartBox = h('div', { class: 'chart', testid: 'daily-chart', role: 'img', 'aria-label': t('daily.chartLabel') });
  const table = h('table', { class: 'daily-table' });
  const activity = h('ol', { class: 'activity', testid: 'activity-list', 'aria-label': t('activity.title') });
  const activityEmpty = h('p', { class: 'hint', hidden: true }, t('activity.empty'));
  const more = h('button', { type: 'button', class: 'button-wide', testid: 'activity-load-more', hidden: true }, t('activity.loadMore'));

  root.append(
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, t('progress.title'))),
    error,
    section(t('summary.title'), summaryList, asOf),
    section(t('daily.title'), chartBox,
      h('details', { class: 'daily-details' }, h('summary', null, t('daily.table')), table)),
    section(t('activity.title'), activity, activityEmpty, more),
  );

  function fail(err: unknown): void {
    if (disposed || (err instanceof ApiError && err.sessionEnded)) return;
    error.textContent = describe(err);
    error.hidden = false;
  }

  // ---- summary
  async function loadSummary(): Promise<void> {
    try {
      const s = await api.get<Summary>('/v1/progress');
      if (disposed) return;
      drawSummary(s);
    } catch (err) {
      fail(err);
    }
  }

  function drawSummary(s: Summary): void {
    const pct = (n: number) => formatNumber(n, { style: 'percent', maximumFractionDigits: 1 });
    const cards: [string, Key, string][] = [
      ['summary-total', 'summary.total', formatNumber(s.total)],
      ['summary-todo', 'status.todo', formatNumber(s.by_status.todo)],
      ['summary-in_progress', 'status.in_progress', formatNumber(s.by_status.in_progress)],
      ['summary-done', 'status.done', formatNumber(s.by_status.done)],
      ['summary-expired', 'status.expired', formatNumber(s.by_status.expired)],
      ['summary-completion', 'summary.completion', pct(s.completion_rate)],
      ['summary-average', 'summary.average', `${formatNumber(s.average_progress, { maximumFractionDigits: 1 })}%`],
      ['summary-overdue', 'summary.overdue', formatNumber(s.overdue)],
      ['summary-expiring', 'summary.expiring', formatNumber(s.expiring_within_24h)],
      ['summary-completed-today', 'summary.completedToday', formatNumber(s.completed_today)],
      ['summary-streak', 'summary.streak', formatNumber(s.streak_days)],
    ];
    summaryList.replaceChildren(...cards.map(([testid, label, value]) =>
      h('div', { class: `stat ${testid}` }, h('dt', null, t(label)), h('dd', { testid }, value))));
    summaryList.setAttribute('aria-busy', 'false');
    asOf.textContent = t('summary.asOf', { time: formatDateTime(s.as_of, tz) });
  }

  // ---- the last 30 days
  async function loadDaily(): Promise<void> {
    try {
      const d = await api.get<{ days: DayCount[] }>(`/v1/progress/daily${query({ days: DAYS })}`);
      if (disposed) return;
      days = d.days;
      drawDaily();
    } catch (err) {
      fail(err);
    }
  }

  // Dates are the person's local dates ("2026-03-11"): shown as such, whatever the browser's zone.
  const dateLabel = (i: number, long = false) => {
    const d = days[i]?.date;
    if (!d) return '';
    return new Intl.DateTimeFormat(lang(), long ? { dateStyle: 'medium', timeZone: 'UTC' } : { day: 'numeric', month: 'short', timeZone: 'UTC' })
      .format(Date.parse(`${d}T00:00:00Z`));
  };

  function drawDaily(): void {
    const data: uPlot.AlignedData = [
      days.map((_, i) => i),
      days.map((d) => d.created),
      days.map((d) => d.completed),
      days.map((d) => d.expired),
    ];
    if (chart) chart.setData(data);
    else {
      const width = Math.max(280, chartBox.clientWidth);
      const series = (label: Key, stroke: string, extra: uPlot.Series = {}): uPlot.Series => ({
        label: t(label), stroke, width: 2, points: { size: 5 }, value: (_u, v) => (v == null ? '–' : formatNumber(v)), ...extra,
      });
      chart = new uPlot({
        width,
        height: 240,
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
        axes: [
          { values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? dateLabel(i) : '')), space: 60, stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,.15)' } },
          { values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? formatNumber(v) : '')), stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,.15)' } },
        ],
        series: [
          { label: t('daily.date'), value: (_u, v) => (v == null ? '–' : dateLabel(v, true)) },
          series('daily.created', '#2f6fde', { fill: 'rgba(47,111,222,.08)' }),
          series('daily.completed', '#1a9a5b', { width: 3 }),
          series('daily.expired', '#d2691e', { dash: [6, 4] }), // dashed: a line under it still shows
        ],
        cursor: { drag: { x: false, y: false } },
      }, data, chartBox);
    }
    table.replaceChildren(
      h('thead', null, h('tr', null, ...(['daily.date', 'daily.created', 'daily.completed', 'daily.expired'] as Key[]).map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', null, ...days.map((d, i) => h('tr', null,
        h('th', { scope: 'row' }, dateLabel(i, true)), h('td', null, d.created), h('td', null, d.completed), h('td', null, d.expired)))),
    );
  }

  const resize = new ResizeObserver(() => {
    if (chart && chartBox.clientWidth > 0 && Math.abs(chart.width - chartBox.clientWidth) > 2) {
      chart.setSize({ width: chartBox.clientWidth, height: 240 });
    }
  });
  resize.observe(chartBox);

  // ---- activity
  function activityItem(a: ActivityItem): HTMLElement {
    return h('li', { class: `activity-item activity-${a.type}`, testid: 'activity-item', 'data-type': a.type },
      h('span', { class: 'badge' }, t(`activity.${a.type}`)),
      a.type === 'deleted' ? h('span', { class: 'activity-title' }, a.title) : h('a', { class: 'activity-title', href: `#/tasks/${a.task_id}` }, a.title),
      h('time', { datetime: a.at, title: formatDateTime(a.at, tz), class: 'rel', 'data-at': a.at }, formatRelative(a.at)),
    );
  }

  async function loadActivity(): Promise<void> {
    try {
      const page = await api.get<Page<ActivityItem>>(`/v1/activity${query({ limit: ACTIVITY_PAGE, cursor: activityNext })}`);
      if (disposed) return;
      for (const a of page.items) {
        if (seen.has(a.id)) continue;
        seen.add(a.id);
        activity.append(activityItem(a));
      }
      activityNext = page.next_cursor;
      more.hidden = activityNext === null;
      activityEmpty.hidden = activity.childElementCount > 0;
    } catch (err) {
      fail(err);
    }
  }
  more.addEventListener('click', () => void busy(more, loadActivity));

  // ---- live
  const refresh = debounce(() => {
    void loadSummary();
    void loadDaily();
  }, 300);
  const stopEvents = sse.onTaskEvent((e) => {
    if (!seen.has(e.item.id)) {
      seen.add(e.item.id);
      activity.prepend(activityItem(e.item));
      activityEmpty.hidden = true;
    }
    refresh();
  });
  // "Overdue" and "expiring within a day" change with time alone.
  const timer = setInterval(() => {
    void loadSummary();
    for (const el of activity.querySelectorAll<HTMLElement>('time[data-at]')) el.textContent = formatRelative(el.dataset.at!);
  }, 60_000);

  void session.user().then((u) => {
    tz = u.timezone;
  }, () => undefined).finally(() => {
    if (disposed) return;
    void loadSummary();
    void loadDaily();
    void loadActivity();
  });

  return () => {
    disposed = true;
    refresh.cancel();
    stopEvents();
    clearInterval(timer);
    resize.disconnect();
    chart?.destroy();
  };
}
