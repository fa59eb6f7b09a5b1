/** The course's students who never opened this exam, from the roster the LMS shares (LTI Names and Role Provisioning). */
import { useEffect, useState } from 'preact/hooks';
import { type Roster, getRoster } from '../../advantage-api.js';

type Load = { kind: 'loading' } | { kind: 'failed'; message: string } | { kind: 'ready'; roster: Roster };

export function NeverLaunched() {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });

  useEffect(() => {
    let cancelled = false;
    getRoster().then(
      (roster) => !cancelled && setLoad({ kind: 'ready', roster }),
      (failure: Error) => !cancelled && setLoad({ kind: 'failed', message: failure.message }),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  if (load.kind === 'loading') {
    return (
      <p role="status" class="loading">
        Reading the course roster…
      </p>
    );
  }
  if (load.kind === 'failed') return <p class="hint">{load.message}</p>;
  const { roster } = load;
  if (!roster.available) {
    return (
      <p class="hint" data-testid="roster-unavailable">
        {roster.reason}
      </p>
    );
  }
  return (
    <section aria-labelledby="never-launched-heading" data-testid="never-launched">
      <h3 id="never-launched-heading">Students who never opened the exam</h3>
      {roster.neverLaunched.length === 0 ? (
        <p>Every active student on the course roster ({roster.students.length}) has opened the exam.</p>
      ) : (
        <>
          <p class="hint">
            {roster.neverLaunched.length} of the {roster.students.length} students on the course roster.
          </p>
          <ul>
            {roster.neverLaunched.map((m) => (
              <li key={m.ltiUserId}>
                {m.name ?? m.email ?? m.ltiUserId}
                {m.name !== null && m.email !== null ? <span class="hint"> · {m.email}</span> : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
