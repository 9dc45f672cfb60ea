import { spawn, type ChildProcess } from 'node:child_process';
import { switchboardNodeFlags } from '../test/helpers/node-flags.ts';

/** `node` arguments that start `switchboard serve` as `npm start` does. */
export const SWITCHBOARD_SERVE = [...switchboardNodeFlags(), 'bin/switchboard.js', 'serve'];

/**
 * Starts `node <args>` as a server of a benchmark and resolves once its output matches `ready`.
 * Everything it writes is read (a full pipe would stall the server); only the start-up is kept.
 */
export function startNode(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out: string | undefined = '';
    const on = (d: Buffer) => {
      if (out === undefined) return;
      out += d;
      const m = out.match(ready);
      if (m) {
        out = undefined;
        resolve({ child, match: m });
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.on('exit', (code) => reject(new Error(`node ${args.join(' ')} exited ${code}: ${out}`)));
  });
}
