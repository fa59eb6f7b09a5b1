/** The instructor dashboard: who took the exam, how they did, and their grades' way to the LMS. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { type Dashboard, type StudentRow, changeAccessTokens, getDashboard } from '../../instructor-api.js';
import { NeverLaunched } from './never-launched.js';
import { ProgressTable, studentLabel } from './progress-table.js';
import { ReportScores } from './report-scores.js';

const METHOD: Record<Dashboard['gradingMethod'], string> = { highest: 'highest score', last: 'last attempt', average: 'average of attempts' };

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

type Load = { kind: 'loading' } | { kind: 'failed'; message: string } | { kind: 'ready'; dashboard: Dashboard };

export function DashboardTab() {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [busyUserId, setBusyUserId] = useState<number | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(() => {
    getDashboard().then(
      (dashboard) => setLoad({ kind: 'ready', dashboard }),
      (failure: Error) => setLoad({ kind: 'failed', message: failure.message }),
    );
  }, []);
  useEffect(reload, [reload]);

  if (load.kind === 'loading') {
    return (
      <p role="status" class="loading">
        Loading the dashboard…
      </p>
    );
  }
  if (load.kind === 'failed') {
    return (
      <div role="alert" class="form-error">
        <p>{load.message}</p>
        <button type="button" onClick={reload}>
          Try again
        </button>
      </div>
    );
  }
  const { dashboard } = load;

  const onTokens = (row: StudentRow, grant: boolean) => {
    setBusyUserId(row.userId);
    setError(null);
    changeAccessTokens(row.userId, grant).then(
      (count) => {
        setBusyUserId(null);
        setLoad({ kind: 'ready', dashboard: { ...dashboard, students: dashboard.students.map((s) => (s.userId === row.userId ? { ...s, accessTokens: count } : s)) } });
        setStatus(`${studentLabel(row)} now has ${plural(count, 'access token', 'access tokens')}.`);
      },
      (failure: Error) => {
        setBusyUserId(null);
        setError(failure.message);
      },
    );
  };

  const { counts } = dashboard;
  return (
    <>
      <h2>Dashboard</h2>
      <p class="counts" data-testid="dashboard-counts">
        {plural(counts.attempts, 'attempt', 'attempts')} by {plural(counts.studentsWithAttempts, 'student', 'students')}
        {counts.students > counts.studentsWithAttempts ? ` (${counts.students} opened the exam)` : ''}.
      </p>
      <p class="hint">Scores count by {METHOD[dashboard.gradingMethod] ?? dashboard.gradingMethod}. Each access token allows one more attempt.</p>
      <p role="status" class="loading" data-testid="dashboard-status">
        {status}
      </p>
      {error !== null && (
        <p role="alert" class="form-error">
          {error}
        </p>
      )}
      <ProgressTable rows={dashboard.students} showLmsGrade={dashboard.lmsGrades?.available === true} busyUserId={busyUserId} onTokens={onTokens} />
      <NeverLaunched />
      <ReportScores onFinished={reload} />
    </>
  );
}
