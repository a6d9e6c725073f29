import { OPERATIONS } from './access.gen.js';

// Whether the signed-in user may call an operation, from the contract's x-access (the same rule the server
// enforces in src/api/define-route.ts). Navigation and buttons use it so a screen is offered only to roles whose
// calls the server would accept; the server stays the authority (a 403 is still shown as a message).

export const TRIAL_ROLES = ['sponsor', 'qc', 'reader', 'adjudicator', 'biostatistician'] as const;
export type TrialRole = (typeof TRIAL_ROLES)[number];
export type OperationId = keyof typeof OPERATIONS;

export interface Caller {
  isAdmin: boolean;
  /** roles on the trial in question (empty outside a trial) */
  roles: readonly TrialRole[];
}

type Access =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  | { kind: 'job' }
  | { kind: 'admin' }
  | { kind: 'trial'; roles: readonly TrialRole[]; admin: boolean };

export function mayCall(op: OperationId, caller: Caller): boolean {
  const access = OPERATIONS[op].access as Access;
  switch (access.kind) {
    case 'public':
    case 'authenticated':
    case 'job':
      return true;
    case 'admin':
      return caller.isAdmin;
    case 'trial':
      return caller.roles.some((r) => access.roles.includes(r)) || (caller.isAdmin && access.admin);
  }
}

/** All of the operations a screen needs. */
export const mayCallAll = (ops: readonly OperationId[], caller: Caller): boolean => ops.every((op) => mayCall(op, caller));
