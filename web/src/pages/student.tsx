/** The student's page of a resource: the attempts, and the way into the exam. */
import { type AttemptSummary, type AvailabilityInfo, type LaunchMode, type ResourceInfo, packageOf } from '../api.js';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

export function formatScore(score: AttemptSummary['score']): string {
  if (score === null) return '—';
  const { raw, max, scaled } = score;
  if (raw !== null && max !== null) return `${raw} / ${max}`;
  if (scaled !== null) return `${Math.round(scaled * 1000) / 10} %`;
  if (raw !== null) return String(raw);
  return '—';
}

function statusLabel(attempt: AttemptSummary): string {
  if (attempt.endReason === 'availability_ended') return 'Ended when the exam closed';
  return attempt.status === 'completed' ? 'Finished' : 'In progress';
}

/** "Available from … until …", "Due …": the dates that apply to this student, in their own time zone. */
function availabilityLines(availability: AvailabilityInfo): string[] {
  const { availableFrom: from, availableUntil: until, dueAt } = availability;
  const lines: string[] = [];
  if (from !== null && until !== null && Date.parse(from) > Date.parse(until)) {
    lines.push(`Not available between ${formatDate(until)} and ${formatDate(from)}.`);
  } else if (from !== null && until !== null) {
    lines.push(`Available from ${formatDate(from)} until ${formatDate(until)}.`);
  } else if (from !== null) {
    lines.push(`Available from ${formatDate(from)}.`);
  } else if (until !== null) {
    lines.push(`Available until ${formatDate(until)}.`);
  }
  if (dueAt !== null) lines.push(`Due ${formatDate(dueAt)}.`);
  return lines;
}

export interface StudentViewProps {
  info: ResourceInfo;
  busy: boolean;
  onOpen: (attemptId: number, mode: LaunchMode) => void;
  onStartNew: () => void;
}

export function StudentView({ info, busy, onOpen, onStartNew }: StudentViewProps) {
  const pkg = packageOf(info);
  if (pkg === null) {
    return (
      <section aria-labelledby="exam-status-heading">
        <h2 id="exam-status-heading">Exam not available yet</h2>
        <p data-testid="no-package">Your instructor has not set up this exam yet.</p>
      </section>
    );
  }
  const attempts = info.attempts;
  const availability = info.availability ?? null;
  const dates = availability === null ? [] : availabilityLines(availability);
  return (
    <section aria-labelledby="attempts-heading">
      <h2 id="attempts-heading">{pkg.title ?? 'Exam'}</h2>
      {dates.length > 0 && (
        <p class="availability" data-testid="availability">
          {dates.join(' ')}
        </p>
      )}
      {attempts.length === 0 ? (
        <p>You have not started this exam yet.</p>
      ) : (
        <table class="attempts" data-testid="attempts-table">
          <caption>Your attempts</caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Status</th>
              <th scope="col">Score</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {attempts.map((attempt) => {
              const started = formatDate(attempt.startedAt);
              return (
                <tr key={attempt.id}>
                  <td>
                    <time dateTime={attempt.startedAt}>{started}</time>
                  </td>
                  <td>{statusLabel(attempt)}</td>
                  <td>{formatScore(attempt.score)}</td>
                  <td class="actions">
                    {attempt.status === 'incomplete' && attempt.canContinue && (
                      <button
                        type="button"
                        data-testid={`continue-${attempt.id}`}
                        aria-label={`Continue the attempt started ${started}`}
                        disabled={busy}
                        onClick={() => onOpen(attempt.id, 'normal')}
                      >
                        Continue
                      </button>
                    )}
                    {attempt.status === 'completed' && attempt.canReview && (
                      <button
                        type="button"
                        data-testid={`review-${attempt.id}`}
                        aria-label={`Review the attempt started ${started}`}
                        disabled={busy}
                        onClick={() => onOpen(attempt.id, 'review')}
                      >
                        Review
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {!info.canStartNew && availability?.reason && (
        <p class="start-refused" data-testid="start-refused">
          {availability.reason}
        </p>
      )}
      {info.canStartNew && (
        <p class="start">
          <button type="button" data-testid="start-attempt" disabled={busy} onClick={onStartNew}>
            Start a new attempt
          </button>
        </p>
      )}
    </section>
  );
}
