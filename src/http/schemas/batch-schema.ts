/** JSON schemas of attempt data batches (docs/attempt-protocol.md), shared by HTTP and websocket. */
export const elementSchema = {
  type: 'object',
  required: ['k', 'v'],
  additionalProperties: false,
  properties: {
    // SCORM element names: dotted identifiers, never control characters.
    k: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9_.\\-]+$' },
    // cmi.suspend_data may hold 64,000 characters in SCORM 2004.
    v: { type: 'string', maxLength: 65536 },
    t: { type: ['number', 'null'] },
  },
} as const;

export const batchSchema = {
  type: 'object',
  required: ['seq', 'elements'],
  properties: {
    seq: { type: 'integer', minimum: 1, maximum: 2147483647 },
    elements: { type: 'array', maxItems: 2000, items: elementSchema },
    terminate: { type: 'boolean', default: false },
  },
} as const;

export const sessionIdSchema = { type: 'string', minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } as const;

export const batchesBodySchema = {
  type: 'object',
  required: ['sessionId', 'batches'],
  properties: {
    sessionId: sessionIdSchema,
    batches: { type: 'array', minItems: 1, maxItems: 200, items: batchSchema },
    token: { type: 'string', maxLength: 4096 },
  },
} as const;

export interface BatchBody {
  sessionId: string;
  batches: Array<{ seq: number; elements: Array<{ k: string; v: string; t?: number | null }>; terminate?: boolean }>;
  token?: string;
}
