/** "Report scores back to the LMS": starts the job, follows its progress, then sums up. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type JobInfo, getJob, startReportScores } from '../../instructor-api.js';
import { isRecord } from '../../json-guards.js';

const POLL_MS = 1000;

interface Progress {
  done: number;
  total: number;
}

interface Summary {
  sent: number;
  failed: Array<{ name: string; reason: string }>;
  nothingToSend: number;
  retrying: number;
}

function progressOf(job: JobInfo): Progress | null {
  const p = job.progress;
  return isRecord(p) && typeof p.done === 'number' && typeof p.total === 'number' ? { done: p.done, total: p.total } : null;
}

function summaryOf(job: JobInfo): Summary | null {
  const r = job.result;
  if (!isRecord(r) || typeof r.sent !== 'number' || !Array.isArray(r.failed)) return null;
  const failed = r.failed.filter(isRecord).map((f) => ({
    name: typeof f.name === 'string' ? f.name : `Student ${String(f.userId)}`,
    reason: typeof f.reason === 'string' ? f.reason : 'unknown reason',
  }));
  const count = (v: unknown) => (typeof v === 'number' ? v : 0);
  return { sent: r.sent, failed, nothingToSend: count(r.nothingToSend), retrying: count(r.retrying) };
}

type State = { kind: 'idle' } | { kind: 'running'; jobId: number; progress: Progress | null } | { kind: 'finished'; job: JobInfo } | { kind: 'error'; message: string };

export function ReportScores({ onFinished }: { onFinished: () => void }) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const timer = useRef<number | null>(null);

  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );

  const poll = (jobId: number) => {
    getJob(jobId).then(
      (job) => {
        if (job.state === 'done' || job.state === 'failed' || job.state === 'cancelled') {
          setState({ kind: 'finished', job });
          onFinished();
          return;
        }
        setState({ kind: 'running', jobId, progress: progressOf(job) });
        timer.current = window.setTimeout(() => poll(jobId), POLL_MS);
      },
      (error: Error) => setState({ kind: 'error', message: error.message }),
    );
  };

  const start = () => {
    setState({ kind: 'running', jobId: 0, progress: null });
    startReportScores().then(
      (jobId) => poll(jobId),
      (error: Error) => setState({ kind: 'error', message: error.message }),
    );
  };

  const running = state.kind === 'running';
  const summary = state.kind === 'finished' ? summaryOf(state.job) : null;
  return (
    <section aria-labelledby="report-heading" class="report-scores">
      <h3 id="report-heading">Grades in the LMS</h3>
      <p>
        <button type="button" onClick={start} disabled={running} data-testid="report-scores">
          Report scores back to the LMS
        </button>
      </p>
      <div aria-live="polite" data-testid="report-status">
        {running && (
          <p>
            <progress
              max={state.progress?.total || 1}
              value={state.progress?.done ?? 0}
              aria-label="Reporting scores"
              data-testid="report-progress"
            />{' '}
            {state.progress ? `${state.progress.done} of ${state.progress.total}` : 'Starting…'}
          </p>
        )}
        {state.kind === 'finished' && state.job.state !== 'done' && (
          <p class="form-error">The report did not finish{state.job.lastError ? `: ${state.job.lastError}` : '.'}</p>
        )}
        {summary !== null && (
          <div data-testid="report-summary">
            <p>
              Sent {summary.sent} {summary.sent === 1 ? 'score' : 'scores'}.
              {summary.nothingToSend > 0 ? ` ${summary.nothingToSend} with no score yet.` : ''}
              {summary.failed.length === 0 ? '' : ` ${summary.failed.length} failed:`}
            </p>
            {summary.failed.length > 0 && (
              <ul>
                {summary.failed.map((f) => (
                  <li key={`${f.name}:${f.reason}`}>
                    {f.name}: {f.reason}
                  </li>
                ))}
              </ul>
            )}
            {summary.retrying > 0 && <p>{summary.retrying} of the failed will be tried again automatically.</p>}
          </div>
        )}
      </div>
      {state.kind === 'error' && (
        <p role="alert" class="form-error">
          {state.message}
        </p>
      )}
    </section>
  );
}
