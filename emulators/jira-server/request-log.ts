/** One request the emulated Jira received. */
export interface LoggedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  at: string;
}

/**
 * The latest requests to the Jira API (not the control API), oldest first: tests read it to see
 * which calls reached Jira and which were answered elsewhere (a cache, say). Bounded, so a long
 * benchmark does not grow it.
 */
export class RequestLog {
  #entries: LoggedRequest[] = [];

  constructor(private readonly limit = 1000) {}

  add(method: string, url: string, at: number): void {
    this.#entries.push({ method, url, at: new Date(at).toISOString() });
    if (this.#entries.length > this.limit) this.#entries = this.#entries.slice(-this.limit);
  }

  list(): readonly LoggedRequest[] {
    return this.#entries;
  }

  clear(): void {
    this.#entries = [];
  }
}
