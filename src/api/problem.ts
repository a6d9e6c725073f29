import type { Context } from 'hono';
import { type DomainErrorCode, isDomainError } from '../domain/errors.js';
import { databaseUnavailableError } from '../db/unavailable.js';
import { storageFullError } from '../storage/storage-full.js';

// The one place that maps errors to HTTP (RFC 9457 problem+json). Keyed by the code union: a new code without a
// status does not compile.
export const PROBLEM_STATUS: Record<DomainErrorCode, { status: number; title: string }> = {
  VALIDATION_FAILED: { status: 400, title: 'Invalid request' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  BAD_CREDENTIALS: { status: 401, title: 'Invalid credentials' },
  FORBIDDEN: { status: 403, title: 'Not allowed for your role' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  CONFLICT: { status: 409, title: 'Conflict with the current state' },
  REASON_REQUIRED: { status: 422, title: 'A reason for the change is required' },
  UNPROCESSABLE: { status: 422, title: 'Unprocessable' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  ACCOUNT_LOCKED: { status: 423, title: 'Account locked' },
  INSUFFICIENT_STORAGE: { status: 507, title: 'Insufficient storage' },
  UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  INVALID_DICOM: { status: 422, title: 'Invalid DICOM' },
  UNSAFE_ARCHIVE: { status: 422, title: 'Unsafe archive' },
  INVALID_RESPONSE_INPUT: { status: 422, title: 'Invalid response assessment input' },
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extra: string]: unknown;
}

export function problemResponse(c: Context, p: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(p), {
    status: p.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

export function toProblem(err: unknown, requestId: string | undefined): { problem: Problem; headers: Record<string, string> } {
  // A full disk surfaces as a raw ENOSPC / SQLITE_FULL / PostgreSQL 53100 from whichever layer met it (507); a
  // lost or refused database connection as a driver error (503, retry shortly).
  const known = isDomainError(err) ? err : (storageFullError(err) ?? databaseUnavailableError(err));
  if (known) {
    const { status, title } = PROBLEM_STATUS[known.code];
    const headers: Record<string, string> = {};
    if (typeof known.extras.retryAfterSeconds === 'number') headers['retry-after'] = String(known.extras.retryAfterSeconds);
    // the rest of an oversized body is never read, so the connection cannot be reused (SEC-03)
    if (known.code === 'PAYLOAD_TOO_LARGE') headers.connection = 'close';
    const { retryAfterSeconds: _r, ...extras } = known.extras;
    return {
      problem: { type: `https://corelab.dev/problems/${known.code.toLowerCase().replace(/_/g, '-')}`, title, status, detail: known.detail, instance: requestId, ...extras },
      headers,
    };
  }
  // Unknown errors: no internals in the response; the log has them (without request bodies).
  console.error(JSON.stringify({ level: 'error', requestId, error: String((err as Error)?.stack ?? err) }));
  return { problem: { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'an unexpected error occurred; it has been logged', instance: requestId }, headers: {} };
}
