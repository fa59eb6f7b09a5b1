import type { Generated, Selectable } from 'kysely';

/** An LTI 1.3 platform registration: one (issuer, client_id), with its tenant row in `consumers`. */
export interface PlatformsTable {
  id: Generated<number>;
  consumer_id: number;
  issuer: string;
  client_id: string;
  name: string | null;
  auth_login_url: string;
  token_url: string;
  jwks_url: string;
  token_audience: string | null;
  created_at: number;
  disabled_at: number | null;
}

export interface PlatformDeploymentsTable {
  id: Generated<number>;
  platform_id: number;
  deployment_id: string;
  created_at: number;
}

/** The tool's RS256 keys. The newest unretired key signs; every unexpired key is published. */
export interface ToolKeysTable {
  kid: string;
  private_key_sealed: string;
  public_jwk: string;
  created_at: number;
  retired_at: number | null;
  expires_at: number | null;
}

export interface RegistrationTokensTable {
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  platform_id: number | null;
}

export interface Lti13NoncesTable {
  platform_id: number;
  nonce: string;
  expires_at: number;
}

export interface LaunchServicesTable {
  launch_id: number;
  platform_id: number;
  deployment_id: string;
  ags_lineitem_url: string | null;
  ags_lineitems_url: string | null;
  ags_scopes: string | null;
  nrps_url: string | null;
  /** The launch's LTI 1.3 `sub`: the AGS and NRPS user id, even when a verified lti1p1 claim recorded the launch under the LTI 1.1 user. Null on launches recorded before it was kept. */
  subject: string | null;
}

export interface LineItemsTable {
  resource_id: number;
  platform_id: number;
  lineitem_url: string;
  created_at: number;
}

export type PlatformRow = Selectable<PlatformsTable>;
export type PlatformDeploymentRow = Selectable<PlatformDeploymentsTable>;
export type ToolKeyRow = Selectable<ToolKeysTable>;
export type LaunchServicesRow = Selectable<LaunchServicesTable>;
