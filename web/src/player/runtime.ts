/**
 * The SCORM runtime the exam talks to: a thin wrapper object in front of scorm-again's
 * Scorm2004API / Scorm12API, put on the page that hosts the content frame as
 * `window.API_1484_11` (SCORM 2004) or `window.API` (SCORM 1.2).
 *
 * The wrapper
 * - loads the resume values and the launch's runtime values (entry, mode, learner, launch data,
 *   max time allowed) through scorm-again's initial-load path before the SCO starts, so that
 *   read-only elements are set the way an LMS sets them, never through SetValue;
 * - answers the elements Numbas uses that are not in the SCORM data model itself:
 *   `numbas.*` (from the launch's `runtime.numbas`, or set by the SCO) and
 *   `cmi.interactions.N.staged_answer`, which scorm-again refuses with error 401;
 * - hands every successful SetValue to `record` at once, as `{ k, v, t }`;
 * - in review mode answers every SetValue with "true" and records nothing;
 * - tells the player about Commit and Terminate, and after `stop()` (takeover, ended) refuses
 *   every further SetValue, Commit and Terminate with "false".
 *
 * No browser globals and no import of scorm-again: the API object is injected, so the unit
 * tests run it in Node against the real scorm-again and the recorded Numbas session.
 */
import type { Element } from './protocol.js';

export type ScormVersion = '2004' | '1.2';
export type LaunchMode = 'normal' | 'review';

/** `runtime` of `GET /api/attempts/:id/launch`. */
export interface LaunchRuntime {
  entry: string;
  learnerId: string;
  learnerName: string;
  launchData: string;
  maxTimeAllowed: string | null;
  numbas: Record<string, string>;
}

/** What the wrapper uses of scorm-again's Scorm2004API. */
export interface Scorm2004Like {
  Initialize(parameter?: string): string;
  Terminate(parameter?: string): string;
  GetValue(element: string): string;
  SetValue(element: string, value: string): string;
  Commit(parameter?: string): string;
  GetLastError(): string;
  GetErrorString(code: string | number): string;
  GetDiagnostic(code: string | number): string;
  isInitialized(): boolean;
  loadFromFlattenedJSON(json: Record<string, string>, element?: string): void;
  cmi: { completion_status: string; success_status: string };
}

/** What the wrapper uses of scorm-again's Scorm12API. */
export interface Scorm12Like {
  LMSInitialize(parameter?: string): string;
  LMSFinish(parameter?: string): string;
  LMSGetValue(element: string): string;
  LMSSetValue(element: string, value: string): string;
  LMSCommit(parameter?: string): string;
  LMSGetLastError(): string;
  LMSGetErrorString(code: string): string;
  LMSGetDiagnostic(code: string): string;
  isInitialized(): boolean;
  loadFromFlattenedJSON(json: Record<string, string>, element?: string): void;
  cmi: { core: { lesson_status: string } };
}

export type ScormApiFunction = (...args: string[]) => string;

/** The object the SCO finds: the eight functions of its SCORM version. */
export type ScormApiObject = Record<string, ScormApiFunction>;

export interface ScormRuntimeOptions {
  version: ScormVersion;
  /** A fresh, uninitialised scorm-again API object of that version. */
  api: Scorm2004Like | Scorm12Like;
  mode: LaunchMode;
  /** `values` of launch: every element set so far. */
  values: Record<string, string>;
  runtime: LaunchRuntime;
  /** Receives each element to send; null to record nothing (test runs). Never called in review mode. */
  record: ((element: Element) => void) | null;
  /** After a successful Commit (not in review mode). */
  onCommit?: () => void;
  /** After a successful Terminate; `completed` from the completion status the SCO left. */
  onTerminate?: (info: { completed: boolean }) => void;
  now?: () => number;
}

/** Elements the wrapper itself keeps, because scorm-again does not know them. */
export function isWrapperElement(key: string): boolean {
  return key.startsWith('numbas.') || /^cmi\.interactions\.\d+\.staged_answer$/.test(key);
}

const RUNTIME_ELEMENTS_2004 = new Set([
  'cmi.entry',
  'cmi.mode',
  'cmi.credit',
  'cmi.learner_id',
  'cmi.learner_name',
  'cmi.launch_data',
  'cmi.max_time_allowed',
  'cmi.time_limit_action',
  'cmi.completion_threshold',
  'cmi.scaled_passing_score',
  'cmi.total_time',
  // Write-only and about one session only: never given back.
  'cmi.exit',
  'cmi.session_time',
]);

const RUNTIME_ELEMENTS_12 = new Set([
  'cmi.core.entry',
  'cmi.core.lesson_mode',
  'cmi.core.credit',
  'cmi.core.student_id',
  'cmi.core.student_name',
  'cmi.core.total_time',
  'cmi.launch_data',
  'cmi.core.exit',
  'cmi.core.session_time',
]);

/** Whether a stored element is given back to scorm-again on resume. */
export function isResumableElement(version: ScormVersion, key: string): boolean {
  if (isWrapperElement(key)) return false;
  if (!key.startsWith('cmi.')) return false; // adl.nav.* and the like are about one session
  if (/\._(count|children|version)$/.test(key)) return false;
  if (version === '2004') return !RUNTIME_ELEMENTS_2004.has(key);
  if (key.startsWith('cmi.student_data.') || key.startsWith('cmi.comments_from_lms')) return false;
  return !RUNTIME_ELEMENTS_12.has(key);
}

const COLLECTION = /^cmi\.(interactions|objectives)\.(\d+)\.(.*)$/;

/**
 * The order scorm-again needs to rebuild collections: interactions, then objectives, each by
 * index with `id` first (and an interaction's `type` before the fields checked against it),
 * then everything else.
 */
export function resumeOrder(keys: readonly string[]): string[] {
  const rank = (key: string): [number, number, number, string] => {
    const match = COLLECTION.exec(key);
    if (match === null) return [2, 0, 0, key];
    const group = match[1] === 'interactions' ? 0 : 1;
    const field = match[3] ?? '';
    const fieldRank = field === 'id' ? 0 : field === 'type' ? 1 : 2;
    return [group, Number(match[2]), fieldRank, field];
  };
  return [...keys].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < 3; i++) {
      const d = (ra[i] as number) - (rb[i] as number);
      if (d !== 0) return d;
    }
    return ra[3] < rb[3] ? -1 : ra[3] > rb[3] ? 1 : 0;
  });
}

/** The read-only values of launch's `runtime`, as flattened elements of each version. */
export function runtimeElements(version: ScormVersion, mode: LaunchMode, runtime: LaunchRuntime): Record<string, string> {
  if (version === '1.2') {
    return {
      'cmi.core.entry': runtime.entry,
      'cmi.core.lesson_mode': mode,
      'cmi.core.student_id': runtime.learnerId,
      'cmi.core.student_name': runtime.learnerName,
      'cmi.launch_data': runtime.launchData,
    };
  }
  const elements: Record<string, string> = {
    'cmi.entry': runtime.entry,
    'cmi.mode': mode,
    'cmi.learner_id': runtime.learnerId,
    'cmi.learner_name': runtime.learnerName,
    'cmi.launch_data': runtime.launchData,
  };
  if (runtime.maxTimeAllowed !== null && runtime.maxTimeAllowed !== '') {
    elements['cmi.max_time_allowed'] = runtime.maxTimeAllowed;
  }
  return elements;
}

interface Core {
  initialize(parameter: string): string;
  terminate(parameter: string): string;
  getValue(element: string): string;
  setValue(element: string, value: string): string;
  commit(parameter: string): string;
  getLastError(): string;
  getErrorString(code: string): string;
  getDiagnostic(code: string): string;
  isInitialized(): boolean;
  load(json: Record<string, string>): void;
  /** Status elements read without the API (Terminate may change them itself). */
  statuses(): Record<string, string>;
}

function core2004(api: Scorm2004Like): Core {
  return {
    initialize: (p) => api.Initialize(p),
    terminate: (p) => api.Terminate(p),
    getValue: (k) => api.GetValue(k),
    setValue: (k, v) => api.SetValue(k, v),
    commit: (p) => api.Commit(p),
    getLastError: () => api.GetLastError(),
    getErrorString: (c) => api.GetErrorString(c),
    getDiagnostic: (c) => api.GetDiagnostic(c),
    isInitialized: () => api.isInitialized(),
    load: (json) => api.loadFromFlattenedJSON(json),
    statuses: () => ({
      'cmi.completion_status': String(api.cmi.completion_status ?? ''),
      'cmi.success_status': String(api.cmi.success_status ?? ''),
    }),
  };
}

function core12(api: Scorm12Like): Core {
  return {
    initialize: (p) => api.LMSInitialize(p),
    terminate: (p) => api.LMSFinish(p),
    getValue: (k) => api.LMSGetValue(k),
    setValue: (k, v) => api.LMSSetValue(k, v),
    commit: (p) => api.LMSCommit(p),
    getLastError: () => api.LMSGetLastError(),
    getErrorString: (c) => api.LMSGetErrorString(c),
    getDiagnostic: (c) => api.LMSGetDiagnostic(c),
    isInitialized: () => api.isInitialized(),
    load: (json) => api.loadFromFlattenedJSON(json),
    statuses: () => ({ 'cmi.core.lesson_status': String(api.cmi.core.lesson_status ?? '') }),
  };
}

/** Error codes the wrapper reports itself. */
const CODES = {
  '2004': { none: '0', notInitialized: '403', setFailure: '351', commitFailure: '391', terminateFailure: '111' },
  '1.2': { none: '0', notInitialized: '0', setFailure: '101', commitFailure: '101', terminateFailure: '101' },
} as const;

export class ScormRuntime {
  /** The object to expose as `window.API_1484_11` or `window.API`. */
  readonly api: ScormApiObject;
  readonly version: ScormVersion;
  readonly mode: LaunchMode;
  /** Keys that scorm-again refused while loading the resume values (for diagnosis). */
  readonly loadFailures: string[] = [];
  private readonly core: Core;
  private readonly extras = new Map<string, string>();
  private readonly record: ((element: Element) => void) | null;
  private readonly options: ScormRuntimeOptions;
  private readonly now: () => number;
  private readonly codes: (typeof CODES)[ScormVersion];
  /** The error of the last call the wrapper answered itself; null when scorm-again answered. */
  private errorOverride: string | null = null;
  private stopped = false;

  constructor(options: ScormRuntimeOptions) {
    this.options = options;
    this.version = options.version;
    this.mode = options.mode;
    this.codes = CODES[options.version];
    this.now = options.now ?? Date.now;
    this.record = options.mode === 'review' ? null : options.record;
    this.core = options.version === '2004' ? core2004(options.api as Scorm2004Like) : core12(options.api as Scorm12Like);
    this.loadValues(options.values, options.runtime);
    this.api = options.version === '2004' ? this.api2004() : this.api12();
  }

  /** Takeover or end: from now on SetValue, Commit and Terminate answer "false". */
  stop(): void {
    this.stopped = true;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** The value of an element the wrapper keeps (numbas.*, staged answers). */
  wrapperValue(key: string): string | undefined {
    return this.extras.get(key);
  }

  // ---------------------------------------------------------------------------------------

  private loadValues(values: Record<string, string>, runtime: LaunchRuntime): void {
    const resumable: string[] = [];
    for (const [key, value] of Object.entries(values)) {
      if (typeof value !== 'string') continue;
      if (isWrapperElement(key)) this.extras.set(key, value);
      else if (isResumableElement(this.version, key)) resumable.push(key);
    }
    // The launch's own numbas.* values win over anything stored.
    for (const [name, value] of Object.entries(runtime.numbas ?? {})) {
      this.extras.set(`numbas.${name}`, String(value));
    }
    // One element at a time, so that one value scorm-again refuses does not stop the rest.
    for (const key of resumeOrder(resumable)) this.loadOne(key, values[key] as string);
    for (const [key, value] of Object.entries(runtimeElements(this.version, this.mode, runtime))) {
      this.loadOne(key, value);
    }
  }

  private loadOne(key: string, value: string): void {
    try {
      this.core.load({ [key]: value });
    } catch {
      this.loadFailures.push(key);
    }
  }

  private emit(key: string, value: string): void {
    this.record?.({ k: key, v: value, t: this.now() });
  }

  private fail(code: string): string {
    this.errorOverride = code;
    return 'false';
  }

  private getValue(key: string): string {
    this.errorOverride = null;
    const element = String(key);
    if (isWrapperElement(element) && this.core.isInitialized()) {
      const value = this.extras.get(element);
      if (value !== undefined) {
        this.errorOverride = this.codes.none;
        return value;
      }
      this.errorOverride = this.codes.notInitialized;
      return '';
    }
    return this.core.getValue(element);
  }

  private setValue(key: string, rawValue: unknown): string {
    if (this.stopped) return this.fail(this.codes.setFailure);
    this.errorOverride = null;
    const element = String(key);
    const value = String(rawValue);
    if (isWrapperElement(element) && this.core.isInitialized()) {
      this.extras.set(element, value);
      this.emit(element, value);
      this.errorOverride = this.codes.none;
      return 'true';
    }
    const result = this.core.setValue(element, value);
    if (this.mode === 'review') {
      // Review changes nothing that is kept, and the SCO is told that all went well.
      if (!this.core.isInitialized()) return result;
      this.errorOverride = this.codes.none;
      return 'true';
    }
    if (result === 'true') this.emit(element, value);
    return result;
  }

  private commit(parameter: string): string {
    if (this.stopped) return this.fail(this.codes.commitFailure);
    this.errorOverride = null;
    const result = this.core.commit(parameter);
    if (result === 'true' && this.mode !== 'review') this.options.onCommit?.();
    return result;
  }

  private terminate(parameter: string): string {
    if (this.stopped) return this.fail(this.codes.terminateFailure);
    this.errorOverride = null;
    const before = this.core.statuses();
    const result = this.core.terminate(parameter);
    if (result !== 'true') return result;
    const after = this.core.statuses();
    // scorm-again may settle a status itself on Terminate (SCORM 1.2's lesson_status): send that too.
    for (const [key, value] of Object.entries(after)) {
      if (before[key] !== value && value !== '') this.emit(key, value);
    }
    const completed =
      this.version === '2004'
        ? after['cmi.completion_status'] === 'completed'
        : ['completed', 'passed', 'failed'].includes(after['cmi.core.lesson_status'] ?? '');
    this.options.onTerminate?.({ completed });
    return result;
  }

  private lastError(): string {
    return this.errorOverride ?? this.core.getLastError();
  }

  private api2004(): ScormApiObject {
    return {
      Initialize: (p = '') => {
        this.errorOverride = null;
        return this.core.initialize(p);
      },
      Terminate: (p = '') => this.terminate(p),
      GetValue: (k) => this.getValue(k ?? ''),
      SetValue: (k, v) => this.setValue(k ?? '', v),
      Commit: (p = '') => this.commit(p),
      GetLastError: () => this.lastError(),
      GetErrorString: (c) => this.core.getErrorString(String(c ?? '')),
      GetDiagnostic: (c) => this.core.getDiagnostic(String(c ?? '')),
    };
  }

  private api12(): ScormApiObject {
    return {
      LMSInitialize: (p = '') => {
        this.errorOverride = null;
        return this.core.initialize(p);
      },
      LMSFinish: (p = '') => this.terminate(p),
      LMSGetValue: (k) => this.getValue(k ?? ''),
      LMSSetValue: (k, v) => this.setValue(k ?? '', v),
      LMSCommit: (p = '') => this.commit(p),
      LMSGetLastError: () => this.lastError(),
      LMSGetErrorString: (c) => this.core.getErrorString(String(c ?? '')),
      LMSGetDiagnostic: (c) => this.core.getDiagnostic(String(c ?? '')),
    };
  }
}
