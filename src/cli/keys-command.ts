import { parseArgs } from 'node:util';
import { ensureToolKey } from '../commands/ensure-tool-key.js';
import { listToolKeys } from '../commands/list-tool-keys.js';
import { rotateToolKeys } from '../commands/rotate-tool-keys.js';
import { deriveKey } from '../lib/keys.js';
import { createSecretBox } from '../lib/secret-box.js';
import { type CliContext, CliUsageError } from './context.js';

export const KEYS_USAGE = `lti-exam-provider keys list [--json]
lti-exam-provider keys rotate [--json]`;

const DAY_MS = 24 * 3600 * 1000;

function when(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}

/** The tool's LTI 1.3 signing keys, published at /lti/jwks. */
export async function keysCommand(argv: string[], cli: CliContext): Promise<void> {
  const [action, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false } }, allowPositionals: false });
  const { db } = cli.store;
  const box = createSecretBox(deriveKey(cli.config.secretKey, 'secret-box'));
  switch (action) {
    case 'list': {
      // A fresh installation lists the key the server would create at start-up, rather than nothing.
      await ensureToolKey(db, box, Date.now());
      const keys = await listToolKeys(db, Date.now());
      if (values.json) cli.out(JSON.stringify(keys));
      else for (const k of keys) cli.out(`${k.kid}\t${k.state}\tcreated ${when(k.createdAt)}${k.expiresAt === null ? '' : `\tpublished until ${when(k.expiresAt)}`}`);
      return;
    }
    case 'rotate': {
      const rotated = await rotateToolKeys(db, box, Date.now(), cli.config.ltiKeyOverlapDays * DAY_MS);
      if (values.json) cli.out(JSON.stringify(rotated));
      else {
        cli.out(`New signing key: ${rotated.kid}`);
        if (rotated.retired.length > 0) cli.out(`Retired (still published until ${when(rotated.expiresAt)}): ${rotated.retired.join(', ')}`);
      }
      return;
    }
    default:
      throw new CliUsageError(`unknown keys action "${action ?? ''}"\n${KEYS_USAGE}`);
  }
}
