import type { EmulatorConfig } from './config.ts';

/** An injected fault: the next `remaining` requests whose method and path match misbehave. */
export interface Fault {
  id: number;
  /** Regular expression matched against the path (without query). */
  path: string;
  method?: string;
  remaining: number;
  kind: 'status' | 'html' | 'delay' | 'drop';
  status?: number;
  body?: unknown;
  delayMs?: number;
  headers?: Record<string, string>;
}

export class Faults {
  #faults: Fault[] = [];
  // Each fault's path, compiled once (an invalid expression fails `add`).
  readonly #patterns = new Map<Fault, RegExp>();
  #next = 0;

  add(f: Omit<Fault, 'id'>): Fault {
    const pattern = new RegExp(f.path);
    const fault = { ...f, id: ++this.#next };
    if (fault.remaining <= 0) return fault;
    this.#faults.push(fault);
    this.#patterns.set(fault, pattern);
    return fault;
  }

  /** The fault that applies to this request, consuming one of its uses. */
  take(method: string, path: string): Fault | undefined {
    if (this.#faults.length === 0) return undefined;
    const f = this.#faults.find((x) => (!x.method || x.method.toUpperCase() === method) && this.#patterns.get(x)!.test(path));
    if (f && --f.remaining <= 0) {
      this.#faults = this.#faults.filter((x) => x !== f);
      this.#patterns.delete(f);
    }
    return f;
  }

  list(): Fault[] {
    return [...this.#faults];
  }

  clear(): void {
    this.#faults = [];
    this.#patterns.clear();
  }
}

/** Jira DC's per-user token bucket (jira-server.md §7). */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly config: () => EmulatorConfig) {}

  /** Headers for this request and whether it may proceed. */
  check(userKey: string, now: number): { allowed: boolean; headers: Record<string, string> } {
    const { capacity, fillRate, intervalSeconds } = this.config().rateLimit;
    const bucket = this.#buckets.get(userKey) ?? { tokens: capacity, at: now };
    const intervals = Math.floor((now - bucket.at) / (intervalSeconds * 1000));
    if (intervals > 0) {
      bucket.tokens = Math.min(capacity, bucket.tokens + intervals * fillRate);
      bucket.at += intervals * intervalSeconds * 1000;
    }
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.#buckets.set(userKey, bucket);
    const waitMs = allowed ? 0 : intervalSeconds * 1000 - (now - bucket.at);
    return {
      allowed,
      headers: {
        'X-RateLimit-Limit': String(capacity),
        'X-RateLimit-Remaining': String(Math.floor(bucket.tokens)),
        'X-RateLimit-FillRate': String(fillRate),
        'X-RateLimit-Interval-Seconds': String(intervalSeconds),
        'Retry-After': String(allowed ? 0 : Math.max(1, Math.ceil(waitMs / 1000))),
      },
    };
  }

  clear(): void {
    this.#buckets.clear();
  }
}
