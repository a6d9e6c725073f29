// One error type for every expected failure the platform reports. The code decides the HTTP status in
// src/api/problem.ts (keyed by this union, so a code without a status does not compile).
export const DOMAIN_ERROR_CODES = [
  'VALIDATION_FAILED', // request or file content is malformed (400)
  'UNAUTHENTICATED', // no or expired session (401)
  'BAD_CREDENTIALS', // wrong password on login or signing (401)
  'FORBIDDEN', // authenticated, a member of the trial, but the role may not do this (403)
  'NOT_FOUND', // absent, or not visible to this user (404: hides existence across trials)
  'CONFLICT', // state does not allow the action (409)
  'REASON_REQUIRED', // a change to a saved, submitted or signed record without a reason (422)
  'UNPROCESSABLE', // well-formed but not acceptable by domain rules (422)
  'PAYLOAD_TOO_LARGE', // upload past configured limits (413)
  'UNSUPPORTED_MEDIA_TYPE', // (415)
  'RATE_LIMITED', // (429)
  'ACCOUNT_LOCKED', // too many failures (423)
  'INSUFFICIENT_STORAGE', // disk full (507)
  'UNAVAILABLE', // the database cannot be reached right now (503, with Retry-After)
  'INVALID_DICOM', // not DICOM, truncated, lengths past end, nesting bombs (422)
  'UNSAFE_ARCHIVE', // zip slip, bombs, nested archives (422)
  'INVALID_RESPONSE_INPUT', // response engine input is inconsistent (422)
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    /** Precise, user-facing explanation; never contains identifying data. */
    readonly detail: string,
    /** Structured extras rendered into the problem document (e.g. invalid fields, retryAfterSeconds). */
    readonly extras: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
