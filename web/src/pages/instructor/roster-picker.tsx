/** Picks students for an access change from the course roster (LTI Names and Role Provisioning), when the course offers one. */
import { useEffect, useId, useState } from 'preact/hooks';
import { type RosterMember, getRoster } from '../../advantage-api.js';

/** What an access change matches on: the username the LMS sends at launch, else the email. */
export function rosterTarget(member: RosterMember): string | null {
  return member.username ?? member.email;
}

export function RosterPicker({ onPick }: { onPick: (target: string) => void }) {
  const [members, setMembers] = useState<RosterMember[] | null>(null);
  const [value, setValue] = useState('');
  const inputId = useId();
  const listId = useId();

  useEffect(() => {
    let cancelled = false;
    // No roster (LTI 1.1, or a platform without the service) simply leaves the picker out.
    getRoster().then(
      (roster) => {
        if (!cancelled && roster.available) setMembers(roster.students.filter((m) => m.status !== 'Deleted'));
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, []);

  if (members === null || members.length === 0) return null;
  const pick = () => {
    const target = value.trim();
    if (target === '') return;
    onPick(target);
    setValue('');
  };
  return (
    <div class="field roster-picker">
      <label for={inputId}>Add a student from the course roster</label>
      <input
        id={inputId}
        type="text"
        list={listId}
        value={value}
        autoComplete="off"
        data-testid="roster-picker"
        onInput={(e) => setValue(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            pick();
          }
        }}
      />
      <datalist id={listId}>
        {members.map((m) => {
          const target = rosterTarget(m);
          return target === null ? null : (
            <option key={m.ltiUserId} value={target}>
              {m.name ?? target}
            </option>
          );
        })}
      </datalist>
      <button type="button" onClick={pick}>
        Add
      </button>
    </div>
  );
}
