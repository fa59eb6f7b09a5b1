import { readFileSync } from 'node:fs';
import { clockTicksPerSecond } from './proc.js';

/** CPU time the whole machine spent busy (not idle or waiting on I/O) so far, in clock ticks. */
function busyTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu  user nice system idle iowait irq softirq steal …
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return total - (fields[3] ?? 0) - (fields[4] ?? 0);
}

/**
 * Measures how many cores the whole machine kept busy over a window. Set against the CPU of
 * the server, the database and the bench it shows what else ran: another job on the
 * machine makes the numbers worthless, and the report says so.
 */
export function startMachineCpuWindow(): () => number {
  const ticks = busyTicks();
  const start = performance.now();
  return () => (busyTicks() - ticks) / clockTicksPerSecond() / ((performance.now() - start) / 1000);
}
