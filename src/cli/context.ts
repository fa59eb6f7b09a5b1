import type { Config } from '../config.js';
import type { Store } from '../store/database.js';

/** What a CLI command gets: settings, an open store, and where to print. */
export interface CliContext {
  config: Config;
  store: Store;
  out(line: string): void;
  /** Standard input, for --password-stdin and prompts. */
  stdin: NodeJS.ReadableStream;
  stdinIsTty: boolean;
}

export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}
