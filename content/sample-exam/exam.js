/*
 * Sample exam SCO. Talks to the LMS the way a Numbas exam does, so the player can be
 * tested against realistic traffic: many SetValue calls, no Commit while running, no
 * Terminate when the window closes, resume from suspend_data.
 *
 * The same file runs in both sample packages; <html data-scorm="2004|1.2"> picks the
 * data model. Keep content/sample-exam-2004/exam.js and content/sample-exam-12/exam.js
 * identical (a unit test checks).
 */
(function () {
  'use strict';

  var QUESTIONS = [
    { id: 'q1', type: 'numeric', description: 'What is 6 times 7?', correct: function (a) { return Number(a) === 42; } },
    { id: 'q2', type: 'choice', description: 'Which of these numbers is prime?', correct: function (a) { return a === 'b'; } },
    { id: 'q3', type: 'fill-in', description: 'What is the chemical symbol for gold?', correct: function (a) { return a.trim().toLowerCase() === 'au'; } },
  ];
  var MAX = QUESTIONS.length;

  // Element names differ between SCORM 1.2 and 2004; everything else is shared.
  var MODELS = {
    '2004': {
      apiName: 'API_1484_11', init: 'Initialize', get: 'GetValue', set: 'SetValue', finish: 'Terminate',
      entry: 'cmi.entry', mode: 'cmi.mode', location: 'cmi.location', exit: 'cmi.exit', scoreBase: 'cmi.score',
      response: 'learner_response', wrong: 'incorrect', exitNormal: 'normal', sessionTime: 'cmi.session_time',
      duration: function (s) { return 'PT' + s.toFixed(2) + 'S'; },
    },
    '1.2': {
      apiName: 'API', init: 'LMSInitialize', get: 'LMSGetValue', set: 'LMSSetValue', finish: 'LMSFinish',
      entry: 'cmi.core.entry', mode: 'cmi.core.lesson_mode', location: 'cmi.core.lesson_location', exit: 'cmi.core.exit',
      scoreBase: 'cmi.core.score', response: 'student_response', wrong: 'wrong', exitNormal: '', sessionTime: 'cmi.core.session_time',
      duration: function (s) {
        var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), rest = (s % 60).toFixed(2);
        return String(h).padStart(4, '0') + ':' + String(m).padStart(2, '0') + ':' + rest.padStart(5, '0');
      },
    },
  };
  var version = document.documentElement.getAttribute('data-scorm') === '1.2' ? '1.2' : '2004';
  var model = MODELS[version];

  var startedAt = Date.now();
  var state = { answers: [null, null, null], current: 0 };
  var review = false;
  var ended = false;
  var api = findApi(window);

  /** The standard discovery walk: up the frame parents, then the opener and its parents. */
  function findApi(win) {
    var found = searchParents(win);
    if (!found && win.opener) found = searchParents(win.opener);
    return found;
  }
  function searchParents(win) {
    for (var depth = 0; win && depth < 10; depth++) {
      try {
        if (win[model.apiName]) return win[model.apiName];
      } catch (e) {
        return null; // a cross-origin frame: nothing above it is ours to read
      }
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  }

  function setValue(key, value) {
    if (api) api[model.set](key, String(value));
  }
  function getValue(key) {
    return api ? String(api[model.get](key)) : '';
  }

  function score() {
    return state.answers.reduce(function (sum, answer, i) {
      return sum + (answer !== null && QUESTIONS[i].correct(answer) ? 1 : 0);
    }, 0);
  }

  function saveProgress() {
    setValue('cmi.suspend_data', JSON.stringify(state));
    setValue(model.location, String(state.current + 1));
  }

  function setScore() {
    var raw = score();
    setValue(model.scoreBase + '.raw', raw);
    if (version === '2004') setValue('cmi.score.scaled', (raw / MAX).toFixed(4));
  }

  function restore() {
    var entry = getValue(model.entry);
    if (entry !== 'resume' && !review) return;
    try {
      var saved = JSON.parse(getValue('cmi.suspend_data') || 'null');
      if (saved && Array.isArray(saved.answers) && saved.answers.length === MAX) {
        state.answers = saved.answers.map(function (a) { return typeof a === 'string' ? a : null; });
        if (typeof saved.current === 'number') state.current = saved.current;
      }
    } catch (e) {
      // Unreadable suspend data: start from the beginning rather than not at all.
    }
    var location = parseInt(getValue(model.location), 10);
    if (location >= 1 && location <= MAX) state.current = location - 1;
  }

  function start() {
    if (version === '2004') {
      setValue('cmi.completion_status', 'incomplete');
      setValue('cmi.success_status', 'unknown');
    } else {
      setValue('cmi.core.lesson_status', 'incomplete');
    }
    setValue(model.scoreBase + '.min', 0);
    setValue(model.scoreBase + '.max', MAX);
    setScore();
    QUESTIONS.forEach(function (q, i) {
      var answer = state.answers[i];
      setValue('cmi.objectives.' + i + '.id', q.id);
      setValue('cmi.objectives.' + i + '.score.min', 0);
      setValue('cmi.objectives.' + i + '.score.max', 1);
      setValue('cmi.objectives.' + i + '.score.raw', answer !== null && q.correct(answer) ? 1 : 0);
      setValue('cmi.interactions.' + i + '.id', q.id);
      setValue('cmi.interactions.' + i + '.type', q.type);
      if (version === '2004') setValue('cmi.interactions.' + i + '.description', q.description);
    });
    saveProgress();
    setValue(model.exit, 'suspend');
  }

  function submit(index) {
    var answer = readAnswer(index);
    if (answer === '') {
      feedback(index, 'Enter an answer first.');
      return;
    }
    state.answers[index] = answer;
    var right = QUESTIONS[index].correct(answer);
    setValue('cmi.interactions.' + index + '.' + model.response, answer);
    setValue('cmi.interactions.' + index + '.result', right ? 'correct' : model.wrong);
    setValue('cmi.objectives.' + index + '.score.raw', right ? 1 : 0);
    setScore();
    saveProgress();
    feedback(index, 'Answer saved: ' + (right ? 'correct.' : 'incorrect.'));
    render();
  }

  function endExam() {
    var raw = score();
    if (!review) {
      if (version === '2004') {
        setValue('cmi.completion_status', 'completed');
        setValue('cmi.success_status', raw / MAX >= 0.5 ? 'passed' : 'failed');
      } else {
        setValue('cmi.core.lesson_status', raw / MAX >= 0.5 ? 'passed' : 'failed');
      }
      setValue(model.scoreBase + '.min', 0);
      setValue(model.scoreBase + '.max', MAX);
      setScore();
      setValue(model.exit, model.exitNormal);
    }
    setValue(model.sessionTime, model.duration((Date.now() - startedAt) / 1000));
    // Straight to Terminate, no Commit first: that is what Numbas does.
    if (api) api[model.finish]('');
    ended = true;
    render();
    status('Exam ended. Your score: ' + raw + ' / ' + MAX);
  }

  // ---- page ----

  function byTestId(id) {
    return document.querySelector('[data-testid="' + id + '"]');
  }
  function status(text) {
    byTestId('status').textContent = text;
  }
  function feedback(index, text) {
    byTestId('feedback-' + (index + 1)).textContent = text;
  }

  function readAnswer(index) {
    if (QUESTIONS[index].type === 'choice') {
      var checked = document.querySelector('input[name="answer-2"]:checked');
      return checked ? checked.value : '';
    }
    return byTestId('answer-' + (index + 1)).value.trim();
  }

  function showAnswer(index) {
    var answer = state.answers[index];
    if (answer === null) return;
    if (QUESTIONS[index].type === 'choice') {
      var radio = document.querySelector('input[name="answer-2"][value="' + answer + '"]');
      if (radio) radio.checked = true;
    } else {
      byTestId('answer-' + (index + 1)).value = answer;
    }
  }

  function render() {
    var locked = review || ended;
    QUESTIONS.forEach(function (q, i) {
      byTestId('question-' + (i + 1)).hidden = i !== state.current;
      byTestId('submit-' + (i + 1)).disabled = locked;
      document.querySelectorAll('#question-' + (i + 1) + ' input').forEach(function (input) { input.disabled = locked; });
    });
    byTestId('prev').disabled = state.current === 0;
    byTestId('next').disabled = state.current === MAX - 1;
    byTestId('end-exam').disabled = ended;
    byTestId('position').textContent = 'Question ' + (state.current + 1) + ' of ' + MAX;
    byTestId('score').textContent = 'Score: ' + score() + ' / ' + MAX;
  }

  function go(delta) {
    var next = state.current + delta;
    if (next < 0 || next >= MAX) return;
    state.current = next;
    if (!ended) saveProgress();
    render();
    byTestId('question-' + (next + 1)).querySelector('h2').focus();
  }

  function wire() {
    QUESTIONS.forEach(function (q, i) {
      byTestId('submit-' + (i + 1)).addEventListener('click', function () { submit(i); });
    });
    byTestId('prev').addEventListener('click', function () { go(-1); });
    byTestId('next').addEventListener('click', function () { go(1); });
    var dialog = byTestId('confirm-dialog');
    byTestId('end-exam').addEventListener('click', function () {
      dialog.hidden = false;
      byTestId('confirm-end').focus();
    });
    byTestId('confirm-cancel').addEventListener('click', function () {
      dialog.hidden = true;
      byTestId('end-exam').focus();
    });
    byTestId('confirm-end').addEventListener('click', function () {
      dialog.hidden = true;
      endExam();
    });
  }

  function main() {
    wire();
    if (!api) {
      status('No learning platform found: this exam runs on its own and nothing is saved.');
    } else if (String(api[model.init]('')) !== 'true') {
      api = null;
      status('The learning platform refused to start the exam; nothing will be saved.');
    } else {
      review = getValue(model.mode) === 'review';
      restore();
      // Review still sets a few values, as Numbas does; the LMS must ignore them.
      if (review) saveProgress();
      else start();
      status(review ? 'Review: your answers are shown read-only.' : 'Exam in progress.');
    }
    QUESTIONS.forEach(function (q, i) { showAnswer(i); });
    render();
  }

  main();
})();
