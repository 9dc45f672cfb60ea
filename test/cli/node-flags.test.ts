import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { nodeFlagsOf, switchboardNodeFlags } from '../helpers/node-flags.ts';
import { BIN } from '../helpers/process.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the node flags switchboard runs with', () => {
  it('are the same whether it is started by npm start, another npm script or as the switchboard command', () => {
    const scripts = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    const shebang = readFileSync(BIN, 'utf8').split('\n')[0]!;
    expect(shebang.startsWith('#!/usr/bin/env -S node')).toBe(true);
    const flags = switchboardNodeFlags();
    expect(flags).toContain('--max-semi-space-size=8');
    expect(nodeFlagsOf(shebang.replace('#!/usr/bin/env -S ', '').concat(' bin/switchboard.js'))).toEqual(flags);
    const starting = Object.values(scripts).filter((command) => nodeFlagsOf(command) !== undefined);
    expect(starting.length).toBeGreaterThanOrEqual(3);
    for (const command of starting) expect(nodeFlagsOf(command), command).toEqual(flags);
  });

  it('are ones this node accepts: the command runs through its own first line', async () => {
    const { stdout } = await promisify(execFile)(BIN, ['--help'], { encoding: 'utf8' });
    expect(stdout).toMatch(/serve/);
  });
});
