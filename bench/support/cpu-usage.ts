/**
 * CPU time of processes, read from /proc (Linux): a benchmark reports CPU milliseconds per unit
 * of work for each process, which stays meaningful on a shared, noisy machine where wall-clock
 * figures do not. Elsewhere every figure is null.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** utime + stime of one process in milliseconds, or null when it cannot be read. */
export function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // The command name (field 2) may contain spaces; the fields after it are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Summed CPU milliseconds of every process whose command line matches, e.g. PostgreSQL backends. */
export function cpuMsMatching(pattern: RegExp): number | null {
  let total = 0;
  let found = false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (!pattern.test(cmdline)) continue;
      const ms = cpuMs(Number(pid));
      if (ms !== null) {
        total += ms;
        found = true;
      }
    } catch {
      // the process ended meanwhile
    }
  }
  return found ? total : null;
}

export type CpuSample = Record<string, number | null>;

/** CPU milliseconds per unit of work between two samples, per process group. */
export function cpuPerUnit(before: CpuSample, after: CpuSample, units: number): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const key of Object.keys(after)) {
    const a = after[key];
    const b = before[key];
    out[key] =
      a === null || b === null || b === undefined || units === 0 ? null : Math.round(((a - b) / units) * 1000) / 1000;
  }
  return out;
}
