/** Deep linking: "Choose the exam for this link": an exam of this course, or a new one from a package. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { type DeepLinkingChoices, createDeepLinkResource, getDeepLinkingChoices, respondWithResource } from '../advantage-api.js';

type Load = { kind: 'loading' } | { kind: 'failed'; message: string } | { kind: 'ready'; choices: DeepLinkingChoices };

export function DeepLinkingPage() {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [chosen, setChosen] = useState<number | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const [file, setFile] = useState<File | null>(null);

  const reload = useCallback(() => {
    getDeepLinkingChoices().then(
      (choices) => setLoad({ kind: 'ready', choices }),
      (failure: Error) => setLoad({ kind: 'failed', message: failure.message }),
    );
  }, []);
  useEffect(reload, [reload]);

  useEffect(() => {
    document.title = 'Choose the exam for this link';
  }, []);

  const useExisting = (event: Event) => {
    event.preventDefault();
    if (chosen === null) {
      setError('Choose an exam first.');
      return;
    }
    setBusy('Returning to your course…');
    setError(null);
    respondWithResource(chosen);
  };

  const createNew = (event: Event) => {
    event.preventDefault();
    if (file === null) {
      setError('Choose a SCORM package (.zip) to upload.');
      return;
    }
    setBusy('Uploading and checking the package…');
    setError(null);
    createDeepLinkResource(file, title).then(
      (resourceId) => {
        setBusy('Returning to your course…');
        respondWithResource(resourceId);
      },
      (failure: Error) => {
        setBusy(null);
        setError(failure.message);
      },
    );
  };

  return (
    <div class="page">
      <header class="page-header">
        {load.kind === 'ready' && <p class="course">{load.choices.context.title ?? load.choices.context.label}</p>}
        <h1>Choose the exam for this link</h1>
      </header>
      <main id="main">
        <p role="status" class="loading" aria-live="polite" data-testid="deep-linking-status">
          {busy ?? ''}
        </p>
        {error !== null && (
          <p role="alert" class="form-error" data-testid="deep-linking-error">
            {error}
          </p>
        )}
        {load.kind === 'loading' && (
          <p role="status" class="loading">
            Loading the exams of this course…
          </p>
        )}
        {load.kind === 'failed' && (
          <div role="alert" class="form-error">
            <p>{load.message}</p>
            <button type="button" onClick={reload}>
              Try again
            </button>
          </div>
        )}
        {load.kind === 'ready' && (
          <form onSubmit={useExisting} aria-labelledby="existing-heading">
            <h2 id="existing-heading">An exam of this course</h2>
            {load.choices.resources.length === 0 ? (
              <p class="hint">This course has no exams yet: create one below.</p>
            ) : (
              <fieldset>
                <legend>Exams</legend>
                {load.choices.resources.map((r) => (
                  <label key={r.id} class="choice">
                    <input type="radio" name="resource" value={String(r.id)} checked={chosen === r.id} onChange={() => setChosen(r.id)} disabled={busy !== null} />
                    {r.title ?? r.packageTitle ?? `Exam ${r.id}`}
                    <span class="hint">
                      {' '}
                      · {r.hasPackage ? (r.packageTitle ?? 'package uploaded') : 'no package yet'} · {r.links === 1 ? 'used by 1 link' : `used by ${r.links} links`}
                    </span>
                  </label>
                ))}
              </fieldset>
            )}
            <button type="submit" disabled={busy !== null || load.choices.resources.length === 0} data-testid="use-existing">
              Use this exam
            </button>
          </form>
        )}
        <form onSubmit={createNew} aria-labelledby="new-heading">
          <h2 id="new-heading">A new exam</h2>
          <label for="new-title">Title</label>
          <input id="new-title" type="text" maxLength={200} value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} disabled={busy !== null} />
          <label for="new-package">SCORM package (.zip)</label>
          <input
            id="new-package"
            type="file"
            accept=".zip,application/zip"
            onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)}
            disabled={busy !== null}
          />
          <button type="submit" disabled={busy !== null} data-testid="create-new">
            Upload and use this exam
          </button>
        </form>
      </main>
    </div>
  );
}
