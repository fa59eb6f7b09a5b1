/**
 * Why a SCORM package was refused. Kept out of src/lib/errors.ts on purpose: these codes
 * are about the uploaded file, and the caller decides how to present them (the upload
 * route turns them into a form error; the CLI prints the message).
 */
export type PackageErrorCode =
  | 'not_zip'
  | 'too_large'
  | 'too_many_files'
  | 'zip_bomb'
  | 'unsafe_path'
  | 'symlink'
  | 'no_manifest'
  | 'bad_manifest'
  | 'unsupported_scorm'
  | 'no_organization'
  | 'no_launch';

export class PackageError extends Error {
  readonly code: PackageErrorCode;

  /** `message` is written for the person who uploaded the package: plain words, no stack. */
  constructor(code: PackageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PackageError';
    this.code = code;
  }
}

export function isPackageError(value: unknown): value is PackageError {
  return value instanceof PackageError;
}
