/** The resource settings form: how attempts are allowed, graded and reported. */
import { useEffect, useState } from 'preact/hooks';
import { FormRefused, type GradingMethod, type ReportTiming, type Settings, type ShowScores, getSettings, saveSettings } from '../../instructor-api.js';
import { formatInstant, isoFromLocalInput, localInputValue, localZoneName } from './dates.js';
import { Field, ProblemSummary, problemsByField } from './form-fields.js';

interface Draft {
  gradingMethod: GradingMethod;
  includeIncomplete: boolean;
  maxAttempts: string;
  showScores: ShowScores;
  reportTiming: ReportTiming;
  reviewFrom: string;
  availableFrom: string;
  availableUntil: string;
  dueAt: string;
  emailReceipts: boolean;
}

const LABELS: Record<keyof Draft, string> = {
  gradingMethod: 'Grading method',
  includeIncomplete: 'Include incomplete attempts in grading',
  maxAttempts: 'Maximum attempts per student',
  showScores: 'Show scores to students',
  reportTiming: 'Report scores to the LMS',
  reviewFrom: 'Allow students to review attempts from',
  availableFrom: 'Available from',
  availableUntil: 'Available until',
  dueAt: 'Due date',
  emailReceipts: 'Email attempt receipts on completion',
};

function draftOf(s: Settings): Draft {
  return {
    ...s,
    maxAttempts: String(s.maxAttempts),
    reviewFrom: localInputValue(s.reviewFrom),
    availableFrom: localInputValue(s.availableFrom),
    availableUntil: localInputValue(s.availableUntil),
    dueAt: localInputValue(s.dueAt),
  };
}

type Load = { kind: 'loading' } | { kind: 'failed'; message: string } | { kind: 'ready' };
type Refusal = { message: string; problems: Array<{ field: string; message: string }> };

export function SettingsTab() {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [draft, setDraft] = useState<Draft | null>(null);
  const [notes, setNotes] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState('');
  const [refusal, setRefusal] = useState<Refusal | null>(null);

  useEffect(() => {
    let cancelled = false;
    getSettings().then(
      (answer) => {
        if (cancelled) return;
        setDraft(draftOf(answer.settings));
        setNotes(answer.notes);
        setLoad({ kind: 'ready' });
      },
      (error: Error) => {
        if (!cancelled) setLoad({ kind: 'failed', message: error.message });
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  if (load.kind === 'loading' || draft === null) {
    return load.kind === 'failed' ? (
      <p role="alert" class="form-error">
        {load.message}
      </p>
    ) : (
      <p role="status" class="loading">
        Loading the settings…
      </p>
    );
  }

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft({ ...draft, [key]: value });
    setSaved('');
  };
  const errors = problemsByField(refusal?.problems ?? []);
  const wrapped = draft.availableFrom !== '' && draft.availableUntil !== '' && draft.availableFrom > draft.availableUntil;

  const submit = (event: Event) => {
    event.preventDefault();
    if (saving) return;
    setSaving(true);
    setSaved('');
    saveSettings({
      ...draft,
      reviewFrom: isoFromLocalInput(draft.reviewFrom),
      availableFrom: isoFromLocalInput(draft.availableFrom),
      availableUntil: isoFromLocalInput(draft.availableUntil),
      dueAt: isoFromLocalInput(draft.dueAt),
    }).then(
      (answer) => {
        setSaving(false);
        setRefusal(null);
        setDraft(draftOf(answer.settings));
        setNotes(answer.notes);
        setSaved('Settings saved.');
      },
      (error: Error) => {
        setSaving(false);
        setRefusal({ message: error.message, problems: error instanceof FormRefused ? error.problems : [] });
      },
    );
  };

  const zone = localZoneName();
  return (
    <form class="settings-form" onSubmit={submit} aria-busy={saving} noValidate>
      <h2>Settings</h2>
      {refusal !== null && <ProblemSummary message={refusal.message} problems={refusal.problems} labels={LABELS} />}

      <fieldset>
        <legend>Grading</legend>
        <Field label={LABELS.gradingMethod} error={errors.gradingMethod}>
          {(ids) => (
            <select id={ids.id} aria-describedby={ids.describedBy} aria-invalid={ids.invalid} value={draft.gradingMethod} onChange={(e) => set('gradingMethod', e.currentTarget.value as GradingMethod)}>
              <option value="highest">Highest score</option>
              <option value="last">Last attempt</option>
              <option value="average">Average of attempts</option>
            </select>
          )}
        </Field>
        <Field label={LABELS.includeIncomplete} checkbox error={errors.includeIncomplete} hint="Otherwise only attempts that are complete count towards the grade.">
          {(ids) => (
            <input id={ids.id} type="checkbox" aria-describedby={ids.describedBy} checked={draft.includeIncomplete} onChange={(e) => set('includeIncomplete', e.currentTarget.checked)} />
          )}
        </Field>
        <Field label={LABELS.maxAttempts} error={errors.maxAttempts} hint="0 means unlimited. Access tokens give single students more.">
          {(ids) => (
            <input
              id={ids.id}
              type="number"
              min={0}
              max={1000}
              step={1}
              inputMode="numeric"
              aria-describedby={ids.describedBy}
              aria-invalid={ids.invalid}
              value={draft.maxAttempts}
              onInput={(e) => set('maxAttempts', e.currentTarget.value)}
            />
          )}
        </Field>
      </fieldset>

      <fieldset>
        <legend>Scores</legend>
        <Field label={LABELS.showScores} error={errors.showScores}>
          {(ids) => (
            <select id={ids.id} aria-describedby={ids.describedBy} aria-invalid={ids.invalid} value={draft.showScores} onChange={(e) => set('showScores', e.currentTarget.value as ShowScores)}>
              <option value="always">Always</option>
              <option value="completed">When the attempt is complete</option>
              <option value="review">When review is allowed</option>
              <option value="never">Never</option>
            </select>
          )}
        </Field>
        <Field
          label={LABELS.reportTiming}
          error={errors.reportTiming}
          hint="Scores are also sent a few minutes after the due date and after “available until”, and when an access change affects a student."
        >
          {(ids) => (
            <select id={ids.id} aria-describedby={ids.describedBy} aria-invalid={ids.invalid} value={draft.reportTiming} onChange={(e) => set('reportTiming', e.currentTarget.value as ReportTiming)}>
              <option value="immediately">Immediately</option>
              <option value="on_completion">On completion</option>
              <option value="manual">Manually</option>
            </select>
          )}
        </Field>
        <Field label={LABELS.reviewFrom} error={errors.reviewFrom} hint={`In ${zone}. Empty: students may review a finished attempt at once.`}>
          {(ids) => (
            <input id={ids.id} type="datetime-local" aria-describedby={ids.describedBy} aria-invalid={ids.invalid} value={draft.reviewFrom} onInput={(e) => set('reviewFrom', e.currentTarget.value)} />
          )}
        </Field>
      </fieldset>

      <fieldset>
        <legend>Availability</legend>
        <p class="hint">
          Times are in {zone}. Leave a date empty for no limit. When “available from” is later than “available until”, the exam is unavailable
          between the two and available before and after.
        </p>
        {(['availableFrom', 'availableUntil', 'dueAt'] as const).map((key) => (
          <Field key={key} label={LABELS[key]} error={errors[key]}>
            {(ids) => (
              <input id={ids.id} type="datetime-local" aria-describedby={ids.describedBy} aria-invalid={ids.invalid} value={draft[key]} onInput={(e) => set(key, e.currentTarget.value)} />
            )}
          </Field>
        ))}
        {wrapped && (
          <p class="note" data-testid="wrapped-note">
            Students cannot take the exam between {formatInstant(isoFromLocalInput(draft.availableUntil))} and{' '}
            {formatInstant(isoFromLocalInput(draft.availableFrom))}; they can before and after.
          </p>
        )}
      </fieldset>

      <fieldset>
        <legend>Receipts</legend>
        <Field label={LABELS.emailReceipts} checkbox error={errors.emailReceipts} hint="This records your choice; sending the emails comes in a later version.">
          {(ids) => (
            <input id={ids.id} type="checkbox" aria-describedby={ids.describedBy} checked={draft.emailReceipts} onChange={(e) => set('emailReceipts', e.currentTarget.checked)} />
          )}
        </Field>
      </fieldset>

      {notes.length > 0 && (
        <ul class="notes" aria-label="Notes on these settings" data-testid="settings-notes">
          {notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <p>
        <button type="submit" disabled={saving}>
          Save settings
        </button>{' '}
        <span role="status" class="saved" data-testid="settings-status">
          {saving ? 'Saving…' : saved}
        </span>
      </p>
    </form>
  );
}
