import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type LaunchInfo, type LaunchMode, type ResourceInfo, getResource, packageOf, startAttempt, startTestRun } from './api.js';
import { DeepLinkingPage } from './pages/deep-linking.js';
import { InstructorView } from './pages/instructor.js';
import { Player, type PlayerSource } from './pages/player.js';
import { StudentView } from './pages/student.js';
import { SubmissionReview } from './pages/submission-review.js';
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
        <div class="page">
          <main id="main" aria-busy="true">
            <p role="status" class="loading">
              Loading…
            </p>
          </main>
        </div>
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
      // A deep linking request has no exam yet: the instructor chooses one for the new link.
      if (state.session.message === 'deep-linking') return <DeepLinkingPage />;
      return <SessionPage session={state.session} />;
  }
}

function Message({ title, children }: { title: string; children: ComponentChildren }) {
  useEffect(() => {
    document.title = title;
  }, [title]);
  return (
    <div class="page">
      <main id="main" class="message">
        <h1>{title}</h1>
        {children}
      </main>
    </div>
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

type View = { kind: 'home' } | { kind: 'player'; source: PlayerSource };

function SessionPage({ session }: { session: SessionInfo }) {
  const [view, setView] = useState<View>({ kind: 'home' });
  const title = session.resourceLink.title ?? 'Untitled link';
  const course = courseLine(session.context);
  const role = session.role === 'instructor' ? 'Instructor' : 'Student';
  const open = useCallback((source: PlayerSource) => setView({ kind: 'player', source }), []);
  const leave = useCallback(() => setView({ kind: 'home' }), []);

  useEffect(() => {
    if (view.kind === 'home') document.title = course === null ? title : `${title} · ${course}`;
  }, [title, course, view.kind]);

  if (view.kind === 'player') {
    return (
      <main id="main" class="player-main">
        <Player source={view.source} title={title} onLeave={leave} />
      </main>
    );
  }

  return (
    <div class="page">
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
        {session.message === 'submission-review' ? <SubmissionReview onOpen={open} /> : <ResourcePanel onOpen={open} />}
      </main>
    </div>
  );
}

type ResourceState =
  | { kind: 'loading' }
  | { kind: 'ready'; info: ResourceInfo }
  | { kind: 'failed'; message: string };

function ResourcePanel({ onOpen }: { onOpen: (source: PlayerSource) => void }) {
  const [state, setState] = useState<ResourceState>({ kind: 'loading' });
  const [reloads, setReloads] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const autoStarted = useRef(false);

  useEffect(() => {
    let cancelled = false;
    void getResource().then(
      (info) => {
        if (!cancelled) setState({ kind: 'ready', info });
      },
      (error: Error) => {
        if (!cancelled) setState({ kind: 'failed', message: error.message });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [reloads]);

  const reload = useCallback(() => setReloads((n) => n + 1), []);

  const start = useCallback(
    (kind: 'attempt' | 'test-run') => {
      setBusy(kind === 'attempt' ? 'Starting the exam…' : 'Starting a test run…');
      setActionError(null);
      const started: Promise<number | LaunchInfo> = kind === 'attempt' ? startAttempt() : startTestRun();
      started.then(
        (result) =>
          onOpen(typeof result === 'number' ? { kind: 'attempt', attemptId: result, mode: 'normal' } : { kind: 'launch', launch: result }),
        (error: Error) => {
          setBusy(null);
          setActionError(error.message);
        },
      );
    },
    [onOpen],
  );

  // A student's first launch goes straight into the exam.
  useEffect(() => {
    if (state.kind !== 'ready' || autoStarted.current) return;
    const { info } = state;
    if (info.role === 'student' && packageOf(info) !== null && info.attempts.length === 0 && info.canStartNew) {
      autoStarted.current = true;
      start('attempt');
    }
  }, [state, start]);

  if (state.kind === 'loading') {
    return (
      <p role="status" class="loading" aria-busy="true">
        Loading…
      </p>
    );
  }
  if (state.kind === 'failed') {
    return (
      <div role="alert" data-testid="resource-error" class="form-error">
        <p>{state.message}</p>
        <button type="button" onClick={reload}>
          Try again
        </button>
      </div>
    );
  }
  const { info } = state;
  return (
    <>
      <p role="status" class="loading" aria-live="polite">
        {busy ?? ''}
      </p>
      {actionError !== null && (
        <p role="alert" class="form-error" data-testid="action-error">
          {actionError}
        </p>
      )}
      {info.role === 'instructor' ? (
        <InstructorView info={info} busy={busy !== null} onReload={reload} onTestRun={() => start('test-run')} />
      ) : (
        <StudentView
          info={info}
          busy={busy !== null}
          onOpen={(attemptId: number, mode: LaunchMode) => onOpen({ kind: 'attempt', attemptId, mode })}
          onStartNew={() => start('attempt')}
        />
      )}
    </>
  );
}
