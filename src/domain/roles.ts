// Roles a user holds on one trial (memberships); admin is global and separate.
export const TRIAL_ROLES = ['sponsor', 'qc', 'reader', 'adjudicator', 'biostatistician'] as const;
export type TrialRole = (typeof TRIAL_ROLES)[number];

export function isTrialRole(v: unknown): v is TrialRole {
  return typeof v === 'string' && (TRIAL_ROLES as readonly string[]).includes(v);
}
