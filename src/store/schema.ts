import type { AccessChangeTargetsTable, AccessChangesTable, AccessTokensTable } from './tables/access.js';
import type { AdminSessionsTable, AdminsTable } from './tables/admins.js';
import type { AttemptHistoryTable, AttemptSessionsTable, AttemptValuesTable, AttemptsTable } from './tables/attempts.js';
import type { ConsumersTable } from './tables/consumers.js';
import type { ContextsTable } from './tables/contexts.js';
import type { GradeReportsTable, GradeStatesTable } from './tables/grades.js';
import type { JobsTable } from './tables/jobs.js';
import type { LaunchServicesTable, LineItemsTable, Lti13NoncesTable, PlatformDeploymentsTable, PlatformsTable, RegistrationTokensTable, ToolKeysTable } from './tables/platforms.js';
import type { LaunchesTable } from './tables/launches.js';
import type { LtiNoncesTable } from './tables/lti-nonces.js';
import type { PackageBlobsTable, PackageVersionsTable } from './tables/packages.js';
import type { ResourceLinksTable } from './tables/resource-links.js';
import type { ResourcesTable } from './tables/resources.js';
import type { UsersTable } from './tables/users.js';

/** The whole database as Kysely sees it. One file per table under ./tables. */
export interface Database {
  consumers: ConsumersTable;
  lti_nonces: LtiNoncesTable;
  users: UsersTable;
  contexts: ContextsTable;
  resource_links: ResourceLinksTable;
  launches: LaunchesTable;
  admins: AdminsTable;
  admin_sessions: AdminSessionsTable;
  resources: ResourcesTable;
  package_blobs: PackageBlobsTable;
  package_versions: PackageVersionsTable;
  attempts: AttemptsTable;
  attempt_history: AttemptHistoryTable;
  attempt_values: AttemptValuesTable;
  attempt_sessions: AttemptSessionsTable;
  access_tokens: AccessTokensTable;
  access_changes: AccessChangesTable;
  access_change_targets: AccessChangeTargetsTable;
  jobs: JobsTable;
  grade_reports: GradeReportsTable;
  grade_states: GradeStatesTable;
  platforms: PlatformsTable;
  platform_deployments: PlatformDeploymentsTable;
  tool_keys: ToolKeysTable;
  registration_tokens: RegistrationTokensTable;
  lti13_nonces: Lti13NoncesTable;
  launch_services: LaunchServicesTable;
  line_items: LineItemsTable;
}
