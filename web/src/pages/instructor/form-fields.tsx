/** Labelled form controls with their hint and their problem, wired for screen readers. */
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

export interface ControlIds {
  id: string;
  describedBy: string | undefined;
  invalid: boolean;
}

interface FieldProps {
  label: string;
  hint?: ComponentChildren;
  error?: string | undefined;
  /** Checkboxes put the label after the control. */
  checkbox?: boolean;
  children: (ids: ControlIds) => ComponentChildren;
}

export function Field({ label, hint, error, checkbox = false, children }: FieldProps) {
  const id = useId();
  const hintId = useId();
  const errorId = useId();
  const describedBy = [hint === undefined ? null : hintId, error === undefined ? null : errorId].filter((v) => v !== null).join(' ') || undefined;
  const ids: ControlIds = { id, describedBy, invalid: error !== undefined };
  return (
    <div class={`field${checkbox ? ' field-checkbox' : ''}${error === undefined ? '' : ' field-invalid'}`}>
      {checkbox ? (
        <>
          {children(ids)} <label for={id}>{label}</label>
        </>
      ) : (
        <>
          <label for={id}>{label}</label>
          {children(ids)}
        </>
      )}
      {hint !== undefined && (
        <p id={hintId} class="hint">
          {hint}
        </p>
      )}
      {error !== undefined && (
        <p id={errorId} class="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** The refusal of a whole form: its message and every problem, announced at once. */
export function ProblemSummary({ message, problems, labels }: { message: string; problems: Array<{ field: string; message: string }>; labels: Record<string, string> }) {
  return (
    <div role="alert" class="form-error" data-testid="form-problems">
      <p>{message}</p>
      {problems.length > 1 && (
        <ul>
          {problems.map((p) => (
            <li key={`${p.field}:${p.message}`}>
              {labels[p.field] ? `${labels[p.field]}: ` : ''}
              {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Problems by field: the first message of each. */
export function problemsByField(problems: Array<{ field: string; message: string }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) if (out[p.field] === undefined) out[p.field] = p.message;
  return out;
}
