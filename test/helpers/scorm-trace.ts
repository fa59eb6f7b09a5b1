/** One recorded SCORM API call of ../shared/fixtures/numbas-session-trace.json (fields as recorded). */
export interface TraceCall {
  i: number;
  fn: 'Initialize' | 'GetValue' | 'SetValue' | 'Commit' | 'Terminate';
  k?: string;
  v?: string;
  ret: string;
  err: number;
}

/** The SCORM 2004 API methods a replay calls; absent ones answer "". */
export interface ReplayApi {
  Initialize?(parameter: string): string;
  GetValue?(key: string): string;
  SetValue?(key: string, value: string): string;
  Commit?(parameter: string): string;
  Terminate?(parameter: string): string;
  GetLastError?(): string;
}

/** Replays calls through an API object, as the exam made them; returns what each call answered. */
export function replayCalls<C extends TraceCall>(api: ReplayApi, calls: readonly C[]): Array<{ call: C; ret: string; err: string }> {
  return calls.map((call) => {
    let ret = '';
    if (call.fn === 'Initialize') ret = api.Initialize?.('') ?? '';
    else if (call.fn === 'GetValue') ret = api.GetValue?.(call.k ?? '') ?? '';
    else if (call.fn === 'SetValue') ret = api.SetValue?.(call.k ?? '', call.v ?? '') ?? '';
    else if (call.fn === 'Commit') ret = api.Commit?.('') ?? '';
    else ret = api.Terminate?.('') ?? '';
    return { call, ret, err: api.GetLastError?.() ?? '' };
  });
}
