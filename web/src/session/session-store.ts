import type { TrialRole } from '../api/access.js';
import type { components } from '../api/schema';

// The signed-in session: the bearer token from POST /auth/login and who the user is (GET /me). The token lives in
// sessionStorage: it survives a reload of this tab, not the closing of the browser, and is never put in a cookie
// (the API takes only the Authorization header, so there is nothing for a forged cross-site request to ride on).

export type User = components['schemas']['User'];
export interface TrialMembership {
  trialId: string;
  code: string;
  roles: TrialRole[];
}

export interface SessionState {
  token: string | null;
  user: User | null;
  trials: TrialMembership[];
  /** why the user is on the login screen (session expired, logged out) */
  notice: string | null;
}

const TOKEN_KEY = 'corelab.token';
let state: SessionState = { token: sessionStorage.getItem(TOKEN_KEY), user: null, trials: [], notice: null };
const listeners = new Set<() => void>();

export const getSession = (): SessionState => state;

export function subscribeSession(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function set(next: Partial<SessionState>): void {
  state = { ...state, ...next };
  if (state.token) sessionStorage.setItem(TOKEN_KEY, state.token);
  else sessionStorage.removeItem(TOKEN_KEY);
  for (const fn of listeners) fn();
}

export const startSession = (token: string): void => set({ token, notice: null });
export const setIdentity = (user: User, trials: TrialMembership[]): void => set({ user, trials });

/** Ends the session in this tab; `notice` is shown on the login screen. */
export const endSession = (notice: string | null): void => set({ token: null, user: null, trials: [], notice });

export function rolesOn(trialId: string): TrialRole[] {
  return state.trials.find((t) => t.trialId === trialId)?.roles ?? [];
}
