import pg from 'pg';

/**
 * Events that must reach every node: a window opened an attempt (others must stop), an
 * attempt was ended by the server, jobs were queued (every node's job runner wakes instead of
 * waiting for its next poll). On PostgreSQL they cross nodes with LISTEN/NOTIFY; on SQLite
 * there is one node, so they stay in the process.
 */
export type HubEvent =
  | { type: 'attempt-opened'; attemptId: number; sessionId: string }
  | { type: 'attempt-ended'; attemptId: number; reason: string }
  /** An open attempt's deadline (epoch ms; null: none any more) moved; `message` says so to the student. */
  | { type: 'deadline-changed'; attemptId: number; deadline: number | null; message: string }
  | { type: 'jobs-queued' };

export interface EventHub {
  publish(event: HubEvent): Promise<void>;
  subscribe(listener: (event: HubEvent) => void): () => void;
  close(): Promise<void>;
}

const CHANNEL = 'lti_exam_events';

function parse(payload: string | undefined): HubEvent | null {
  try {
    const event = JSON.parse(payload ?? '') as HubEvent;
    return typeof event === 'object' && event !== null && typeof event.type === 'string' ? event : null;
  } catch {
    return null;
  }
}

function fanOut(listeners: Set<(event: HubEvent) => void>, event: HubEvent): void {
  for (const listener of listeners) listener(event);
}

export function createLocalEventHub(): EventHub {
  const listeners = new Set<(event: HubEvent) => void>();
  return {
    publish: async (event) => fanOut(listeners, event),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: async () => listeners.clear(),
  };
}

/** One dedicated connection LISTENs; NOTIFY delivers to every node, this one included. */
export async function createPostgresEventHub(url: string, onError: (error: Error) => void): Promise<EventHub> {
  const listeners = new Set<(event: HubEvent) => void>();
  const listener = new pg.Client({ connectionString: url });
  const publisher = new pg.Pool({ connectionString: url, max: 2 });
  listener.on('notification', (message) => {
    const event = parse(message.payload);
    if (event) fanOut(listeners, event);
  });
  listener.on('error', onError);
  // An idle publishing connection that fails must not end the process (see database.ts).
  publisher.on('error', onError);
  await listener.connect();
  await listener.query(`listen ${CHANNEL}`);
  return {
    publish: async (event) => {
      await publisher.query('select pg_notify($1, $2)', [CHANNEL, JSON.stringify(event)]);
    },
    subscribe: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    close: async () => {
      listeners.clear();
      await listener.end();
      await publisher.end();
    },
  };
}
