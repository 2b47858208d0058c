// The progress page's last days (GET /v1/progress/daily): tasks created, completed and expired
// each day, as a chart (uPlot, resized with its box) and as a table.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DayCount } from '../../api';
import { h } from '../../dom';
import { formatNumber, lang, t, type Key } from '../../i18n';

const HEIGHT = 240;

export interface DailyChart {
  /** The chart, then the table (folded). */
  elements: HTMLElement[];
  show(days: DayCount[]): void;
  destroy(): void;
}

export function dailyChart(): DailyChart {
  let chart: uPlot | null = null;
  let days: DayCount[] = [];
  const box = h('div', { class: 'chart', testid: 'daily-chart', role: 'img', 'aria-label': t('daily.chartLabel') });
  const table = h('table', { class: 'daily-table' });

  // Dates are the person's local dates ("2026-03-11"): shown as such, whatever the browser's zone.
  const dateLabel = (i: number, long = false) => {
    const d = days[i]?.date;
    if (!d) return '';
    return new Intl.DateTimeFormat(lang(), long ? { dateStyle: 'medium', timeZone: 'UTC' } : { day: 'numeric', month: 'short', timeZone: 'UTC' })
      .format(Date.parse(`${d}T00:00:00Z`));
  };

  const resize = new ResizeObserver(() => {
    if (chart && box.clientWidth > 0 && Math.abs(chart.width - box.clientWidth) > 2) {
      chart.setSize({ width: box.clientWidth, height: HEIGHT });
    }
  });
  resize.observe(box);

  return {
    elements: [box, h('details', { class: 'daily-details' }, h('summary', null, t('daily.table')), table)],
    show(next) {
      days = next;
      const data: uPlot.AlignedData = [
        days.map((_, i) => i),
        days.map((d) => d.created),
        days.map((d) => d.completed),
        days.map((d) => d.expired),
      ];
      if (chart) chart.setData(data);
      else chart = new uPlot(chartOptions(Math.max(280, box.clientWidth), dateLabel), data, box);
      table.replaceChildren(
        h('thead', null, h('tr', null, ...(['daily.date', 'daily.created', 'daily.completed', 'daily.expired'] as Key[]).map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', null, ...days.map((d, i) => h('tr', null,
          h('th', { scope: 'row' }, dateLabel(i, true)), h('td', null, d.created), h('td', null, d.completed), h('td', null, d.expired)))),
      );
    },
    destroy() {
      resize.disconnect();
      chart?.destroy();
    },
  };
}

/** The chart's scales, axes and series; x is the day's index, labelled by dateLabel. */
function chartOptions(width: number, dateLabel: (i: number, long?: boolean) => string): uPlot.Options {
  const series = (label: Key, stroke: string, extra: uPlot.Series = {}): uPlot.Series => ({
    label: t(label), stroke, width: 2, points: { size: 5 }, value: (_u, v) => (v == null ? '–' : formatNumber(v)), ...extra,
  });
  return {
    width,
    height: HEIGHT,
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
  };
}
