import { Cron } from 'croner';
import { badRequest } from '../platform/errors.ts';

/** Fires looked at to find the shortest interval of a trigger. */
const SAMPLED_FIRES = 20;

/**
 * A job's trigger: a Quartz cron expression, as Open Connectors took them (`0 0/15 * 1/1 * ? *`):
 * six or seven fields (seconds first, the year last and optional), days of the week 1–7 for
 * Sunday–Saturday, `?`, `L`, `W` and `#`, in UTC. A five-field Unix expression is refused rather
 * than read with its fields shifted.
 */
export class CronTrigger {
  readonly #cron: Cron;

  private constructor(cron: Cron) {
    this.#cron = cron;
  }

  /**
   * The trigger of `expression`; a 400 naming what is wrong when it is no Quartz expression, fires
   * no more after `now`, or fires twice within `minIntervalMs`.
   */
  static parse(expression: string, now: Date, minIntervalMs: number): CronTrigger {
    let cron: Cron;
    try {
      // `sloppyRanges` reads Quartz's `0/15` (from 0, every 15) as Quartz does.
      cron = new Cron(expression, { mode: '6-or-7-parts', alternativeWeekdays: true, sloppyRanges: true, timezone: 'UTC', paused: true });
    } catch (err) {
      throw badRequest(
        `trigger.cron "${expression.slice(0, 100)}" is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year], e.g. "0 0/15 * * * ?"): ${(err as Error).message.replace(/^CronPattern: /, '')}`,
      );
    }
    const fires = cron.nextRuns(SAMPLED_FIRES, now);
    if (fires.length === 0) throw badRequest(`trigger.cron "${expression.slice(0, 100)}" fires no more after ${now.toISOString()}`);
    for (let i = 1; i < fires.length; i++) {
      const gap = fires[i]!.getTime() - fires[i - 1]!.getTime();
      if (gap < minIntervalMs) {
        throw badRequest(
          `trigger.cron "${expression.slice(0, 100)}" fires ${gap / 1000} s apart; a job fires at most every ${minIntervalMs / 1000} s (SWITCHBOARD_JOBS_MIN_INTERVAL_SECONDS)`,
        );
      }
    }
    return new CronTrigger(cron);
  }

  /** The first fire after `after`, or null when the trigger fires no more. */
  nextAfter(after: Date): Date | null {
    return this.#cron.nextRun(after);
  }
}
