import type { Kysely } from 'kysely';
import { listDeployments, listPlatforms as listRows, type PlatformSummary } from '../store/repositories/platforms.js';
import type { Database } from '../store/schema.js';

export interface PlatformListing {
  id: number;
  /** The platform's tenant in `consumers`: users, links and launches are recorded under it. */
  consumerId: number;
  issuer: string;
  clientId: string;
  name: string | null;
  authLoginUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  /** The `aud` of our client assertions when the token endpoint wants something other than its URL. */
  tokenAudience: string | null;
  createdAt: number;
  disabled: boolean;
  deployments: string[];
  resourceLinks: number;
  users: number;
}

function present(row: PlatformSummary, deployments: string[]): PlatformListing {
  return {
    id: row.id,
    consumerId: row.consumer_id,
    issuer: row.issuer,
    clientId: row.client_id,
    name: row.name,
    authLoginUrl: row.auth_login_url,
    tokenUrl: row.token_url,
    jwksUrl: row.jwks_url,
    tokenAudience: row.token_audience,
    createdAt: row.created_at,
    disabled: row.disabled_at !== null,
    deployments,
    resourceLinks: row.resource_link_count,
    users: row.user_count,
  };
}

/** Every registered LTI 1.3 platform with its deployments, by issuer then client id. */
export async function listPlatforms(db: Kysely<Database>): Promise<PlatformListing[]> {
  const rows = await listRows(db);
  const deployments = new Map<number, string[]>();
  for (const d of await listDeployments(db)) {
    const list = deployments.get(d.platform_id) ?? [];
    list.push(d.deployment_id);
    deployments.set(d.platform_id, list);
  }
  return rows.map((row) => present(row, deployments.get(row.id) ?? []));
}
