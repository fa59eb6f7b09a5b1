import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DurationChange } from '../../src/domain/access-change.js';
import { runtimeDuration, type RuntimeDuration } from '../../src/domain/exam-duration.js';

function numbas(amount: string, units: 'seconds' | 'percent', disable: boolean): RuntimeDuration['numbas'] {
  return { 'duration_extension.amount': amount, 'duration_extension.units': units, disable_duration: disable ? 'true' : 'false' };
}

const cases: Array<{ name: string; version: '1.2' | '2004'; base: number | null; duration: DurationChange; expect: RuntimeDuration }> = [
  { name: '2004, no change', version: '2004', base: 3600, duration: { mode: 'none' }, expect: { maxTimeAllowed: 'PT3600S', numbas: numbas('0', 'seconds', false) } },
  { name: '1.2, no change', version: '1.2', base: 3600, duration: { mode: 'none' }, expect: { maxTimeAllowed: '0001:00:00', numbas: numbas('0', 'seconds', false) } },
  { name: 'no base limit, no change', version: '2004', base: null, duration: { mode: 'none' }, expect: { maxTimeAllowed: null, numbas: numbas('0', 'seconds', false) } },
  { name: '2004, 15 extra minutes', version: '2004', base: 3600, duration: { mode: 'minutes', amount: 15 }, expect: { maxTimeAllowed: 'PT4500S', numbas: numbas('900', 'seconds', false) } },
  { name: '1.2, 15 extra minutes', version: '1.2', base: 3600, duration: { mode: 'minutes', amount: 15 }, expect: { maxTimeAllowed: '0001:15:00', numbas: numbas('900', 'seconds', false) } },
  { name: 'minutes with no base limit', version: '2004', base: null, duration: { mode: 'minutes', amount: 10 }, expect: { maxTimeAllowed: null, numbas: numbas('600', 'seconds', false) } },
  { name: '2004, 25 percent more', version: '2004', base: 3600, duration: { mode: 'percent', amount: 25 }, expect: { maxTimeAllowed: 'PT4500S', numbas: numbas('25', 'percent', false) } },
  { name: '1.2, 50 percent more', version: '1.2', base: 5400, duration: { mode: 'percent', amount: 50 }, expect: { maxTimeAllowed: '0002:15:00', numbas: numbas('50', 'percent', false) } },
  { name: 'percent rounds to whole seconds', version: '2004', base: 100, duration: { mode: 'percent', amount: 33.3 }, expect: { maxTimeAllowed: 'PT133S', numbas: numbas('33.3', 'percent', false) } },
  { name: '2004, disabled', version: '2004', base: 3600, duration: { mode: 'disable' }, expect: { maxTimeAllowed: null, numbas: numbas('0', 'seconds', true) } },
  { name: '1.2, disabled', version: '1.2', base: 3600, duration: { mode: 'disable' }, expect: { maxTimeAllowed: null, numbas: numbas('0', 'seconds', true) } },
  { name: '1.2, seconds shown', version: '1.2', base: 3661, duration: { mode: 'none' }, expect: { maxTimeAllowed: '0001:01:01', numbas: numbas('0', 'seconds', false) } },
  { name: '1.2, hours cap at four digits', version: '1.2', base: 20_000 * 3600, duration: { mode: 'none' }, expect: { maxTimeAllowed: '9999:59:59', numbas: numbas('0', 'seconds', false) } },
];

describe('exam duration in the runtime', () => {
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(runtimeDuration(c.version, c.base, c.duration), c.expect));
  }
});
