import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createAdmin } from '../commands/create-admin.js';
import { AppError } from '../lib/errors.js';
import { type CliContext, CliUsageError } from './context.js';

export const ADMIN_USAGE = `lti-exam-provider admin create --username USERNAME [--password-stdin]`;

/** Reads standard input to its end; a password piped with echo ends in one newline that is not part of it. */
async function readAllStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks on the terminal without echoing what is typed. Prompts go to stderr so stdout stays clean. */
function askHidden(stdin: NodeJS.ReadableStream, question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      if (!muted) process.stderr.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: stdin, output, terminal: true });
  return new Promise<string>((resolve, reject) => {
    let answered = false;
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => {
      process.stderr.write('\n');
      if (!answered) reject(new CliUsageError('cancelled: no password was entered'));
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(answer);
    });
    // The prompt itself has been written; mute from here so keystrokes are not echoed.
    muted = true;
  });
}

async function readPassword(cli: CliContext, fromStdin: boolean): Promise<string> {
  if (fromStdin) return readAllStdin(cli.stdin);
  if (!cli.stdinIsTty) {
    throw new CliUsageError('admin create needs a password: run it in a terminal to be asked for one, or pipe it in with --password-stdin');
  }
  const first = await askHidden(cli.stdin, 'Password (at least 10 characters): ');
  const second = await askHidden(cli.stdin, 'Password again: ');
  if (first !== second) throw new AppError('bad_request', 'The two passwords do not match; nothing was created.');
  return first;
}

export async function adminCommand(argv: string[], cli: CliContext): Promise<void> {
  const [action, ...rest] = argv;
  if (action !== 'create') throw new CliUsageError(`unknown admin action "${action ?? ''}"\n${ADMIN_USAGE}`);
  const { values } = parseArgs({
    args: rest,
    options: { username: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false } },
    allowPositionals: false,
  });
  if (!values.username) throw new CliUsageError('admin create needs --username USERNAME');
  const password = await readPassword(cli, values['password-stdin'] === true);
  const created = await createAdmin(cli.store.db, { username: values.username, password }, Date.now());
  cli.out(`Admin "${created.username}" created. Sign in at /admin/login on this server.`);
}
