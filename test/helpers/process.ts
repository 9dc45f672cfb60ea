import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { onTestFailed, type RunnerTestCase, TestRunner } from 'vitest';
import { switchboardNodeFlags } from './node-flags.ts';
import { newTestStore } from './test-store.ts';

export const BIN = resolve(import.meta.dirname, '../../bin/switchboard.js');

export interface RunningProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first match of `pattern` in stdout+stderr. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /**
   * Sends a signal and resolves with the exit code. A process that has not exited within
   * `timeoutMs` is killed, and the stop fails with its output: a stop that hangs is a defect to
   * be named, not a test timeout to be guessed at.
   */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/**
 * What a test allows for each switchboard process it starts: a start costs about 1–2 s of CPU,
 * and several times that in wall time when the suite's other workers load both cores.
 */
export const PROCESS_BUDGET_MS = 10_000;

/** How long a signalled process may take to exit: it finishes its calls in flight, then closes its stores. */
export const STOP_BUDGET_MS = 15_000;

/**
 * A test that starts processes must allow time for them: one that relied on the default timeout
 * passed alone and timed out when the machine was busy. Each start inside a test counts against
 * its timeout, and a test that starts more than its timeout allows fails here, saying what to set.
 */
function countStart(): boolean {
  const test = TestRunner.getCurrentTest<RunnerTestCase | undefined>();
  if (!test) return false; // a hook: its own timeout applies
  const meta = test.meta as { switchboardProcesses?: number };
  meta.switchboardProcesses = (meta.switchboardProcesses ?? 0) + 1;
  const needed = meta.switchboardProcesses * PROCESS_BUDGET_MS;
  if (needed > test.timeout)
    throw new Error(
      `"${test.name}" starts switchboard process ${meta.switchboardProcesses} with a timeout of ${test.timeout} ms: give it { timeout: ${needed} } or more (PROCESS_BUDGET_MS per process)`,
    );
  return true;
}

/** Starts `switchboard <args>` as a real child process with the given environment. */
export function startSwitchboard(args: string[], env: Record<string, string>): RunningProcess {
  const inTest = countStart();
  const child = spawn(process.execPath, [...switchboardNodeFlags(), BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  // A test that fails before it stops its process would leave it running past the test run.
  if (inTest)
    onTestFailed(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
  return {
    child,
    output: () => out,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolvePromise, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (m) {
            listeners.delete(check);
            clearTimeout(timer);
            resolvePromise(m);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; output:\n${out}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then(() => {
          if (!out.match(pattern)) {
            clearTimeout(timer);
            reject(new Error(`process exited before ${pattern}; output:\n${out}`));
          }
        });
        check();
      });
    },
    async stop(signal = 'SIGTERM', timeoutMs = STOP_BUDGET_MS) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const overdue = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`switchboard did not exit within ${timeoutMs} ms of ${signal}; output:\n${out}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([exited, overdue]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The secrets a first start prints in its banner (test/cli/serve.test.ts checks the banner itself). */
export function bannerSecrets(output: string): { organization: string; user: string } {
  const organization = /Organization secret: ([0-9a-f]{32})/.exec(output)?.[1];
  const user = /User secret: +(\S{44})/.exec(output)?.[1];
  if (!organization || !user) throw new Error(`no secrets in the start banner; output:\n${output}`);
  return { organization, user };
}

/** A running `serve --demo`, and what its banner prints for the documented cURL. */
export interface RunningDemo {
  process: RunningProcess;
  /** `http://127.0.0.1:<port>/elements/api-v2` */
  api: string;
  /** `User …, Organization …` */
  authorization: string;
  /** The body of the printed `POST /instances`. */
  instance: Record<string, any>;
}

/** Starts `serve --demo` on a test store with its own Jira, at `LOG_LEVEL` and with `env` beside it. */
export async function startDemo(logLevel: string, env: Record<string, string> = {}): Promise<RunningDemo> {
  const target = await newTestStore();
  const p = startSwitchboard(['serve', '--demo', '--demo-jira-port', '0'], {
    SWITCHBOARD_DATA_DIR: target.dataDir,
    PORT: '0',
    LOG_LEVEL: logLevel,
    ...(target.databaseUrl && { DATABASE_URL: target.databaseUrl }),
    ...env,
  });
  const api = (await p.waitFor(/listening on (http:\/\/\S+)/))[1]!;
  const out = p.output();
  return {
    process: p,
    api,
    authorization: /-H "Authorization: (User \S+, Organization \S+)"/.exec(out)![1]!,
    instance: JSON.parse(/-d '(\{.*\})'/.exec(out)![1]!),
  };
}

/** Runs `switchboard <args>` to completion. */
export async function runSwitchboard(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const p = startSwitchboard(args, env);
  const code = await new Promise<number | null>((r) => p.child.on('exit', r));
  return { code, output: p.output() };
}
