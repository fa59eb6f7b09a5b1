/** Picks students for an access change from the course roster (LTI Names and Role Provisioning), when the course offers one. */
import { useEffect, useId, useState } from 'preact/hooks';
import { type RosterMember, getRoster } from '../../advantage-api.js';

/** What an access change matches on: the username the LMS sends at launch, else the email. */
export function rosterTarget(member: RosterMember): string | null {
  return member.username ?? member.email;
}

interface Pickable {
  key: string;
  target: string;
  name: string;
  launched: boolean;
}

function pickable(members: RosterMember[]): Pickable[] {
  const out: Pickable[] = [];
  for (const m of members) {
    const target = rosterTarget(m);
    if (target !== null) out.push({ key: m.ltiUserId, target, name: m.name ?? target, launched: m.launched });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A filter box and one labelled checkbox per student (native controls: Tab, Space and the
 * screen reader work as everywhere), then "Add the chosen students" puts their usernames or
 * emails into the form's Students field.
 */
export function RosterPicker({ onPick }: { onPick: (targets: string[]) => void }) {
  const [members, setMembers] = useState<Pickable[] | null>(null);
  const [unreachable, setUnreachable] = useState(0);
  const [filter, setFilter] = useState('');
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [added, setAdded] = useState<string | null>(null);
  const id = useId();

  useEffect(() => {
    let cancelled = false;
    // No roster (LTI 1.1, or a platform without the service) simply leaves the picker out.
    getRoster().then(
      (roster) => {
        if (cancelled || !roster.available) return;
        const students = roster.students.filter((m) => m.status !== 'Deleted');
        const list = pickable(students);
        setMembers(list);
        setUnreachable(students.length - list.length);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, []);

  if (members === null || members.length === 0) return null;
  const needle = filter.trim().toLowerCase();
  const shown = needle === '' ? members : members.filter((m) => m.name.toLowerCase().includes(needle) || m.target.toLowerCase().includes(needle));
  const toggle = (key: string, on: boolean) => {
    const next = new Set(checked);
    if (on) next.add(key);
    else next.delete(key);
    setChecked(next);
    setAdded(null);
  };
  const add = () => {
    const chosen = members.filter((m) => checked.has(m.key));
    if (chosen.length === 0) {
      setAdded('Tick at least one student first.');
      return;
    }
    onPick(chosen.map((m) => m.target));
    setChecked(new Set());
    setAdded(chosen.length === 1 ? `Added ${chosen[0]?.name ?? ''} to Students.` : `Added ${chosen.length} students to Students.`);
  };

  return (
    <fieldset class="roster-picker" data-testid="roster-picker">
      <legend>Choose students from the course roster</legend>
      <p>
        <label for={`${id}-filter`}>Filter the roster</label>
        <br />
        <input
          id={`${id}-filter`}
          type="search"
          value={filter}
          autoComplete="off"
          aria-controls={`${id}-list`}
          onInput={(e) => setFilter(e.currentTarget.value)}
          onKeyDown={(e) => {
            // Enter in the filter must not submit the access change around it.
            if (e.key === 'Enter') e.preventDefault();
          }}
        />
      </p>
      <p class="hint" aria-live="polite">
        {shown.length === members.length ? `${members.length} students.` : `${shown.length} of ${members.length} students match.`}
        {unreachable > 0 ? ` ${unreachable} more cannot be named: the LMS shares neither their username nor their email.` : ''}
      </p>
      <ul id={`${id}-list`} class="roster-list">
        {shown.map((m) => (
          <li key={m.key}>
            <label class="checkbox">
              <input type="checkbox" checked={checked.has(m.key)} onChange={(e) => toggle(m.key, e.currentTarget.checked)} /> {m.name}
              {m.name === m.target ? null : <span class="hint"> · {m.target}</span>}
              {m.launched ? null : <span class="hint"> · never opened the exam</span>}
            </label>
          </li>
        ))}
      </ul>
      <p>
        <button type="button" onClick={add}>
          Add the chosen students
        </button>{' '}
        <span role="status" data-testid="roster-picker-status">
          {added ?? ''}
        </span>
      </p>
    </fieldset>
  );
}
