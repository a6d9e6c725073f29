import type { Actor } from '../audit/audit-log.js';
import type { TrialRole } from '../domain/roles.js';
import type { SessionInfo } from '../services/accounts.js';

/** What a route handler knows after authentication, authorisation and validation have run. */
export interface RequestScope {
  requestId: string;
  clientIp: string | null;
  session?: SessionInfo;
  /** roles the caller holds on the trial in the path (trial-scoped routes) */
  trialRoles: TrialRole[];
  /** the role the caller acts in, for the audit trail */
  actor: Actor;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: any;
}

export type AppEnv = { Variables: { scope: RequestScope } };
