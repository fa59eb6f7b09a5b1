import { readFileSync, readdirSync } from 'node:fs';
import { clockTicksPerSecond, findProcess } from '../lib/proc.js';

const TICKS = clockTicksPerSecond();

/** Fields of /proc/PID/stat after the command name, so index 0 is field 3 (state). */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * CPU seconds PostgreSQL has used so far: the postmaster, its live children, and the
 * children it has already reaped (cutime + cstime). The server's pool closes idle
 * connections after 10 s and opens new ones, so a backend that worked during a phase may be
 * gone at its end; counting only live processes then misses its work, and even subtracts the
 * work it had done before the phase. The reaped children's time keeps the total monotonic.
 */
export function postgresCpuCounter(databaseUrl: string): () => number {
  const port = new URL(databaseUrl).port;
  const postmaster = findProcess(['postgres', '-D', `-p ${port} `]);
  if (postmaster === null) return () => Number.NaN;
  return () => {
    const own = statFields(postmaster);
    if (!own) return Number.NaN;
    // utime, stime, cutime, cstime: fields 14 to 17.
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const fields = statFields(Number(entry));
      if (fields && Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks / TICKS;
  };
}
