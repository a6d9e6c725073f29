import type { TrialRole } from '../../domain/roles.js';

/** The authenticated person a reading use case acts for, with their roles on the trial in question. */
export interface Caller {
  userId: string;
  isAdmin: boolean;
  trialRoles: TrialRole[];
}

/** Core-lab staff see unblinded records: qc members, and administrators. */
export const isCoreLab = (c: Caller): boolean => c.isAdmin || c.trialRoles.includes('qc');
