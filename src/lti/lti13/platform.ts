/**
 * What the protocol code needs to know of a registered platform. The field names are those
 * of the `platforms` table, so a stored row can be passed as it is; `src/lti/` still never
 * imports the store.
 */
export interface Lti13Platform {
  id: number;
  /** The tenant (`consumers` row) that users, contexts and links of this platform belong to. */
  consumer_id: number;
  issuer: string;
  client_id: string;
  auth_login_url: string;
  token_url: string;
  jwks_url: string;
  token_audience: string | null;
  disabled_at: number | null;
}
