/** Access changes: per-student overrides of the exam's dates, attempts and duration. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { type AccessChange, type AccessChangesAnswer, deleteAccessChange, getAccessChanges } from '../../instructor-api.js';
import { AccessChangeForm } from './access-change-form.js';
import { formatInstant } from './dates.js';

function whatItChanges(c: AccessChange): string {
  const parts: string[] = [];
  if (c.availableFrom !== null) parts.push(`available from ${formatInstant(c.availableFrom)}`);
  if (c.availableUntil !== null) parts.push(`available until ${formatInstant(c.availableUntil)}`);
  if (c.extendDeadlineMinutes !== null) parts.push(`deadline ${c.extendDeadlineMinutes} minutes later`);
  if (c.maxAttempts !== null) parts.push(c.maxAttempts === 0 ? 'unlimited attempts' : `up to ${c.maxAttempts} attempts`);
  switch (c.duration.mode) {
    case 'minutes':
      parts.push(`${c.duration.amount ?? 0} extra minutes`);
      break;
    case 'percent':
      parts.push(`${c.duration.amount ?? 0}% extra time`);
      break;
    case 'disable':
      parts.push('no time limit');
      break;
    default:
      break;
  }
  return parts.join('; ');
}

type Load = { kind: 'loading' } | { kind: 'failed'; message: string } | { kind: 'ready'; answer: AccessChangesAnswer };

export function AccessChangesTab() {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<number | null>(null);

  const reload = useCallback(() => {
    getAccessChanges().then(
      (answer) => setLoad({ kind: 'ready', answer }),
      (failure: Error) => setLoad({ kind: 'failed', message: failure.message }),
    );
  }, []);
  useEffect(reload, [reload]);

  if (load.kind !== 'ready') {
    return load.kind === 'failed' ? (
      <p role="alert" class="form-error">
        {load.message}
      </p>
    ) : (
      <p role="status" class="loading">
        Loading the access changes…
      </p>
    );
  }
  const { changes, you } = load.answer;

  const remove = (change: AccessChange) => {
    setDeleting(change.id);
    setError(null);
    deleteAccessChange(change.id).then(
      () => {
        setDeleting(null);
        setStatus(`Deleted “${change.description}”.`);
        reload();
      },
      (failure: Error) => {
        setDeleting(null);
        setError(failure.message);
      },
    );
  };

  return (
    <>
      <h2>Access changes</h2>
      <p class="hint">Give some students other dates, more attempts or more time. Changes apply at once, also to attempts in progress.</p>
      <p role="status" class="loading" data-testid="access-changes-status">
        {status}
      </p>
      {error !== null && (
        <p role="alert" class="form-error">
          {error}
        </p>
      )}
      {changes.length === 0 ? (
        <p>No access changes yet.</p>
      ) : (
        <ul class="access-changes" data-testid="access-changes">
          {[...changes].reverse().map((c) => (
            <li key={c.id}>
              <p>
                <strong>{c.description}</strong> <span class="hint">(added {formatInstant(c.createdAt)})</span>
              </p>
              <p>For: {c.targets.map((t) => t.value).join(', ')}</p>
              <p>Changes: {whatItChanges(c)}</p>
              <button type="button" class="secondary" aria-label={`Delete access change “${c.description}”`} disabled={deleting === c.id} onClick={() => remove(c)}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      <AccessChangeForm
        you={you}
        onCreated={(notes) => {
          setStatus(['Access change added.', ...notes].join(' '));
          reload();
        }}
      />
    </>
  );
}
