/** Submission review: opens the reviewed student's latest attempt straight away, in review mode. */
import { useEffect, useState } from 'preact/hooks';
import { getSubmissionReview } from '../advantage-api.js';
import type { PlayerSource } from './player.js';

type State =
  | { kind: 'loading' }
  | { kind: 'none'; name: string | null }
  | { kind: 'closed'; attemptId: number }
  | { kind: 'failed'; message: string };

/** Set once the review was opened in this page: coming back from it must not open it again at once. */
let openedAttempt: number | null = null;

export function SubmissionReview({ onOpen }: { onOpen: (source: PlayerSource) => void }) {
  const [state, setState] = useState<State>({ kind: 'loading' });

  useEffect(() => {
    let cancelled = false;
    getSubmissionReview().then(
      (target) => {
        if (cancelled) return;
        if (target.attemptId === null) setState({ kind: 'none', name: target.student.name });
        else if (openedAttempt === target.attemptId) setState({ kind: 'closed', attemptId: target.attemptId });
        else {
          openedAttempt = target.attemptId;
          onOpen({ kind: 'attempt', attemptId: target.attemptId, mode: 'review' });
        }
      },
      (failure: Error) => {
        if (!cancelled) setState({ kind: 'failed', message: failure.message });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [onOpen]);

  if (state.kind === 'loading') {
    return (
      <p role="status" class="loading" aria-busy="true">
        Opening the submission…
      </p>
    );
  }
  if (state.kind === 'failed') {
    return (
      <p role="alert" class="form-error" data-testid="review-error">
        {state.message}
      </p>
    );
  }
  if (state.kind === 'closed') {
    const { attemptId } = state;
    return (
      <button type="button" data-testid="review-reopen" onClick={() => onOpen({ kind: 'attempt', attemptId, mode: 'review' })}>
        Open the submission again
      </button>
    );
  }
  return (
    <p role="status" data-testid="review-none">
      {state.name === null ? 'This student has' : `${state.name} has`} no attempt at this exam to review.
    </p>
  );
}
