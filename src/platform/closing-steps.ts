import type { Logger } from 'pino';

/** One step of closing: its name says, in the log, what a slow close is waiting for. */
export type ClosingStep = readonly [name: string, close: () => unknown];

/**
 * Runs the steps of a close in order. A step still running after `slowMs` is logged as a warning,
 * and again each `slowMs` after: a stop that hangs names what it waits on, for the operator who
 * sent the signal as for a test whose process did not exit.
 *
 * A step that fails is logged, and the steps after it still run: a failed write of the last usage
 * records must not leave the database open. The close then fails with the first error.
 */
export async function closeInSteps(logger: Logger, steps: readonly ClosingStep[], slowMs = 5_000): Promise<void> {
  let failed: { error: unknown } | undefined;
  for (const [name, close] of steps) {
    const started = Date.now();
    const timer = setInterval(() => logger.warn({ step: name, elapsedMs: Date.now() - started }, `closing: still waiting for ${name}`), slowMs);
    timer.unref();
    try {
      await close();
    } catch (error) {
      logger.error({ step: name, err: error }, `closing: ${name} failed`);
      failed ??= { error };
    } finally {
      clearInterval(timer);
    }
  }
  if (failed) throw failed.error;
}
