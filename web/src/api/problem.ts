import type { components } from './schema.js';

export type Problem = components['schemas']['Problem'];

/** A failed API call: the server's RFC 9457 problem, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem ? `${problem.title}: ${problem.detail}` : status === 0 ? 'The server could not be reached' : `HTTP ${status}`);
  }
}

export function isProblem(x: unknown): x is Problem {
  return typeof x === 'object' && x !== null && typeof (x as Problem).status === 'number' && typeof (x as Problem).detail === 'string';
}

/** One sentence for the screen: the server's own detail when it gave one. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
