// #/progress: the summary (GET /v1/progress), a chart of the last 30 days (GET /v1/progress/daily,
// drawn with uPlot) and the activity feed (GET /v1/activity, "load more"), all following the stream.
// The parts are in views/progress/: summary, daily-chart, activity.
import { api, ApiError, query, type ActivityItem, type DayCount, type Page, type Summary } from '../api';
import { debounce, h } from '../dom';
import { t } from '../i18n';
import * as session from '../session';
import * as sse from '../sse';
import { busy, describe, section } from '../ui';
import { activityFeed } from './progress/activity';
import { dailyChart } from './progress/daily-chart';
import { summaryPanel } from './progress/summary';

const DAYS = 30;
const ACTIVITY_PAGE = 20;

export function progressView(root: HTMLElement): () => void {
  let disposed = false;
  let tz = 'UTC';
  const summary = summaryPanel();
  const daily = dailyChart();
  const activity = activityFeed();
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });

  root.append(
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, t('progress.title'))),
    error,
    section(t('summary.title'), ...summary.elements),
    section(t('daily.title'), ...daily.elements),
    section(t('activity.title'), ...activity.elements),
  );

  function fail(err: unknown): void {
    if (disposed || (err instanceof ApiError && err.sessionEnded)) return;
    error.textContent = describe(err);
    error.hidden = false;
  }

  async function loadSummary(): Promise<void> {
    try {
      const s = await api.get<Summary>('/v1/progress');
      if (disposed) return;
      summary.show(s, tz);
    } catch (err) {
      fail(err);
    }
  }

  async function loadDaily(): Promise<void> {
    try {
      const d = await api.get<{ days: DayCount[] }>(`/v1/progress/daily${query({ days: DAYS })}`);
      if (disposed) return;
      daily.show(d.days);
    } catch (err) {
      fail(err);
    }
  }

  async function loadActivity(): Promise<void> {
    try {
      const page = await api.get<Page<ActivityItem>>(`/v1/activity${query({ limit: ACTIVITY_PAGE, cursor: activity.next })}`);
      if (disposed) return;
      activity.append(page, tz);
    } catch (err) {
      fail(err);
    }
  }
  activity.more.addEventListener('click', () => void busy(activity.more, loadActivity));

  // ---- live
  const refresh = debounce(() => {
    void loadSummary();
    void loadDaily();
  }, 300);
  const stopEvents = sse.onTaskEvent((e) => {
    activity.prepend(e.item, tz);
    refresh();
  });
  // "Overdue" and "expiring within a day" change with time alone.
  const timer = setInterval(() => {
    void loadSummary();
    activity.refreshTimes();
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
    daily.destroy();
  };
}
