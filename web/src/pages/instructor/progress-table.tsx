/** The student progress table: grade, attempts, access tokens (with + and −) and grade report state. */
import { useId, useState } from 'preact/hooks';
import type { GradeReportState, StudentRow } from '../../instructor-api.js';
import { formatInstant } from './dates.js';

export function studentLabel(row: StudentRow): string {
  return row.name ?? row.username ?? row.email ?? `Student ${row.userId}`;
}

export function formatScore(score: number | null): string {
  if (score === null) return '—';
  return `${Math.round(score * 1000) / 10}%`;
}

function reportText(state: GradeReportState | null): string {
  if (state === null) return 'Not sent yet';
  switch (state.status) {
    case 'none':
      return 'Not sent yet';
    case 'queued':
      return 'Queued';
    case 'retrying':
      return state.lastError ? `Retrying: ${state.lastError}` : 'Retrying';
    case 'sent':
      return `Sent ${formatScore(state.sentScore)}${state.sentAt ? ` on ${formatInstant(state.sentAt)}` : ''}`;
    case 'failed':
      return state.lastError ? `Failed: ${state.lastError}` : 'Failed';
    case 'no_outcome_service':
      return 'Not possible: the LMS gave no gradebook column for this student';
    default:
      return state.status;
  }
}

function attemptsText(row: StudentRow): string {
  const limit = row.maxAttempts === 0 ? '' : ` of ${row.maxAttempts + row.accessTokens}`;
  return `${row.attempts}${limit}${row.inProgress ? ' (one in progress)' : ''}`;
}

function matches(row: StudentRow, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return true;
  return [row.name, row.username, row.email].some((v) => v !== null && v.toLowerCase().includes(q));
}

interface ProgressTableProps {
  rows: StudentRow[];
  /** Show "Grade in the LMS" beside our score: only when the LMS gradebook could be read. */
  showLmsGrade?: boolean;
  busyUserId: number | null;
  onTokens: (row: StudentRow, grant: boolean) => void;
}

export function ProgressTable({ rows, showLmsGrade = false, busyUserId, onTokens }: ProgressTableProps) {
  const searchId = useId();
  const countId = useId();
  const [query, setQuery] = useState('');
  const shown = rows.filter((r) => matches(r, query));
  return (
    <>
      <p class="search">
        <label for={searchId}>Search students</label>{' '}
        <input
          id={searchId}
          type="search"
          value={query}
          placeholder="Name, username or email"
          aria-describedby={countId}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />{' '}
        <span id={countId} class="hint" aria-live="polite">
          {query.trim() === '' ? '' : `${shown.length} of ${rows.length} shown`}
        </span>
      </p>
      <div class="table-scroll">
        <table class="progress" data-testid="progress-table">
          <caption class="visually-hidden">Student progress</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Username</th>
              <th scope="col">Score</th>
              {showLmsGrade && <th scope="col">Grade in the LMS</th>}
              <th scope="col">Attempts</th>
              <th scope="col">Access tokens</th>
              <th scope="col">Grade report</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => {
              const who = studentLabel(row);
              const busy = busyUserId === row.userId;
              return (
                <tr key={row.userId} data-user-id={row.userId}>
                  <th scope="row">
                    {row.name ?? '—'}
                    {row.email !== null && <span class="email">{row.email}</span>}
                  </th>
                  <td>{row.username ?? '—'}</td>
                  <td data-testid="score">{formatScore(row.score)}</td>
                  {showLmsGrade && <td data-testid="lms-score">{formatScore(row.lmsScore ?? null)}</td>}
                  <td data-testid="attempts">{attemptsText(row)}</td>
                  <td class="tokens">
                    <button type="button" class="secondary small" aria-label={`Revoke an access token from ${who}`} disabled={busy || row.accessTokens === 0} onClick={() => onTokens(row, false)}>
                      −
                    </button>
                    <span class="token-count" data-testid="token-count">
                      {row.accessTokens}
                    </span>
                    <button type="button" class="secondary small" aria-label={`Grant an access token to ${who}`} disabled={busy} onClick={() => onTokens(row, true)}>
                      +
                    </button>
                  </td>
                  <td data-testid="grade-report">{reportText(row.gradeReport)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {shown.length === 0 && <p class="hint">{rows.length === 0 ? 'No student has opened this exam yet.' : 'No student matches your search.'}</p>}
    </>
  );
}
