/** The form for a new access change: whom it names and what it changes for them. */
import { useState } from 'preact/hooks';
import { type AccessChangeForm as FormValues, type AccessChangesAnswer, type DurationMode, FormRefused, createAccessChange } from '../../instructor-api.js';
import { isoFromLocalInput, localZoneName } from './dates.js';
import { Field, ProblemSummary, problemsByField } from './form-fields.js';
import { RosterPicker } from './roster-picker.js';

interface Draft {
  description: string;
  targets: string;
  availableFrom: string;
  availableUntil: string;
  extendDeadlineMinutes: string;
  maxAttempts: string;
  durationMode: DurationMode;
  durationAmount: string;
}

const EMPTY: Draft = { description: '', targets: '', availableFrom: '', availableUntil: '', extendDeadlineMinutes: '', maxAttempts: '', durationMode: 'none', durationAmount: '' };

const LABELS: Record<string, string> = {
  description: 'Description',
  targets: 'Students',
  availableFrom: 'Available from',
  availableUntil: 'Available until',
  extendDeadlineMinutes: 'Extend the deadline by (minutes)',
  maxAttempts: 'Maximum attempts',
  durationMode: 'Exam duration',
  durationAmount: 'Extra time',
  form: 'The change',
};

const DURATIONS: Array<{ mode: DurationMode; label: string }> = [
  { mode: 'none', label: 'No change' },
  { mode: 'minutes', label: 'Extra minutes' },
  { mode: 'percent', label: 'Extra percentage' },
  { mode: 'disable', label: 'No time limit' },
];

function guide(you: AccessChangesAnswer['you']): string {
  const parts = [you.username ? `username “${you.username}”` : null, you.email ? `email “${you.email}”` : null].filter((p) => p !== null);
  return parts.length === 0 ? 'The LMS sent no username or email for you.' : `Yours, as the LMS sent them: ${parts.join(' and ')}.`;
}

/** The Students text with the picked targets added on their own lines, leaving out any already named. */
function withTargets(text: string, targets: string[]): string {
  const named = new Set(text.split(/[\n,]/).map((t) => t.trim().toLowerCase()).filter((t) => t !== ''));
  const fresh = targets.filter((t) => !named.has(t.toLowerCase()));
  if (fresh.length === 0) return text;
  return text.trim() === '' ? fresh.join('\n') : `${text.trimEnd()}\n${fresh.join('\n')}`;
}

export function AccessChangeForm({ you, onCreated }: { you: AccessChangesAnswer['you']; onCreated: (notes: string[]) => void }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [saving, setSaving] = useState(false);
  const [refusal, setRefusal] = useState<{ message: string; problems: Array<{ field: string; message: string }> } | null>(null);
  const errors = problemsByField(refusal?.problems ?? []);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft({ ...draft, [key]: value });

  const submit = (event: Event) => {
    event.preventDefault();
    if (saving) return;
    setSaving(true);
    const values: FormValues = { ...draft, availableFrom: isoFromLocalInput(draft.availableFrom), availableUntil: isoFromLocalInput(draft.availableUntil) };
    createAccessChange(values).then(
      ({ notes }) => {
        setSaving(false);
        setRefusal(null);
        setDraft(EMPTY);
        onCreated(notes);
      },
      (error: Error) => {
        setSaving(false);
        setRefusal({ message: error.message, problems: error instanceof FormRefused ? error.problems : [] });
      },
    );
  };

  const zone = localZoneName();
  const amountLabel = draft.durationMode === 'percent' ? 'Extra percentage of the exam’s time' : 'Extra minutes';
  return (
    <form class="access-change-form" onSubmit={submit} aria-busy={saving} noValidate aria-labelledby="new-change-heading">
      <h3 id="new-change-heading">New access change</h3>
      {refusal !== null && <ProblemSummary message={refusal.message} problems={refusal.problems} labels={LABELS} />}
      <Field label={LABELS.description ?? ''} error={errors.description} hint="Say why, for you and other instructors, e.g. “Extra time arrangement”.">
        {(ids) => (
          <input id={ids.id} type="text" required maxLength={500} aria-describedby={ids.describedBy} aria-invalid={ids.invalid} value={draft.description} onInput={(e) => set('description', e.currentTarget.value)} />
        )}
      </Field>
      <Field
        label={LABELS.targets ?? ''}
        error={errors.targets}
        hint={`One username or email address per line, or separated by commas, as the LMS sends them. ${guide(you)}`}
      >
        {(ids) => (
          <textarea id={ids.id} rows={4} required aria-describedby={ids.describedBy} aria-invalid={ids.invalid} value={draft.targets} onInput={(e) => set('targets', e.currentTarget.value)} />
        )}
      </Field>
      <RosterPicker onPick={(targets) => set('targets', withTargets(draft.targets, targets))} />
      <fieldset>
        <legend>Availability for these students</legend>
        <p class="hint">Times are in {zone}. Empty keeps the exam’s own dates. From later than until: unavailable between the two, available before and after.</p>
        {(['availableFrom', 'availableUntil'] as const).map((key) => (
          <Field key={key} label={LABELS[key] ?? key} error={errors[key]}>
            {(ids) => (
              <input id={ids.id} type="datetime-local" aria-describedby={ids.describedBy} aria-invalid={ids.invalid} value={draft[key]} onInput={(e) => set(key, e.currentTarget.value)} />
            )}
          </Field>
        ))}
        <Field label={LABELS.extendDeadlineMinutes ?? ''} error={errors.extendDeadlineMinutes} hint="Moves both “available until” and the due date later.">
          {(ids) => (
            <input id={ids.id} type="number" min={1} step={1} inputMode="numeric" aria-describedby={ids.describedBy} aria-invalid={ids.invalid} value={draft.extendDeadlineMinutes} onInput={(e) => set('extendDeadlineMinutes', e.currentTarget.value)} />
          )}
        </Field>
      </fieldset>
      <Field label={LABELS.maxAttempts ?? ''} error={errors.maxAttempts} hint="Empty keeps the exam’s setting; 0 means unlimited. When several changes apply, the greatest allowance wins.">
        {(ids) => (
          <input id={ids.id} type="number" min={0} step={1} inputMode="numeric" aria-describedby={ids.describedBy} aria-invalid={ids.invalid} value={draft.maxAttempts} onInput={(e) => set('maxAttempts', e.currentTarget.value)} />
        )}
      </Field>
      <fieldset aria-describedby={errors.durationMode ? 'duration-mode-error' : undefined}>
        <legend>{LABELS.durationMode}</legend>
        {DURATIONS.map((d) => (
          <label key={d.mode} class="radio">
            <input type="radio" name="durationMode" value={d.mode} checked={draft.durationMode === d.mode} onChange={() => set('durationMode', d.mode)} /> {d.label}
          </label>
        ))}
        {errors.durationMode !== undefined && (
          <p id="duration-mode-error" class="field-error">
            {errors.durationMode}
          </p>
        )}
        {(draft.durationMode === 'minutes' || draft.durationMode === 'percent') && (
          <Field label={amountLabel} error={errors.durationAmount}>
            {(ids) => (
              <input id={ids.id} type="number" min={0} step="any" aria-describedby={ids.describedBy} aria-invalid={ids.invalid} value={draft.durationAmount} onInput={(e) => set('durationAmount', e.currentTarget.value)} />
            )}
          </Field>
        )}
        <p class="hint">When several changes apply to a student, the newest one decides the dates and the duration.</p>
      </fieldset>
      <p>
        <button type="submit" disabled={saving}>
          Add access change
        </button>
      </p>
    </form>
  );
}
