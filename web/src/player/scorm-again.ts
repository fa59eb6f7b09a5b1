/**
 * Loads scorm-again's API class for one SCORM version, as a separate chunk (scorm-again is large,
 * and a page needs only one of its two APIs), and makes an API object configured for this player:
 * no autocommit and no commit URL, since the player sends every element itself.
 *
 * scorm-again's per-version entry points export the class by name (`Scorm2004API`,
 * `Scorm12API`), while their type declarations claim a default export: hence the casts.
 */
import type { Scorm12Like, Scorm2004Like, ScormVersion } from './runtime.js';

/** Settings shared by both versions. */
export const SCORM_AGAIN_SETTINGS = {
  autocommit: false,
  lmsCommitUrl: false,
  // Numbas reads non-standard elements and uninitialised ones as a matter of course.
  logLevel: 5,
  uninitializedGetLogLevel: 5,
} as const;

type Ctor<T> = new (settings: Record<string, unknown>) => T;

export async function createScormAgainApi(version: '2004'): Promise<Scorm2004Like>;
export async function createScormAgainApi(version: '1.2'): Promise<Scorm12Like>;
export async function createScormAgainApi(version: ScormVersion): Promise<Scorm2004Like | Scorm12Like>;
export async function createScormAgainApi(version: ScormVersion): Promise<Scorm2004Like | Scorm12Like> {
  if (version === '2004') {
    const module = (await import('scorm-again/scorm2004')) as unknown as { Scorm2004API: Ctor<Scorm2004Like> };
    return new module.Scorm2004API({ ...SCORM_AGAIN_SETTINGS });
  }
  const module = (await import('scorm-again/scorm12')) as unknown as { Scorm12API: Ctor<Scorm12Like> };
  return new module.Scorm12API({ ...SCORM_AGAIN_SETTINGS });
}
