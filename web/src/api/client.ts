import createClient, { type Middleware } from 'openapi-fetch';
import { endSession, getSession } from '../session/session-store.js';
import { currentPath, navigate } from '../router.js';
import { ApiError, isProblem } from './problem.js';
import type { components, paths } from './schema';

// The only way screens reach the server: a client typed from openapi.yaml (openapi-fetch over schema.d.ts), on the
// same origin as the application. Every request carries the session's bearer token; a 401 on any call other than
// the login itself (and other than a mistyped signing password) ends the session and returns to the login screen
// with the server's reason.

export type Schemas = components['schemas'];

export const api = createClient<paths>({ baseUrl: location.origin });

const auth: Middleware = {
  onRequest({ request }) {
    const token = getSession().token;
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status === 401 && new URL(request.url).pathname !== '/auth/login' && !(await isWrongPassword(response))) await sessionExpired(response.clone());
    return response;
  },
};
api.use(auth);

/**
 * A 401 "bad-credentials" answers a password that was checked again (an e-signature, 21 CFR 11.200): the signer
 * mistyped it and the session is still valid, so the form shows the refusal instead of the login screen.
 */
async function isWrongPassword(response: Response): Promise<boolean> {
  try {
    const body: unknown = await response.clone().json();
    return isProblem(body) && body.type.endsWith('/bad-credentials');
  } catch {
    return false;
  }
}

/** Ends the session after a 401 and goes to the login screen, keeping where the user was. */
export async function sessionExpired(response: Response | null): Promise<void> {
  if (!getSession().token) return;
  let detail = '';
  try {
    const body: unknown = response ? await response.json() : null;
    if (isProblem(body)) detail = body.detail;
  } catch {
    /* no body: the generic notice is enough */
  }
  endSession(`Your session has ended${detail ? ` (${detail})` : ''}. Please log in again.`);
  const here = currentPath();
  if (here !== '/login') navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
}

/** The data of a successful call, or an ApiError with the server's problem+json. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch {
    throw new ApiError(0, null);
  }
  if (!result.response.ok) throw new ApiError(result.response.status, isProblem(result.error) ? result.error : null);
  return result.data as T;
}
