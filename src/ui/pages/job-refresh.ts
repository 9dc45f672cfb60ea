import type { ScheduledJob } from '../api.ts';

/** How often the list is read again while a fire runs, and the least wait before any read. */
const REFRESH_MS = 3000;
/** The longest the list goes unread while jobs exist: jobs made or deleted elsewhere show by then. */
const IDLE_REFRESH_MS = 60_000;

/**
 * When to read the list again: each job's last fire and next fire move on their own, so soon after
 * the next fire is due (a fire is made within a second of its time), and every few seconds while
 * one runs. Each read decrypts every job's call, so the list is not read more often than that.
 */
export function refreshDelay(jobs: readonly ScheduledJob[], now: number): number | undefined {
  if (jobs.length === 0) return undefined;
  if (jobs.some((j) => j.lastFire !== null && j.lastFire.finishedDate === null)) return REFRESH_MS;
  const due = Math.min(...jobs.map((j) => (j.nextFireDate === null ? Number.POSITIVE_INFINITY : Date.parse(j.nextFireDate))));
  return Math.min(IDLE_REFRESH_MS, Math.max(REFRESH_MS, due - now + 1000));
}
