import type { DurationChange } from './access-change.js';

/** The values the runtime answers so the exam applies a student's duration change. */
export interface RuntimeDuration {
  /** For cmi.max_time_allowed (2004) / cmi.student_data.max_time_allowed (1.2); null = leave unset. */
  maxTimeAllowed: string | null;
  numbas: {
    'duration_extension.amount': string;
    'duration_extension.units': 'seconds' | 'percent';
    disable_duration: 'true' | 'false';
  };
}

/** SCORM 2004 timeinterval: whole seconds are a valid ISO 8601 duration, and exact. */
function iso8601Seconds(seconds: number): string {
  return `PT${seconds}S`;
}

/** SCORM 1.2 CMITimespan HHHH:MM:SS; hours cap at four digits, the most the format holds. */
function cmi12Timespan(seconds: number): string {
  const capped = Math.min(seconds, 9999 * 3600 + 59 * 60 + 59);
  const h = Math.floor(capped / 3600);
  const m = Math.floor((capped % 3600) / 60);
  const s = capped % 60;
  return `${String(h).padStart(4, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

function extendedSeconds(base: number, duration: DurationChange): number {
  switch (duration.mode) {
    case 'minutes':
      return base + duration.amount * 60;
    case 'percent':
      return base * (1 + duration.amount / 100);
    case 'none':
    case 'disable':
      return base;
  }
}

/**
 * Numbas reads its own extension from `numbas.duration_extension.*` and applies it to the exam's duration,
 * so those carry the change itself; `max_time_allowed` carries the already extended limit for other players.
 */
export function runtimeDuration(scormVersion: '1.2' | '2004', baseMaxTimeSeconds: number | null, duration: DurationChange): RuntimeDuration {
  const amount = duration.mode === 'minutes' ? Math.round(duration.amount * 60) : duration.mode === 'percent' ? duration.amount : 0;
  const numbas: RuntimeDuration['numbas'] = {
    'duration_extension.amount': String(amount),
    'duration_extension.units': duration.mode === 'percent' ? 'percent' : 'seconds',
    disable_duration: duration.mode === 'disable' ? 'true' : 'false',
  };
  if (duration.mode === 'disable' || baseMaxTimeSeconds === null) return { maxTimeAllowed: null, numbas };
  const seconds = Math.max(0, Math.round(extendedSeconds(baseMaxTimeSeconds, duration)));
  return { maxTimeAllowed: scormVersion === '2004' ? iso8601Seconds(seconds) : cmi12Timespan(seconds), numbas };
}
