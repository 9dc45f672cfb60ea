import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { switchboardNodeFlags } from './node-flags.ts';

export const BIN = resolve(import.meta.dirname, '../../bin/switchboard.js');

export interface RunningProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first match of `pattern` in stdout+stderr. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `switchboard <args>` as a real child process with the given environment. */
export function startSwitchboard(args: string[], env: Record<string, string>): RunningProcess {
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
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs `switchboard <args>` to completion. */
export async function runSwitchboard(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const p = startSwitchboard(args, env);
  const code = await new Promise<number | null>((r) => p.child.on('exit', r));
  return { code, output: p.output() };
}
