/**
 * The player view: sends whatever an earlier page left unsaved, fetches the launch, puts the
 * SCORM API on this window, and frames the exam under a small save indicator.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type LaunchInfo, type LaunchMode, getLaunch } from '../api.js';
import { type PlayerHandle, resendBeforeLaunch, startPlayer } from '../player/controller.js';
import { deadlineText, endText, indicatorText } from '../player/status-text.js';
import type { TransportStatus } from '../player/transport.js';

type Phase =
  | { kind: 'resending'; retry: string | null }
  | { kind: 'launching' }
  | { kind: 'failed'; message: string }
  | { kind: 'running'; launch: LaunchInfo }
  | { kind: 'stopped'; launch: LaunchInfo; title: string; message: string };

const deadlineFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const INITIAL_STATUS: TransportStatus = {
  enabled: true,
  unsaved: 0,
  connection: 'connecting',
  channel: 'none',
  persistent: true,
  terminate: 'none',
  stopped: false,
  lastError: null,
};

/** What to play: an attempt to launch, or a launch the server already gave (test runs). */
export type PlayerSource = { kind: 'attempt'; attemptId: number; mode: LaunchMode } | { kind: 'launch'; launch: LaunchInfo };

export interface PlayerProps {
  source: PlayerSource;
  /** The resource's title, for the page title and the bar. */
  title: string;
  /** Back to the resource page (offered once nothing is left to save, or after an error). */
  onLeave: () => void;
}

export function Player({ source, title, onLeave }: PlayerProps) {
  const mode: LaunchMode = source.kind === 'attempt' ? source.mode : source.launch.mode;
  const [phase, setPhase] = useState<Phase>({ kind: 'resending', retry: null });
  const [status, setStatus] = useState<TransportStatus>(INITIAL_STATUS);
  const [ending, setEnding] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [deadline, setDeadline] = useState<string | null>(null);
  const messageHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let cancelled = false;
    let handle: PlayerHandle | null = null;
    setPhase({ kind: 'resending', retry: null });
    setEnding(false);
    setRefusal(null);
    setDeadline(null);
    void (async () => {
      let launch: LaunchInfo;
      if (source.kind === 'launch') {
        launch = source.launch;
      } else {
        const { attemptId } = source;
        await resendBeforeLaunch(
          attemptId,
          (waitMs) => {
            if (!cancelled) {
              setPhase({
                kind: 'resending',
                retry: `The server cannot be reached. Trying again in ${Math.max(1, Math.round(waitMs / 1000))} s…`,
              });
            }
          },
          () => cancelled,
        );
        if (cancelled) return;
        setPhase({ kind: 'launching' });
        try {
          launch = await getLaunch(attemptId, source.mode);
        } catch (error) {
          if (!cancelled) setPhase({ kind: 'failed', message: (error as Error).message });
          return;
        }
        if (cancelled) return;
      }
      const stopWith = (heading: string, message: string) =>
        setPhase({ kind: 'stopped', launch, title: heading, message });
      let started: PlayerHandle;
      try {
        started = await startPlayer(launch, {
          onStatus: (next) => {
            if (!cancelled) setStatus(next);
          },
          onEvent: (event) => {
            if (cancelled) return;
            if (event.type === 'takeover') stopWith('This exam is open in another window', event.message);
            else if (event.type === 'ended') stopWith('This attempt has ended', event.message);
            else if (event.type === 'deadline') setDeadline(deadlineText(event, (ms) => deadlineFormat.format(new Date(ms))));
            else if (event.code === 'attempt_ended') stopWith('This attempt has ended', event.message);
            else setRefusal(event.message);
          },
          onTerminate: ({ completed }) => {
            if (!cancelled && completed && launch.mode === 'normal') setEnding(true);
          },
        });
      } catch (error) {
        if (!cancelled) setPhase({ kind: 'failed', message: `The exam player could not start: ${(error as Error).message}` });
        return;
      }
      if (cancelled) {
        started.dispose();
        return;
      }
      handle = started;
      setPhase({ kind: 'running', launch });
    })();
    return () => {
      cancelled = true;
      handle?.dispose();
    };
  }, [source]);

  useEffect(() => {
    document.title = mode === 'review' ? `Review · ${title}` : title;
  }, [title, mode]);

  useEffect(() => {
    if (phase.kind === 'stopped' || phase.kind === 'failed') messageHeading.current?.focus();
  }, [phase.kind]);

  const launch = phase.kind === 'running' || phase.kind === 'stopped' ? phase.launch : null;
  const testRun = launch?.attempt.testRun ?? false;
  const indicator =
    phase.kind === 'running' && launch !== null ? indicatorText(status, { mode: launch.mode, testRun }) : null;
  const end = endText(status, { ending, testRun, refusal });
  const canLeave =
    phase.kind === 'failed' ||
    phase.kind === 'stopped' ||
    (launch !== null && (launch.mode === 'review' || testRun)) ||
    (end !== null && status.unsaved === 0);
  const barTitle = testRun ? `Test run · ${title}` : mode === 'review' ? `Review · ${title}` : title;

  return (
    <div class="player">
      <header class="player-bar">
        <h1 class="player-title">{barTitle}</h1>
        <p
          class={`save-status${indicator !== null ? ` tone-${indicator.tone}` : ''}`}
          role="status"
          aria-live="polite"
          data-testid="save-status"
          title={indicator?.title || undefined}
        >
          {indicator?.text ?? ''}
        </p>
        {canLeave && phase.kind === 'running' && (
          <button type="button" class="secondary" onClick={onLeave}>
            {mode === 'review' || testRun ? 'Close' : 'Back to the exam page'}
          </button>
        )}
      </header>
      <p class="deadline-status" role="status" aria-live="polite" data-testid="deadline-status">
        {phase.kind === 'running' ? (deadline ?? '') : ''}
      </p>
      <p class="end-status" role="status" aria-live="polite" data-testid="end-status">
        {end ?? ''}
      </p>
      {refusal !== null && (
        <p class="save-error" role="alert" data-testid="save-error">
          Some answers were not accepted by the server: {refusal}
        </p>
      )}
      {phase.kind === 'resending' && (
        <p class="player-loading" role="status">
          {phase.retry ?? 'Opening the exam…'}
        </p>
      )}
      {phase.kind === 'launching' && (
        <p class="player-loading" role="status">
          Opening the exam…
        </p>
      )}
      {phase.kind === 'failed' && (
        <div class="player-message" data-testid="player-message">
          <h2 tabIndex={-1} ref={messageHeading}>
            The exam could not be opened
          </h2>
          <p role="alert">{phase.message}</p>
          <button type="button" onClick={onLeave}>
            Back to the exam page
          </button>
        </div>
      )}
      {phase.kind === 'running' && (
        <iframe class="exam-frame" title="Exam" data-testid="exam-frame" src={phase.launch.contentUrl} />
      )}
      {phase.kind === 'stopped' && (
        <div class="player-message" data-testid="player-message">
          <h2 tabIndex={-1} ref={messageHeading}>
            {phase.title}
          </h2>
          <p role="alert">{phase.message}</p>
          <button type="button" onClick={onLeave}>
            Back to the exam page
          </button>
        </div>
      )}
    </div>
  );
}
