#!/usr/bin/env node
import { ConfigError, loadConfig } from '../config.js';
import { isAppError } from '../lib/errors.js';
import { closeOnSignals, startServer } from '../server.js';
import { openStore } from '../store/database.js';
import { ADMIN_USAGE, adminCommand } from './admin-command.js';
import { CONSUMER_USAGE, consumerCommand } from './consumer-command.js';
import { type CliContext, CliUsageError } from './context.js';
import { KEYS_USAGE, keysCommand } from './keys-command.js';
import { PLATFORM_USAGE, platformCommand } from './platform-command.js';

const USAGE = `Usage:
lti-exam-provider serve
${CONSUMER_USAGE}
${PLATFORM_USAGE}
${KEYS_USAGE}
${ADMIN_USAGE}

Settings come from the environment: see README.md.`;

type Handler = (argv: string[], cli: CliContext) => Promise<void>;

const COMMANDS: Record<string, Handler> = {
  consumer: consumerCommand,
  platform: platformCommand,
  keys: keysCommand,
  admin: adminCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command === undefined ? 1 : 0;
  }
  const config = loadConfig();
  if (command === 'serve') {
    const server = await startServer(config);
    closeOnSignals(server);
    server.app.log.info(`lti-exam-provider is running at ${server.url} (${server.store.dialect}${config.demo ? ', demo LMS on' : ''})`);
    return -1;
  }
  const handler = COMMANDS[command];
  if (!handler) throw new CliUsageError(`unknown command "${command}"\n${USAGE}`);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await handler(rest, { config, store, out: (line) => console.log(line), stdin: process.stdin, stdinIsTty: process.stdin.isTTY === true });
  } finally {
    await store.close();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(`Configuration error: ${error.message}`);
    else if (error instanceof CliUsageError) console.error(error.message);
    else if (isAppError(error)) console.error(error.publicMessage);
    else console.error(`lti-exam-provider failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof CliUsageError ? 64 : 1;
  },
);
