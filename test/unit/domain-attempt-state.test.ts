import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type QuestionMemo, deriveAttemptState, isStateKey, objectiveIndex } from '../../src/domain/attempt-state.js';
import { type StateValues, applyWrite } from '../../src/commands/attempt-state-cache.js';

const values = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries));

describe('attempt state: what the values say (SCORM 2004)', () => {
  const cases: Array<{ name: string; values: Record<string, string>; expect: Partial<ReturnType<typeof deriveAttemptState>> }> = [
    { name: 'nothing set', values: {}, expect: { completionStatus: null, successStatus: null, score: { raw: null, min: null, max: null, scaled: null }, questions: [], questionsJson: null, complete: false } },
    { name: 'scaled from raw and max', values: { 'cmi.score.raw': '3', 'cmi.score.max': '4' }, expect: { score: { raw: 3, min: null, max: 4, scaled: 0.75 } } },
    { name: 'scaled given wins', values: { 'cmi.score.raw': '3', 'cmi.score.max': '4', 'cmi.score.scaled': '0.5' }, expect: { score: { raw: 3, min: null, max: 4, scaled: 0.5 } } },
    { name: 'min counts in scaled', values: { 'cmi.score.raw': '6', 'cmi.score.min': '2', 'cmi.score.max': '10' }, expect: { score: { raw: 6, min: 2, max: 10, scaled: 0.5 } } },
    { name: 'an empty value is no score', values: { 'cmi.score.raw': ' ', 'cmi.score.max': '4' }, expect: { score: { raw: null, min: null, max: 4, scaled: null } } },
    { name: 'a value that is no number is no score', values: { 'cmi.score.raw': 'lots' }, expect: { score: { raw: null, min: null, max: null, scaled: null } } },
    { name: 'completed', values: { 'cmi.completion_status': 'completed', 'cmi.success_status': 'passed' }, expect: { completionStatus: 'completed', successStatus: 'passed', complete: true } },
    { name: 'incomplete', values: { 'cmi.completion_status': 'incomplete' }, expect: { completionStatus: 'incomplete', complete: false } },
    {
      name: 'questions from objectives, in order, up to the first gap',
      values: { 'cmi.objectives.0.id': 'q0', 'cmi.objectives.0.score.raw': '1', 'cmi.objectives.0.score.max': '2', 'cmi.objectives.1.id': 'q1', 'cmi.objectives.3.id': 'q3' },
      expect: {
        questions: [
          { id: 'q0', raw: 1, min: null, max: 2, scaled: 0.5 },
          { id: 'q1', raw: null, min: null, max: null, scaled: null },
        ],
        questionsJson: '[{"id":"q0","raw":1,"min":null,"max":2,"scaled":0.5},{"id":"q1","raw":null,"min":null,"max":null,"scaled":null}]',
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const state = deriveAttemptState('2004', values(c.values));
      for (const [field, expected] of Object.entries(c.expect)) assert.deepEqual(state[field as keyof typeof state], expected, field);
      assert.equal(state.questionsJson, state.questions.length > 0 ? JSON.stringify(state.questions) : null);
    });
  }
});

describe('attempt state: SCORM 1.2 lesson status', () => {
  const cases: Array<{ lesson: string | undefined; completion: string | null; success: string | null; complete: boolean }> = [
    { lesson: undefined, completion: null, success: null, complete: false },
    { lesson: 'not attempted', completion: 'not attempted', success: null, complete: false },
    { lesson: 'browsed', completion: 'incomplete', success: null, complete: false },
    { lesson: 'incomplete', completion: 'incomplete', success: null, complete: false },
    { lesson: 'completed', completion: 'completed', success: null, complete: true },
    { lesson: 'passed', completion: 'completed', success: 'passed', complete: true },
    { lesson: 'failed', completion: 'completed', success: 'failed', complete: true },
  ];
  for (const c of cases) {
    it(`lesson status ${c.lesson ?? '(none)'}`, () => {
      const state = deriveAttemptState('1.2', values(c.lesson === undefined ? { 'cmi.core.score.raw': '5', 'cmi.core.score.max': '10' } : { 'cmi.core.lesson_status': c.lesson }));
      assert.equal(state.completionStatus, c.completion);
      assert.equal(state.successStatus, c.success);
      assert.equal(state.complete, c.complete);
      if (c.lesson === undefined) assert.deepEqual(state.score, { raw: 5, min: null, max: 10, scaled: 0.5 });
    });
  }
});

describe('attempt state: objective index of a key', () => {
  const cases: Array<[string, number | null]> = [
    ['cmi.objectives.0.id', 0],
    ['cmi.objectives.12.score.raw', 12],
    ['cmi.objectives._count', null],
    ['cmi.objectives.03.id', null],
    ['cmi.objectives.x.id', null],
    ['cmi.score.raw', null],
    ['cmi.interactions.3.id', null],
  ];
  for (const [key, index] of cases) it(key, () => assert.equal(objectiveIndex(key), index));
});

describe('attempt state: questions remembered between derivations', () => {
  // The writer's path: the values and memo live in its cache, and every write goes through applyWrite.
  const keys = ['id', 'score.raw', 'score.min', 'score.max', 'score.scaled'];
  function fresh(): StateValues {
    return { values: new Map(), order: new Map(), questions: new Map() };
  }

  it('gives what a derivation from scratch gives after every write', () => {
    const state = fresh();
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let seq = 1; seq <= 600; seq++) {
      const q = random(6);
      const field = keys[random(keys.length)] ?? 'id';
      const value = field === 'id' ? `q${q}` : random(9) === 0 ? '' : String(random(11));
      // Now and then an older write, which the order rule must ignore.
      const late = random(5) === 0;
      applyWrite(state, `cmi.objectives.${q}.${field}`, value, 1, late ? seq - 3 : seq);
      if (random(4) === 0) applyWrite(state, 'cmi.score.raw', String(seq), 1, seq);
      const remembered = deriveAttemptState('2004', state.values, state.questions);
      const scratch = deriveAttemptState('2004', state.values);
      assert.deepEqual(remembered, scratch, `after write ${seq}`);
    }
    assert.ok(state.questions.size > 0);
  });

  it('forgets only the question a write changes', () => {
    const state = fresh();
    for (let q = 0; q < 3; q++) {
      applyWrite(state, `cmi.objectives.${q}.id`, `q${q}`, 1, 1);
      applyWrite(state, `cmi.objectives.${q}.score.raw`, '1', 1, 1);
    }
    deriveAttemptState('2004', state.values, state.questions);
    const before: QuestionMemo = new Map(state.questions);
    applyWrite(state, 'cmi.objectives.1.score.raw', '2', 1, 2);
    assert.deepEqual([...state.questions.keys()], [0, 2]);
    assert.equal(state.questions.get(0), before.get(0));
    applyWrite(state, 'cmi.score.raw', '5', 1, 3);
    assert.deepEqual([...state.questions.keys()], [0, 2]);
    assert.ok(isStateKey('cmi.objectives.1.score.raw'));
    assert.equal(deriveAttemptState('2004', state.values, state.questions).questions[1]?.raw, 2);
  });
});
