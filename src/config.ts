import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Settings, read from the environment once at start-up. A bad value stops start-up with
 * a message naming the variable: a typo should never silently run with a default.
 */
export interface Config {
  port: number;
  host: string;
  /** Origin the outside world uses to reach us; when unset it is derived per request. */
  publicUrl: URL | null;
  trustProxy: boolean;
  databaseUrl: string | null;
  dataDir: string;
  secretKey: string;
  /** True when SECRET_KEY was generated and stored in DATA_DIR rather than given. */
  secretKeyGenerated: boolean;
  production: boolean;
  demo: boolean;
  /** Origin the demo LMS posts launches to (DEMO_TOOL_ORIGIN); null means this request's own origin. */
  demoToolOrigin: string | null;
  instructorRoles: string[];
  sessionTtlSeconds: number;
  logLevel: string;
  instanceName: string;
  /** Largest package upload, in bytes. */
  packageMaxBytes: number;
  /** Outside hosts exam content may load from (Numbas loads MathJax from a CDN). */
  contentHosts: string[];
  /** Jobs (calls out to an LMS, long work) running at once on this node. */
  jobConcurrency: number;
  /** Calls at once to one LMS origin from this node: polite by default. */
  lmsConcurrency: number;
  /** How long a grade passback keeps retrying before it is given up, in hours. */
  outcomeDeadlineHours: number;
  /** How long one call to an LMS outcomes service may take, in seconds. */
  outcomeTimeoutSeconds: number;
  /** How long a rotated-out LTI 1.3 signing key stays published in the JWKS, in days. */
  ltiKeyOverlapDays: number;
  /** OPEN_REGISTRATION=1: /lti/register works without an admin's one-time token (default off). */
  openRegistration: boolean;
}

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

type Env = Record<string, string | undefined>;

const DEFAULT_INSTRUCTOR_ROLES = [
  'Instructor',
  'Administrator',
  'ContentDeveloper',
  'Manager',
  'TeachingAssistant',
];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `must be 1/0, true/false, yes/no or on/off, got "${raw}"`);
}

function readPublicUrl(env: Env, name = 'PUBLIC_URL'): URL | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, 'must start with http:// or https://');
  }
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new ConfigError(name, 'must be an origin only, such as https://exams.example.edu');
  }
  return url;
}

function readDatabaseUrl(env: Env): string | null {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return null;
  if (!/^postgres(ql)?:\/\//.test(raw)) {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
  }
  return raw;
}

/** Without SECRET_KEY outside production, generate one once and keep it in DATA_DIR. */
function readSecretKey(env: Env, dataDir: string, production: boolean): { key: string; generated: boolean } {
  const raw = env.SECRET_KEY;
  if (raw !== undefined && raw !== '') {
    if (raw.length < 32) throw new ConfigError('SECRET_KEY', 'must be at least 32 characters long');
    return { key: raw, generated: false };
  }
  if (production) {
    throw new ConfigError('SECRET_KEY', 'is required when NODE_ENV=production (at least 32 characters)');
  }
  const file = join(dataDir, 'secret-key');
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length < 32) throw new ConfigError('SECRET_KEY', `the key stored in ${file} is too short`);
    return { key: stored, generated: true };
  }
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, key + '\n', { mode: 0o600 });
  return { key, generated: true };
}

function readContentHosts(env: Env): string[] {
  const raw = env.CONTENT_HOSTS;
  if (raw === undefined) return ['https://cdn.jsdelivr.net'];
  const hosts = raw.split(',').map((h) => h.trim()).filter((h) => h !== '');
  for (const host of hosts) {
    // These go into a Content-Security-Policy: only plain https origins, nothing that could add a directive.
    if (!/^https:\/\/[a-z0-9.-]+(:\d+)?$/i.test(host)) {
      throw new ConfigError('CONTENT_HOSTS', `"${host}" is not an https origin such as https://cdn.jsdelivr.net`);
    }
  }
  return hosts;
}

export function loadConfig(env: Env = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const dataDir = resolve(env.DATA_DIR && env.DATA_DIR !== '' ? env.DATA_DIR : './data');
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new ConfigError('DATA_DIR', `cannot create ${dataDir}: ${(error as Error).message}`);
  }
  const databaseUrl = readDatabaseUrl(env);
  const logLevel = env.LOG_LEVEL && env.LOG_LEVEL !== '' ? env.LOG_LEVEL : 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const rolesRaw = env.LTI_INSTRUCTOR_ROLES;
  const instructorRoles =
    rolesRaw === undefined || rolesRaw === ''
      ? DEFAULT_INSTRUCTOR_ROLES
      : rolesRaw.split(',').map((r) => r.trim()).filter((r) => r !== '');
  if (instructorRoles.length === 0) {
    throw new ConfigError('LTI_INSTRUCTOR_ROLES', 'must name at least one role');
  }
  const secret = readSecretKey(env, dataDir, production);
  return {
    port: readInt(env, 'PORT', 8080, 0, 65535),
    host: env.HOST && env.HOST !== '' ? env.HOST : '0.0.0.0',
    publicUrl: readPublicUrl(env),
    trustProxy: readBool(env, 'TRUST_PROXY', false),
    databaseUrl,
    dataDir,
    secretKey: secret.key,
    secretKeyGenerated: secret.generated,
    production,
    // The demo LMS signs launches with a well-known consumer: never in production.
    demo: readBool(env, 'DEMO', !production && databaseUrl === null) && !production,
    demoToolOrigin: readPublicUrl(env, 'DEMO_TOOL_ORIGIN')?.origin ?? null,
    instructorRoles,
    sessionTtlSeconds: readInt(env, 'SESSION_TTL_SECONDS', 8 * 3600, 60, 7 * 24 * 3600),
    logLevel,
    instanceName: env.INSTANCE_NAME && env.INSTANCE_NAME !== '' ? env.INSTANCE_NAME : 'lti-exam-provider',
    packageMaxBytes: readInt(env, 'PACKAGE_MAX_MB', 50, 1, 2048) * 1024 * 1024,
    contentHosts: readContentHosts(env),
    jobConcurrency: readInt(env, 'JOB_CONCURRENCY', 8, 1, 256),
    lmsConcurrency: readInt(env, 'LMS_CONCURRENCY', 2, 1, 64),
    outcomeDeadlineHours: readInt(env, 'OUTCOME_DEADLINE_HOURS', 168, 1, 90 * 24),
    outcomeTimeoutSeconds: readInt(env, 'OUTCOME_TIMEOUT_SECONDS', 30, 1, 600),
    ltiKeyOverlapDays: readInt(env, 'LTI_KEY_OVERLAP_DAYS', 7, 1, 365),
    openRegistration: readBool(env, 'OPEN_REGISTRATION', false),
  };
}
