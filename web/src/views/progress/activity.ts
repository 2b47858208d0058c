// The progress page's activity feed (GET /v1/activity): newest first, each event once, older ones
// on "load more", new ones from the stream on top.
import type { ActivityItem, Page } from '../../api';
import { h } from '../../dom';
import { t } from '../../i18n';
import { formatDateTime, formatRelative } from '../../time';

export interface ActivityFeed {
  /** The list, its "nothing yet" note, its "load more" button. */
  elements: HTMLElement[];
  more: HTMLButtonElement;
  /** The cursor of the next (older) page; null when there is none. */
  next: string | null;
  /** Adds an older page at the bottom. */
  append(page: Page<ActivityItem>, tz: string): void;
  /** Adds an event from the stream on top. */
  prepend(item: ActivityItem, tz: string): void;
  /** Writes "5 minutes ago" again. */
  refreshTimes(): void;
}

function activityItem(a: ActivityItem, tz: string): HTMLElement {
  return h('li', { class: `activity-item activity-${a.type}`, testid: 'activity-item', 'data-type': a.type },
    h('span', { class: 'badge' }, t(`activity.${a.type}`)),
    a.type === 'deleted' ? h('span', { class: 'activity-title' }, a.title) : h('a', { class: 'activity-title', href: `#/tasks/${a.task_id}` }, a.title),
    h('time', { datetime: a.at, title: formatDateTime(a.at, tz), class: 'rel', 'data-at': a.at }, formatRelative(a.at)),
  );
}

export function activityFeed(): ActivityFeed {
  const seen = new Set<string>();
  const list = h('ol', { class: 'activity', testid: 'activity-list', 'aria-label': t('activity.title') });
  const empty = h('p', { class: 'hint', hidden: true }, t('activity.empty'));
  const more = h('button', { type: 'button', class: 'button-wide', testid: 'activity-load-more', hidden: true }, t('activity.loadMore'));
  const feed: ActivityFeed = {
    elements: [list, empty, more],
    more,
    next: null,
    append(page, tz) {
      for (const a of page.items) {
        if (seen.has(a.id)) continue;
        seen.add(a.id);
        list.append(activityItem(a, tz));
      }
      feed.next = page.next_cursor;
      more.hidden = feed.next === null;
      empty.hidden = list.childElementCount > 0;
    },
    prepend(item, tz) {
      if (seen.has(item.id)) return;
      seen.add(item.id);
      list.prepend(activityItem(item, tz));
      empty.hidden = true;
    },
    refreshTimes() {
      for (const el of list.querySelectorAll<HTMLElement>('time[data-at]')) el.textContent = formatRelative(el.dataset.at!);
    },
  };
  return feed;
}
