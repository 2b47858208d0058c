// The progress page's summary (GET /v1/progress): counts by status, completion, average progress,
// overdue, expiring within a day, completed today, streak.
import type { Summary } from '../../api';
import { h } from '../../dom';
import { formatNumber, t, type Key } from '../../i18n';
import { formatDateTime } from '../../time';

export interface SummaryPanel {
  /** The list of numbers, then the time they are as of. */
  elements: HTMLElement[];
  show(s: Summary, tz: string): void;
}

export function summaryPanel(): SummaryPanel {
  const list = h('dl', { class: 'summary', testid: 'summary', 'aria-busy': 'true' });
  const asOf = h('p', { class: 'hint' });
  return {
    elements: [list, asOf],
    show(s, tz) {
      list.replaceChildren(...summaryCards(s).map(([testid, label, value]) =>
        h('div', { class: `stat ${testid}` }, h('dt', null, t(label)), h('dd', { testid }, value))));
      list.setAttribute('aria-busy', 'false');
      asOf.textContent = t('summary.asOf', { time: formatDateTime(s.as_of, tz) });
    },
  };
}

/** Each number: its data-testid, its label and its text. */
function summaryCards(s: Summary): [string, Key, string][] {
  const pct = (n: number) => formatNumber(n, { style: 'percent', maximumFractionDigits: 1 });
  return [
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
}
