/**
 * SCORM session times. SCORM 2004 uses ISO 8601 durations (`PT1H2M3.5S`, also `P1DT…`);
 * SCORM 1.2 uses `HHHH:MM:SS.SS`. Returns milliseconds, or null for anything malformed
 * (a bad value from a package must never break saving).
 */
const ISO_DURATION = /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const CMI12_TIMESPAN = /^(\d{2,4}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?$/;

export function parseSessionTime(value: string): number | null {
  const text = value.trim();
  const iso = ISO_DURATION.exec(text);
  if (iso && text !== 'P' && !text.endsWith('T')) {
    const [, y, mo, d, h, mi, s] = iso.map((part) => (part === undefined ? 0 : Number(part)));
    // Years and months have no fixed length; SCORM 2004 uses 365 and 30 days, as most LMSs do.
    const seconds = (y ?? 0) * 365 * 86400 + (mo ?? 0) * 30 * 86400 + (d ?? 0) * 86400 + (h ?? 0) * 3600 + (mi ?? 0) * 60 + (s ?? 0);
    return Math.round(seconds * 1000);
  }
  const old = CMI12_TIMESPAN.exec(text);
  if (old) {
    const [, h, m, s, frac] = old;
    if (Number(m) > 59 || Number(s) > 59) return null;
    return (Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000 + (frac ? Math.round(Number(`0.${frac}`) * 1000) : 0);
  }
  return null;
}

/** Milliseconds as an ISO 8601 duration, for cmi.max_time_allowed. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return `PT${h > 0 ? `${h}H` : ''}${m > 0 ? `${m}M` : ''}${s > 0 || (h === 0 && m === 0) ? `${s}S` : ''}`;
}
