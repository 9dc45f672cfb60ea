import { execFile, execFileSync } from 'node:child_process';
import autocannon from 'autocannon';

/**
 * Closed-loop HTTP load: `connections` keep-alive connections, each sending its next request as
 * soon as the last answer arrived, for `seconds`.
 *
 * The load generator shares the machine's cores with the servers it measures, so its own CPU
 * distorts the result. wrk (C, one thread) uses a small fraction of what autocannon (in this
 * Node.js process) uses per request, so it is used when installed (`apt-get install wrk`);
 * `--loadgen autocannon` forces autocannon.
 */
export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  /** Socket errors and answers other than 2xx. */
  errors: number;
}

export type LoadGenerator = 'wrk' | 'autocannon';

export function chooseLoadGenerator(requested: string | undefined): LoadGenerator {
  if (requested === 'autocannon' || requested === 'wrk') return requested;
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    // wrk prints its version and exits 1; only a missing binary is a reason to fall back.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'autocannon';
  }
  return 'wrk';
}

export function load(tool: LoadGenerator, url: string, headers: Record<string, string>, connections: number, seconds: number): Promise<LoadResult> {
  return tool === 'wrk' ? wrk(url, headers, connections, seconds) : autocannonLoad(url, headers, connections, seconds);
}

/**
 * Open-loop load: `rate` requests a second over `connections`, whatever the answers' pace
 * (autocannon's `overallRate`; wrk has no such mode). Servers loaded so do the same number of
 * calls, so their CPU per request compares work done, not how much each batched by being faster.
 */
export function loadAtRate(url: string, headers: Record<string, string>, connections: number, seconds: number, rate: number): Promise<LoadResult> {
  return autocannonLoad(url, headers, connections, seconds, rate);
}

function autocannonLoad(url: string, headers: Record<string, string>, connections: number, seconds: number, overallRate?: number): Promise<LoadResult> {
  return new Promise((resolve, reject) =>
    autocannon({ url, connections, duration: seconds, headers, ...(overallRate && { overallRate }) }, (err, r) =>
      err ? reject(err) : resolve({ requestsPerSecond: r.requests.total / seconds, p50Ms: r.latency.p50, errors: r.errors + r.non2xx }),
    ),
  );
}

function wrk(url: string, headers: Record<string, string>, connections: number, seconds: number): Promise<LoadResult> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
  return new Promise((resolve, reject) =>
    execFile('wrk', args, { encoding: 'utf8' }, (err, out) => {
      if (err) return reject(err);
      const number = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
      const total = number(/(\d+) requests in/);
      const p50 = /50%\s+([\d.]+)(us|ms|s)/.exec(out);
      const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      resolve({
        requestsPerSecond: total / seconds,
        p50Ms: p50 ? Number(p50[1]) * { us: 0.001, ms: 1, s: 1000 }[p50[2] as 'us' | 'ms' | 's'] : NaN,
        errors: number(/Non-2xx or 3xx responses: (\d+)/) + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
      });
    }),
  );
}
