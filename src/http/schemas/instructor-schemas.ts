/**
 * JSON schemas of the instructor API (settings, access changes, access tokens, dashboard, jobs).
 * Request bodies are loose about types on purpose: a wrong value is reported field by field by
 * the domain check (checkSettings, checkAccessChange), in words, rather than as a schema error.
 */
const nullableString = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;
const numberOrText = { anyOf: [{ type: 'number' }, { type: 'string', maxLength: 32 }, { type: 'null' }] } as const;
const textOrNull = { type: ['string', 'null'] } as const;

export const userIdParams = { type: 'object', required: ['userId'], properties: { userId: { type: 'integer', minimum: 1 } } } as const;
export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

export const settingsBody = {
  type: 'object',
  required: ['gradingMethod', 'includeIncomplete', 'maxAttempts', 'showScores', 'reportTiming', 'reviewFrom', 'availableFrom', 'availableUntil', 'dueAt', 'emailReceipts'],
  properties: {
    gradingMethod: { type: 'string', maxLength: 40 },
    includeIncomplete: { type: 'boolean' },
    maxAttempts: numberOrText,
    showScores: { type: 'string', maxLength: 40 },
    reportTiming: { type: 'string', maxLength: 40 },
    reviewFrom: nullableString(64),
    availableFrom: nullableString(64),
    availableUntil: nullableString(64),
    dueAt: nullableString(64),
    emailReceipts: { type: 'boolean' },
  },
} as const;

const settingsView = {
  type: 'object',
  properties: {
    gradingMethod: { type: 'string' },
    includeIncomplete: { type: 'boolean' },
    maxAttempts: { type: 'integer' },
    showScores: { type: 'string' },
    reportTiming: { type: 'string' },
    reviewFrom: textOrNull,
    availableFrom: textOrNull,
    availableUntil: textOrNull,
    dueAt: textOrNull,
    emailReceipts: { type: 'boolean' },
  },
} as const;

export const settingsResponse = {
  200: { type: 'object', properties: { settings: settingsView, notes: { type: 'array', items: { type: 'string' } } } },
} as const;

export const accessChangeBody = {
  type: 'object',
  required: ['description', 'targets'],
  properties: {
    description: { type: 'string', maxLength: 2000 },
    // A pasted class list: up to 2000 targets of up to 320 characters.
    targets: { type: 'string', maxLength: 700_000 },
    availableFrom: nullableString(64),
    availableUntil: nullableString(64),
    extendDeadlineMinutes: numberOrText,
    maxAttempts: numberOrText,
    durationMode: { type: 'string', maxLength: 20, default: 'none' },
    durationAmount: numberOrText,
  },
} as const;

const accessChangeView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    createdAt: { type: 'string' },
    description: { type: 'string' },
    availableFrom: textOrNull,
    availableUntil: textOrNull,
    extendDeadlineMinutes: { type: ['integer', 'null'] },
    maxAttempts: { type: ['integer', 'null'] },
    duration: { type: 'object', properties: { mode: { type: 'string' }, amount: { type: 'number' } } },
    targets: { type: 'array', items: { type: 'object', properties: { kind: { type: 'string' }, value: { type: 'string' } } } },
  },
} as const;

export const accessChangesResponse = {
  200: {
    type: 'object',
    properties: {
      changes: { type: 'array', items: accessChangeView },
      you: { type: 'object', properties: { username: textOrNull, email: textOrNull } },
    },
  },
} as const;

export const createdAccessChangeResponse = {
  201: { type: 'object', properties: { change: accessChangeView, notes: { type: 'array', items: { type: 'string' } } } },
} as const;

export const accessTokensResponse = {
  200: { type: 'object', properties: { userId: { type: 'integer' }, accessTokens: { type: 'integer' } } },
} as const;

export const dashboardQuery = { type: 'object', properties: { q: { type: 'string', maxLength: 200, default: '' } } } as const;

export const dashboardResponse = {
  200: {
    type: 'object',
    properties: {
      counts: { type: 'object', properties: { attempts: { type: 'integer' }, studentsWithAttempts: { type: 'integer' }, students: { type: 'integer' } } },
      gradingMethod: { type: 'string' },
      reportTiming: { type: 'string' },
      students: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            userId: { type: 'integer' },
            name: textOrNull,
            username: textOrNull,
            email: textOrNull,
            score: { type: ['number', 'null'] },
            attempts: { type: 'integer' },
            inProgress: { type: 'boolean' },
            lastAttemptAt: textOrNull,
            accessTokens: { type: 'integer' },
            maxAttempts: { type: 'integer' },
            gradeReport: {
              type: ['object', 'null'],
              properties: { status: { type: 'string' }, sentScore: { type: ['number', 'null'] }, sentAt: textOrNull, lastError: textOrNull },
            },
            lmsScore: { type: ['number', 'null'] },
          },
        },
      },
      lmsGrades: { type: 'object', properties: { available: { type: 'boolean' }, reason: textOrNull } },
    },
  },
} as const;

export const reportScoresResponse = { 202: { type: 'object', properties: { jobId: { type: 'integer' } } } } as const;

export const jobResponse = {
  200: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      kind: { type: 'string' },
      state: { type: 'string' },
      // The job's own JSON, passed through as it is.
      progress: {},
      result: {},
      lastError: textOrNull,
      createdAt: { type: 'string' },
      finishedAt: textOrNull,
    },
  },
} as const;
