import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { type SessionInfo, apiFetch, clearSessionToken, isSessionInfo, readApiError, readSessionToken } from './session.js';

type State =
  | { kind: 'no-token' }
  | { kind: 'loading' }
  | { kind: 'ready'; session: SessionInfo }
  | { kind: 'unauthorized'; message: string }
  | { kind: 'failed'; message: string };

async function loadSession(): Promise<State> {
  let response: Response;
  try {
    response = await apiFetch('/api/session');
  } catch {
    return { kind: 'failed', message: 'The server could not be reached. Check your connection and try again.' };
  }
  if (response.status === 401) {
    const error = await readApiError(response);
    clearSessionToken();
    return { kind: 'unauthorized', message: error.message };
  }
  if (!response.ok) {
    const error = await readApiError(response);
    return { kind: 'failed', message: error.message };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!isSessionInfo(body)) {
    return { kind: 'failed', message: 'The server sent an answer this page does not understand.' };
  }
  return { kind: 'ready', session: body };
}

function initialState(): State {
  return readSessionToken() === null ? { kind: 'no-token' } : { kind: 'loading' };
}

export function App() {
  const [state, setState] = useState<State>(initialState);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (readSessionToken() === null) {
      setState({ kind: 'no-token' });
      return;
    }
    let cancelled = false;
    setState({ kind: 'loading' });
    void loadSession().then((next) => {
      if (!cancelled) setState(next);
    });
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  // A new launch into a tab that already shows the app only changes the hash: start over.
  useEffect(() => {
    const onHashChange = () => {
      if (new URLSearchParams(window.location.hash.slice(1)).has('token')) retry();
    };
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, [retry]);

  switch (state.kind) {
    case 'no-token':
      return (
        <Message title="Open this page from your course">
          <p>This page opens from a link in your course. Go back to your course and open the link again.</p>
        </Message>
      );
    case 'loading':
      return (
        <main id="main" aria-busy="true">
          <p role="status" class="loading">
            Loading…
          </p>
        </main>
      );
    case 'unauthorized':
      return (
        <Message title="Your session has ended">
          <div role="alert" data-testid="session-error">
            <p>{state.message}</p>
            <p>Open the link from your course again to start a new session.</p>
          </div>
        </Message>
      );
    case 'failed':
      return (
        <Message title="This page could not be loaded">
          <p role="alert" data-testid="session-error">
            {state.message}
          </p>
          <button type="button" onClick={retry}>
            Try again
          </button>
        </Message>
      );
    case 'ready':
      return <SessionPage session={state.session} />;
  }
}

function Message({ title, children }: { title: string; children: ComponentChildren }) {
  useEffect(() => {
    document.title = title;
  }, [title]);
  return (
    <main id="main" class="message">
      <h1>{title}</h1>
      {children}
    </main>
  );
}

function displayName(user: SessionInfo['user']): string {
  return user.name ?? user.username ?? 'an anonymous user';
}

function courseLine(context: SessionInfo['context']): string | null {
  if (context === null) return null;
  const { title, label } = context;
  if (title !== null && label !== null && title !== label) return `${title} (${label})`;
  return title ?? label;
}

function SessionPage({ session }: { session: SessionInfo }) {
  const title = session.resourceLink.title ?? 'Untitled link';
  const course = courseLine(session.context);
  const role = session.role === 'instructor' ? 'Instructor' : 'Student';

  useEffect(() => {
    document.title = course === null ? title : `${title} · ${course}`;
  }, [title, course]);

  return (
    <>
      <header class="page-header">
        {course !== null && <p class="course">{course}</p>}
        <h1 data-testid="resource-title">{title}</h1>
        <p class="signed-in">
          Signed in as <strong data-testid="session-user">{displayName(session.user)}</strong>
          {' · '}
          <span data-testid="session-role">{role}</span>
        </p>
      </header>
      <main id="main">
        {session.role === 'instructor' ? (
          <section id="resource-setup" aria-labelledby="resource-setup-heading">
            <h2 id="resource-setup-heading">No exam has been set up for this link yet.</h2>
            <p>
              As an instructor, you choose the exam package for this link here. Once it is set up, students who open
              this link from the course take the exam on this page.
            </p>
          </section>
        ) : (
          <section aria-labelledby="exam-status-heading">
            <h2 id="exam-status-heading">Exam not available yet</h2>
            <p>Your instructor has not set up this exam yet. Come back later.</p>
          </section>
        )}
      </main>
    </>
  );
}
