// A task's expiry as the list and the task page show it: the countdown while it can still expire,
// and the PATCH of the "extend" button once it has.
import type { Task } from '../api';
import { t } from '../i18n';
import { formatCountdown } from '../time';

const ONE_DAY = 86400;

/** Whether a task shows a countdown: it has an expiry and can still expire. */
export function willExpire(task: Task): boolean {
  return task.expires_at !== null && (task.status === 'todo' || task.status === 'in_progress');
}

/** The PATCH that extends an expired task: the person's default expiry, else one day. */
export function extendPatch(defaultTtl: number | null): { ttl_seconds: number } {
  return { ttl_seconds: defaultTtl && defaultTtl > 0 ? defaultTtl : ONE_DAY };
}

export function countdownText(expiresAt: string, now: number): string {
  const left = Date.parse(expiresAt) - now;
  return left > 0 ? t('task.expiresIn', { t: formatCountdown(left) }) : t('task.expiring');
}
