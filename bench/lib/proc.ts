import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** USER_HZ: /proc reports CPU time in these ticks (100 on nearly every Linux). */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

const TICKS = clockTicksPerSecond();

/** Fields of /proc/PID/stat after the command name (which may hold spaces), so index 0 is field 3. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // exited
  }
}

/** CPU seconds (user + system) a process has used so far; 0 once it has exited. */
export function processCpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / TICKS : 0;
}

/**
 * CPU seconds one thread of a process has used so far (/proc/PID/task/TID/stat); a process's
 * main thread has TID = PID. For the server, that is its event loop: the thread that must not
 * saturate, whatever its helper threads use.
 */
export function threadCpuSeconds(pid: number, tid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** Resident memory of a process now, in MiB (VmRSS). */
export function processRssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match?.[1] ? Number(match[1]) / 1024 : Number.NaN;
}

function allPids(): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

/** A process and its direct children: a PostgreSQL postmaster and its backends and workers. */
export function processFamilyCpuSeconds(pid: number): number {
  let total = processCpuSeconds(pid);
  for (const other of allPids()) {
    if (other !== pid && Number(statFields(other)?.[1]) === pid) total += processCpuSeconds(other);
  }
  return total;
}

/** The first process whose command line contains every one of `parts`, or null. */
export function findProcess(parts: string[]): number | null {
  for (const pid of allPids()) {
    let args: string;
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (parts.every((part) => args.includes(part))) return pid;
  }
  return null;
}
