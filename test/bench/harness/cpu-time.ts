// CPU time from /proc, so a drain can say where the machine's cores went while it ran (Linux; elsewhere NaN).
import { readdirSync, readFileSync } from 'node:fs';

/** Milliseconds per /proc clock tick: USER_HZ is 100 on every architecture Linux builds for today. */
const MS_PER_TICK = 10;

/** The whole machine's CPU time so far, summed over its cores, in ms. */
export interface MachineCpu {
  readonly totalMs: number;
  /** Idle and waiting for I/O: the headroom. What is neither busy nor idle is the hypervisor's steal. */
  readonly idleMs: number;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone, or not Linux
  }
}

/** Reads the first line of /proc/stat (NaN fields when it cannot be read). */
export function machineCpu(): MachineCpu {
  const line = readOrUndefined('/proc/stat')?.split('\n', 1)[0];
  if (!line?.startsWith('cpu ')) return { totalMs: Number.NaN, idleMs: Number.NaN };
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  return { totalMs: total * MS_PER_TICK, idleMs: (ticks[3] + ticks[4]) * MS_PER_TICK };
}

/** A process's command name and its fields after it (`fields[0]` is the state, field 3 of proc(5)). */
function processStat(pid: number | string): { command: string; fields: string[] } | undefined {
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name may hold spaces and parentheses: fields are counted from after its closing one.
  const close = stat.lastIndexOf(')');
  return { command: stat.slice(stat.indexOf('(') + 1, close), fields: stat.slice(close + 2).split(' ') };
}

/** User plus system CPU time process `pid` has used so far, in ms; NaN when it cannot be read. */
export function processCpuMs(pid: number): number {
  const stat = processStat(pid);
  return stat ? (Number(stat.fields[11]) + Number(stat.fields[12])) * MS_PER_TICK : Number.NaN;
}

/**
 * CPU time of the machine's PostgreSQL so far, in ms: every `postgres` process's own, plus what its exited
 * children used (the postmaster reaps a closed connection's backend and inherits its time), so backends that
 * came and went in between are counted. NaN when /proc cannot be read.
 */
export function postgresCpuMs(): number {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return Number.NaN;
  }
  let ticks = 0;
  for (const pid of pids) {
    const stat = processStat(pid);
    if (stat?.command !== 'postgres') continue;
    // utime, stime, cutime, cstime (fields 14 to 17)
    ticks += stat.fields.slice(11, 15).reduce((sum, t) => sum + Number(t), 0);
  }
  return ticks * MS_PER_TICK;
}
