import { parseArgs } from 'node:util';
import { addDeployment } from '../commands/add-deployment.js';
import { addPlatform } from '../commands/add-platform.js';
import { deletePlatform } from '../commands/delete-platform.js';
import { listPlatforms, type PlatformListing } from '../commands/list-platforms.js';
import { setPlatformEnabled } from '../commands/set-platform-enabled.js';
import { deriveKey } from '../lib/keys.js';
import { createSecretBox } from '../lib/secret-box.js';
import { type CliContext, CliUsageError } from './context.js';

export const PLATFORM_USAGE = `lti-exam-provider platform add --issuer ISS --client-id ID --auth-url URL --token-url URL --jwks-url URL
    [--audience AUD] [--name NAME] [--deployment DEPLOYMENT_ID ...] [--json]
lti-exam-provider platform list [--json]
lti-exam-provider platform disable --id ID
lti-exam-provider platform enable --id ID
lti-exam-provider platform delete --id ID
lti-exam-provider platform deployment add --id ID --deployment DEPLOYMENT_ID`;

function platformId(raw: string | undefined, action: string): number {
  if (raw === undefined) throw new CliUsageError(`platform ${action} needs --id ID (see: lti-exam-provider platform list)`);
  if (!/^\d{1,15}$/.test(raw)) throw new CliUsageError(`--id must be a platform id (a whole number), got "${raw}"`);
  return Number(raw);
}

function describePlatform(p: PlatformListing): string {
  return [
    `  id:          ${p.id}`,
    `  name:        ${p.name ?? ''}`,
    `  issuer:      ${p.issuer}`,
    `  client id:   ${p.clientId}`,
    `  auth url:    ${p.authLoginUrl}`,
    `  token url:   ${p.tokenUrl}`,
    `  jwks url:    ${p.jwksUrl}`,
    ...(p.tokenAudience ? [`  audience:    ${p.tokenAudience}`] : []),
    `  deployments: ${p.deployments.length === 0 ? '(none yet: add one before launching)' : p.deployments.join(', ')}`,
  ].join('\n');
}

export async function platformCommand(argv: string[], cli: CliContext): Promise<void> {
  const [action, ...rest] = argv;
  // "platform deployment add": the second word is part of the action.
  const deploymentAction = action === 'deployment' ? rest.shift() : undefined;
  const { values } = parseArgs({
    args: rest,
    options: {
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'auth-url': { type: 'string' },
      'token-url': { type: 'string' },
      'jwks-url': { type: 'string' },
      audience: { type: 'string' },
      name: { type: 'string' },
      deployment: { type: 'string', multiple: true },
      id: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  const { db } = cli.store;
  switch (action) {
    case 'add': {
      const missing = (['issuer', 'client-id', 'auth-url', 'token-url', 'jwks-url'] as const).filter((name) => !values[name]);
      if (missing.length > 0) throw new CliUsageError(`platform add needs ${missing.map((m) => `--${m}`).join(', ')}\n${PLATFORM_USAGE}`);
      const box = createSecretBox(deriveKey(cli.config.secretKey, 'secret-box'));
      const created = await addPlatform(
        db,
        box,
        {
          issuer: values.issuer ?? '',
          clientId: values['client-id'] ?? '',
          authLoginUrl: values['auth-url'] ?? '',
          tokenUrl: values['token-url'] ?? '',
          jwksUrl: values['jwks-url'] ?? '',
          tokenAudience: values.audience ?? null,
          name: values.name ?? null,
          deployments: values.deployment ?? [],
        },
        Date.now(),
      );
      if (values.json) cli.out(JSON.stringify(created));
      else cli.out(`Platform registered.\n${describePlatform(created)}`);
      return;
    }
    case 'list': {
      const platforms = await listPlatforms(db);
      if (values.json) cli.out(JSON.stringify(platforms));
      else if (platforms.length === 0) cli.out('No platforms yet. Register one with: lti-exam-provider platform add --issuer … (see --help)');
      else {
        for (const p of platforms) {
          cli.out(`${p.id}\t${p.disabled ? 'disabled' : 'enabled'}\t${p.issuer}\t${p.clientId}\t${p.deployments.length} deployments\t${p.name ?? ''}`);
        }
      }
      return;
    }
    case 'disable':
    case 'enable': {
      const id = platformId(values.id, action);
      await setPlatformEnabled(db, id, action === 'enable', Date.now());
      cli.out(`Platform ${id} ${action}d.`);
      return;
    }
    case 'delete': {
      const id = platformId(values.id, action);
      await deletePlatform(db, id);
      cli.out(`Platform ${id} deleted, with everything recorded under it.`);
      return;
    }
    case 'deployment': {
      if (deploymentAction !== 'add') throw new CliUsageError(`unknown platform deployment action "${deploymentAction ?? ''}"\n${PLATFORM_USAGE}`);
      const id = platformId(values.id, 'deployment add');
      const deployment = values.deployment?.[0];
      if (deployment === undefined || (values.deployment?.length ?? 0) > 1) throw new CliUsageError('platform deployment add needs one --deployment DEPLOYMENT_ID');
      const added = await addDeployment(db, id, deployment, Date.now());
      cli.out(`Deployment "${added.deploymentId}" added to platform ${id}.`);
      return;
    }
    default:
      throw new CliUsageError(`unknown platform action "${action ?? ''}"\n${PLATFORM_USAGE}`);
  }
}
