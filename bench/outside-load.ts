import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks a second in /proc (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;
/** Outside load above this share of one core makes a round's figures suspect. */
const NOTICEABLE_SHARE = 0.05;

/** CPU ticks so far of every process, by pid, with its parent. */
function processes(): Map<number, { ppid: number; ticks: number }> {
  const out = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    // A process may end between the listing and the read.
    try {
      // The command name, in parentheses, may hold spaces: fields are counted after its end.
      const fields = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {}
  }
  return out;
}

/** CPU ticks so far of every process outside this one's tree (itself, its children, theirs). */
function outsideTicks(): Map<number, number> {
  const all = processes();
  const ours = new Set([process.pid]);
  // Parents are listed before most children, not all: repeat until the tree stops growing.
  for (let grown = true; grown; ) {
    grown = false;
    for (const [pid, p] of all) {
      if (!ours.has(pid) && ours.has(p.ppid)) {
        ours.add(pid);
        grown = true;
      }
    }
  }
  const out = new Map<number, number>();
  for (const [pid, p] of all) if (!ours.has(pid)) out.set(pid, p.ticks);
  return out;
}

/**
 * Watches the CPU that processes outside the benchmark use while it measures: a test run or a
 * build beside it takes cores from the servers under load and skews the rounds it overlaps.
 * Linux only (/proc); a process that starts and ends within a round is not seen.
 */
export class OutsideLoad {
  #start = outsideTicks();
  #startedAt = performance.now();

  /** Starts a new period. */
  reset(): void {
    this.#start = outsideTicks();
    this.#startedAt = performance.now();
  }

  /** A warning naming the share of one core used outside since the start of the period, or '' below 5%. */
  warning(): string {
    const now = outsideTicks();
    let ticks = 0;
    for (const [pid, t] of now) ticks += t - (this.#start.get(pid) ?? 0);
    const share = ticks / TICKS_PER_SECOND / ((performance.now() - this.#startedAt) / 1000);
    return share > NOTICEABLE_SHARE ? ` [other processes used ${(share * 100).toFixed(0)}% of a core meanwhile: this round's figures are skewed]` : '';
  }
}
