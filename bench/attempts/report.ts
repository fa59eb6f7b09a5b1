import type { PhaseResult } from './phase-stats.js';
import type { AttemptBenchResult } from './run.js';

/** The acceptance targets, on a 2-core machine with the load generator on the same cores. */
export const TARGETS = {
  students: 5_000,
  saturationElementsPerSecond: 30_000,
  realisticP99Ms: 100,
  resumeMs: 20,
} as const;

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '–');
const n = (v: number): string => Math.round(v).toLocaleString('en-US');

function phaseRow(p: PhaseResult): string {
  return `| ${p.name} | ${p.seconds.toFixed(1)} | ${n(p.ackedBatches)} | ${n(p.ackedElements)} | ${n(p.elementsPerSecond)} | ${ms(p.p50Ms)} | ${ms(p.p95Ms)} | ${ms(p.p99Ms)} | ${ms(p.maxMs)} | ${p.refused} / ${p.unacked} | ${n(p.serverRssMiB)} | ${p.serverCpuCores.toFixed(2)} | ${p.serverEventLoopCores.toFixed(2)} | ${Number.isFinite(p.databaseCpuCores) ? p.databaseCpuCores.toFixed(2) : '–'} | ${p.clientCpuCores.toFixed(2)} | ${p.otherCpuCores.toFixed(2)} | ${n(p.transactions)} (${p.batchesPerTransaction.toFixed(1)}) |`;
}

/** Phases that shared the machine with other work: worth a rerun before anyone quotes them. */
export function noiseLines(r: AttemptBenchResult, threshold: number): string[] {
  return r.phases
    .filter((p) => p.otherCpuCores > threshold)
    .map((p) => `Note: ${r.database} phase ${p.name} shared the machine with other processes (${p.otherCpuCores.toFixed(2)} cores): rerun on an idle machine before quoting it.`);
}

export function resultLines(r: AttemptBenchResult): string[] {
  const errors = Object.entries(r.errors).map(([label, count]) => `${label}: ${count}`).join(', ');
  return [
    `### ${r.database} ${r.databaseVersion}`,
    '',
    `Settings: ${r.databaseSettings}.`,
    `Setup (not timed in any phase): ${n(r.students)} students launched, started and opened an attempt and connected their socket in ${r.setup.seconds.toFixed(1)} s (per student ${ms(r.setup.meanMs)} ms mean, ${ms(r.setup.maxMs)} ms worst); server RSS then ${n(r.setup.serverRssMiB)} MiB.`,
    '',
    '| Phase | s | Batches acked | Elements acked | Elements/s | p50 ms | p95 ms | p99 ms | max ms | Refused / unacked | Server RSS MiB | Server CPU | Event loop CPU | DB CPU | Bench CPU | Other CPU | Transactions (batches each) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.phases.map(phaseRow),
    '',
    `Resume: an attempt with a ${n(r.resume.historyElements)}-element history (${r.resume.keys} current keys, stored in ${r.resume.buildSeconds.toFixed(1)} s): \`GET /api/attempts/:id/launch\` ${r.resume.runs}× in a row, p50 ${ms(r.resume.p50Ms)} ms, p95 ${ms(r.resume.p95Ms)} ms, p99 ${ms(r.resume.p99Ms)} ms, max ${ms(r.resume.maxMs)} ms.`,
    `Lost elements: ${r.loss.lost} (${n(r.loss.ackedBatches)} acknowledged batches / ${n(r.loss.ackedElements)} elements checked against attempt_history; ${r.loss.missingElements} missing, ${r.loss.unackedElements} never acknowledged, ${r.loss.duplicatedElements} stored twice).`,
    gradeLine(r),
    `Sockets still open at the end: ${n(r.connectedAtEnd)} of ${n(r.students)}. Client errors: ${errors === '' ? 'none' : errors}.`,
    ...(r.serverLog === '' ? [] : ['', 'The server logged:', '```', r.serverLog, '```']),
  ];
}

const counts = (record: Record<string, number>): string => Object.entries(record).map(([k, v]) => `${k} ${n(v)}`).join(', ') || 'none';

function gradeLine(r: AttemptBenchResult): string {
  const g = r.grades;
  const lms = g.lmsLatencyMs === null
    ? 'The launches named no outcome service (`--lms none`).'
    : `Grades: the LMS (answering after ${g.lmsLatencyMs} ms) accepted ${n(g.lmsAccepted)} replaceResult requests during the run and refused ${n(g.lmsRefused)}, at most ${g.lmsMaxInFlight} at once.`;
  return `${lms} Send audit rows: ${counts(g.audit)}. Grade jobs at the end: ${counts(g.jobs)}.`;
}

const verdict = (met: boolean): string => (met ? 'met' : '**not met**');

export function targetLines(r: AttemptBenchResult): string[] {
  const byName = (prefix: string): PhaseResult | undefined => r.phases.find((p) => p.name.startsWith(prefix));
  const saturation = byName('C');
  const realistic = byName('B');
  const connected = r.connectedAtEnd === r.students && r.students >= TARGETS.students;
  return [
    `- ${n(TARGETS.students)} concurrent students connected: ${verdict(connected)} (${n(r.connectedAtEnd)} of ${n(r.students)} connected through every phase).`,
    `- ≥ ${n(TARGETS.saturationElementsPerSecond)} elements/s acknowledged at saturation: ${verdict((saturation?.elementsPerSecond ?? 0) >= TARGETS.saturationElementsPerSecond)} (${n(saturation?.elementsPerSecond ?? 0)}/s).`,
    `- p99 acknowledgement < ${TARGETS.realisticP99Ms} ms at the realistic rate: ${verdict((realistic?.p99Ms ?? Infinity) < TARGETS.realisticP99Ms)} (${ms(realistic?.p99Ms ?? Number.NaN)} ms).`,
    `- Resume of a 20,000-element attempt < ${TARGETS.resumeMs} ms: ${verdict(r.resume.p99Ms < TARGETS.resumeMs)} (p99 ${ms(r.resume.p99Ms)} ms, p50 ${ms(r.resume.p50Ms)} ms).`,
    `- Lost elements 0: ${verdict(r.loss.lost === 0)} (${r.loss.lost}).`,
  ];
}
