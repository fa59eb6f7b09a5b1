/** Deep linking: "Choose the exam for this link": an exam of this course, or a new one from a package. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type DeepLinkingChoices, createDeepLinkResource, getDeepLinkingChoices, respondWithResource } from '../advantage-api.js';

type Load = { kind: 'loading' } | { kind: 'failed'; message: string } | { kind: 'ready'; choices: DeepLinkingChoices };

/** The upload's stage: its bytes going out (a fraction), then the server checking the package. */
type Upload = { kind: 'sending'; fraction: number } | { kind: 'checking' };

/** A package is a zip; anything else is refused here with a plain reason, before a byte is sent. */
function notAZip(file: File): string | null {
  if (/\.zip$/i.test(file.name)) return null;
  return `“${file.name}” is not a .zip file. Export the exam as a SCORM package (a .zip file) and choose that file.`;
}

export function DeepLinkingPage() {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [chosen, setChosen] = useState<number | null>(null);
  const [returning, setReturning] = useState(false);
  const [upload, setUpload] = useState<Upload | null>(null);
  const [chooseError, setChooseError] = useState<string | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const firstChoice = useRef<HTMLInputElement>(null);
  const busy = returning || upload !== null;

  const reload = useCallback(() => {
    setLoad({ kind: 'loading' });
    getDeepLinkingChoices().then(
      (choices) => setLoad({ kind: 'ready', choices }),
      (failure: Error) => setLoad({ kind: 'failed', message: failure.message }),
    );
  }, []);
  useEffect(reload, [reload]);

  useEffect(() => {
    document.title = 'Choose the exam for this link';
  }, []);

  const giveBack = (resourceId: number) => {
    setReturning(true);
    respondWithResource(resourceId);
  };

  const useExisting = (event: Event) => {
    event.preventDefault();
    if (busy) return;
    if (chosen === null) {
      setChooseError('Choose an exam first.');
      firstChoice.current?.focus();
      return;
    }
    setChooseError(null);
    giveBack(chosen);
  };

  const refuseUpload = (message: string) => {
    setUploadError(message);
    fileInput.current?.focus();
  };

  const createNew = (event: Event) => {
    event.preventDefault();
    if (busy) return;
    if (file === null) return refuseUpload('Choose a SCORM package (.zip) to upload.');
    const wrongType = notAZip(file);
    if (wrongType !== null) return refuseUpload(wrongType);
    setUploadError(null);
    setUpload({ kind: 'sending', fraction: 0 });
    createDeepLinkResource(file, title, (fraction) => setUpload(fraction >= 1 ? { kind: 'checking' } : { kind: 'sending', fraction })).then(
      (resourceId) => {
        setUpload(null);
        giveBack(resourceId);
      },
      (failure: Error) => {
        setUpload(null);
        refuseUpload(`The package was not accepted: ${failure.message}`);
      },
    );
  };

  const percent = upload?.kind === 'sending' ? Math.round(upload.fraction * 100) : 100;
  const resources = load.kind === 'ready' ? load.choices.resources : [];
  return (
    <div class="page">
      <header class="page-header">
        {load.kind === 'ready' && <p class="course">{load.choices.context.title ?? load.choices.context.label}</p>}
        <h1>Choose the exam for this link</h1>
      </header>
      <main id="main">
        <p role="status" class="loading" data-testid="deep-linking-status">
          {returning ? 'Returning to your course…' : load.kind === 'loading' ? 'Loading the exams of this course…' : ''}
        </p>
        {load.kind === 'failed' && (
          <div role="alert" class="form-error">
            <p>{load.message}</p>
            <button type="button" onClick={reload}>
              Try again
            </button>
          </div>
        )}
        {load.kind === 'ready' && (
          <form onSubmit={useExisting} aria-labelledby="existing-heading" noValidate>
            <h2 id="existing-heading">An exam of this course</h2>
            {resources.length === 0 ? (
              <p class="hint">This course has no exams yet: create one below.</p>
            ) : (
              <fieldset aria-describedby={chooseError === null ? undefined : 'choose-error'}>
                <legend>Exams</legend>
                {resources.map((r, index) => (
                  <p key={r.id} class="choice">
                    <input
                      id={`exam-${r.id}`}
                      type="radio"
                      name="resource"
                      value={String(r.id)}
                      ref={index === 0 ? firstChoice : undefined}
                      checked={chosen === r.id}
                      onChange={() => {
                        setChosen(r.id);
                        setChooseError(null);
                      }}
                      disabled={busy}
                      aria-describedby={`exam-${r.id}-about`}
                    />{' '}
                    <label for={`exam-${r.id}`}>{r.title ?? r.packageTitle ?? `Exam ${r.id}`}</label>{' '}
                    <span id={`exam-${r.id}-about`} class="hint">
                      {r.hasPackage ? (r.packageTitle ?? 'package uploaded') : 'no package yet'} · {r.links === 1 ? 'used by 1 link' : `used by ${r.links} links`}
                    </span>
                  </p>
                ))}
              </fieldset>
            )}
            {chooseError !== null && (
              <p id="choose-error" role="alert" class="form-error" data-testid="deep-linking-error">
                {chooseError}
              </p>
            )}
            <button type="submit" disabled={busy || resources.length === 0} data-testid="use-existing">
              Use this exam
            </button>
          </form>
        )}
        <form onSubmit={createNew} aria-labelledby="new-heading" noValidate>
          <h2 id="new-heading">A new exam</h2>
          <p>
            <label for="new-title">Title</label>
            <br />
            <input id="new-title" type="text" maxLength={200} value={title} aria-describedby="new-title-hint" onInput={(e) => setTitle(e.currentTarget.value)} disabled={busy} />
          </p>
          <p id="new-title-hint" class="hint">
            Optional: the package’s own title is used when this is empty.
          </p>
          <p>
            <label for="new-package">SCORM package (.zip)</label>
            <br />
            <input
              id="new-package"
              ref={fileInput}
              type="file"
              accept=".zip,application/zip"
              aria-invalid={uploadError !== null}
              aria-describedby={uploadError === null ? 'new-package-hint' : 'new-package-hint upload-error'}
              onChange={(e) => {
                setFile(e.currentTarget.files?.[0] ?? null);
                setUploadError(null);
              }}
              disabled={busy}
            />
          </p>
          <p id="new-package-hint" class="hint">
            A SCORM 1.2 or 2004 package, such as a Numbas exam exported for SCORM.
          </p>
          {uploadError !== null && (
            <p id="upload-error" role="alert" class="form-error" data-testid="upload-error">
              {uploadError}
            </p>
          )}
          <button type="submit" disabled={busy} data-testid="create-new">
            Upload and use this exam
          </button>
          <div class="upload-progress" aria-live="polite">
            {upload !== null && (
              <p data-testid="upload-status">
                <label for="upload-progress">{upload.kind === 'sending' ? 'Uploading the package' : 'Checking the package'}</label>{' '}
                <progress id="upload-progress" max={100} value={percent} data-testid="upload-progress" /> <span>{upload.kind === 'sending' ? `${percent}%` : 'Uploaded; checking…'}</span>
              </p>
            )}
          </div>
        </form>
      </main>
    </div>
  );
}
