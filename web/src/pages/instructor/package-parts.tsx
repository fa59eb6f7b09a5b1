/** The Package tab's parts: upload or replace the exam package, and its summary. */
import { useId, useState } from 'preact/hooks';
import { type PackageInfo, uploadPackage } from '../../api.js';

interface PackageFormProps {
  replace: boolean;
  onUploaded: () => void;
}

export function PackageForm({ replace, onUploaded }: PackageFormProps) {
  const fileId = useId();
  const hintId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [migrate, setMigrate] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const uploading = progress !== null;
  const percent = progress === null ? 0 : Math.round(progress * 100);

  const submit = (event: Event) => {
    event.preventDefault();
    if (uploading) return;
    if (file === null) {
      setError('Choose a .zip file first.');
      return;
    }
    setError(null);
    setProgress(0);
    uploadPackage(file, replace && migrate, (fraction) => setProgress(fraction)).then(
      () => {
        setProgress(null);
        setFile(null);
        onUploaded();
      },
      (failure: Error) => {
        setProgress(null);
        setError(failure.message);
      },
    );
  };

  return (
    <form class="package-form" onSubmit={submit} aria-busy={uploading}>
      <p>
        <label for={fileId}>{replace ? 'New exam package (.zip)' : 'Exam package (.zip)'}</label>
        <br />
        <input
          id={fileId}
          type="file"
          name="package"
          accept=".zip"
          data-testid="package-file"
          aria-describedby={hintId}
          disabled={uploading}
          onChange={(event) => {
            setFile(event.currentTarget.files?.[0] ?? null);
            setError(null);
          }}
        />
      </p>
      <p id={hintId} class="hint">
        A SCORM package, such as a Numbas exam exported for SCORM.
      </p>
      {replace && (
        <p>
          <label class="checkbox">
            <input
              type="checkbox"
              name="migrateExisting"
              value="true"
              data-testid="migrate-existing"
              checked={migrate}
              disabled={uploading}
              onChange={(event) => setMigrate(event.currentTarget.checked)}
            />{' '}
            Make existing attempts use this version
          </label>
        </p>
      )}
      <p>
        <button type="submit" data-testid="upload-package" disabled={uploading}>
          Upload
        </button>
      </p>
      <div class="upload-progress" aria-live="polite">
        {uploading && (
          <p>
            <progress max={100} value={percent} aria-label="Upload progress" data-testid="upload-progress" />{' '}
            <span>{percent}%</span>
          </p>
        )}
      </div>
      {error !== null && (
        <p class="form-error" role="alert" data-testid="upload-error">
          {error}
        </p>
      )}
    </form>
  );
}

export function PackageSummary({ pkg }: { pkg: PackageInfo }) {
  return (
    <dl class="package-summary" data-testid="package-summary">
      <dt>Title</dt>
      <dd data-testid="package-title">{pkg.title ?? '(untitled)'}</dd>
      <dt>Version</dt>
      <dd data-testid="package-version">{pkg.versionId}</dd>
      <dt>SCORM version</dt>
      <dd data-testid="package-scorm">{pkg.scormVersion}</dd>
      {pkg.numbasVersion !== null && (
        <>
          <dt>Numbas version</dt>
          <dd>{pkg.numbasVersion}</dd>
        </>
      )}
    </dl>
  );
}
