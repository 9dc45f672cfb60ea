import { ApiError } from '../platform/errors.ts';

/** Attempts at one vendor call of a bulk job when it fails in a way that may pass (5xx, no answer). */
export const VENDOR_ATTEMPTS = 3;
/** The waits between them, together (1 s, then 3 s). */
export const RETRY_WAITS_MS = 1000 + 3000;

/** Whether a failure may pass if tried again: a 5xx or no answer. A 4xx (credentials, permissions, the data) will not. */
export const mayPass = (err: unknown) => !(err instanceof ApiError) || err.status >= 500;

/**
 * `work`, tried again after 1 s and 3 s while it fails in a way that may pass. `beforeRetry`
 * runs before each retry and may settle it instead (a write whose answer was lost but which
 * went through).
 */
export async function withRetries<T>(work: () => Promise<T>, beforeRetry?: () => Promise<T | undefined>): Promise<T> {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!mayPass(err) || attempt >= VENDOR_ATTEMPTS) throw err;
      await sleep(1000 * 3 ** (attempt - 1));
      const settled = await beforeRetry?.();
      if (settled !== undefined) return settled;
    }
  }
}

/** A failure as a job's message or a row's: ours, then the vendor's words. */
export function describe(err: unknown): { message: string; providerMessage?: string } {
  if (err instanceof ApiError)
    return { message: err.message, ...(err.extras.providerMessage !== undefined && { providerMessage: String(err.extras.providerMessage) }) };
  return { message: err instanceof Error ? err.message : String(err) };
}

/** `describe` in one line. */
export function describeLine(err: unknown): string {
  const d = describe(err);
  return d.providerMessage ? `${d.message} (${d.providerMessage})` : d.message;
}
