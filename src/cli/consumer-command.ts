import { parseArgs } from 'node:util';
import { createConsumer } from '../commands/create-consumer.js';
import { deleteConsumer } from '../commands/delete-consumer.js';
import { listConsumers } from '../commands/list-consumers.js';
import { setConsumerEnabled } from '../commands/set-consumer-enabled.js';
import { deriveKey } from '../lib/keys.js';
import { createSecretBox } from '../lib/secret-box.js';
import { type CliContext, CliUsageError } from './context.js';

export const CONSUMER_USAGE = `lti-exam-provider consumer add --key KEY [--url URL] [--json]
lti-exam-provider consumer list [--json]
lti-exam-provider consumer disable KEY
lti-exam-provider consumer enable KEY
lti-exam-provider consumer delete KEY`;

export async function consumerCommand(argv: string[], cli: CliContext): Promise<void> {
  const [action, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { key: { type: 'string' }, url: { type: 'string' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const { db } = cli.store;
  switch (action) {
    case 'add': {
      if (!values.key) throw new CliUsageError('consumer add needs --key KEY');
      const box = createSecretBox(deriveKey(cli.config.secretKey, 'secret-box'));
      const created = await createConsumer(db, box, { key: values.key, url: values.url ?? null }, Date.now());
      if (values.json) cli.out(JSON.stringify(created));
      else cli.out(`Consumer created.\n  key:    ${created.key}\n  secret: ${created.secret}\nThe secret is shown only now: paste it into the LMS.`);
      return;
    }
    case 'list': {
      const consumers = await listConsumers(db);
      if (values.json) cli.out(JSON.stringify(consumers));
      else if (consumers.length === 0) cli.out('No consumers yet. Add one with: lti-exam-provider consumer add --key KEY');
      else for (const c of consumers) cli.out(`${c.key}\t${c.disabled ? 'disabled' : 'enabled'}\t${c.resourceLinks} links\t${c.users} users\t${c.url ?? ''}`);
      return;
    }
    case 'disable':
    case 'enable': {
      const key = positionals[0] ?? values.key;
      if (!key) throw new CliUsageError(`consumer ${action} needs a KEY`);
      await setConsumerEnabled(db, key, action === 'enable', Date.now());
      cli.out(`Consumer "${key}" ${action}d.`);
      return;
    }
    case 'delete': {
      const key = positionals[0] ?? values.key;
      if (!key) throw new CliUsageError('consumer delete needs a KEY');
      await deleteConsumer(db, key);
      cli.out(`Consumer "${key}" deleted, with everything recorded under it.`);
      return;
    }
    default:
      throw new CliUsageError(`unknown consumer action "${action ?? ''}"\n${CONSUMER_USAGE}`);
  }
}
