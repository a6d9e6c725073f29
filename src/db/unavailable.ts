import { DomainError, isDomainError } from '../domain/errors.js';

// When PostgreSQL goes away (restart, crash, failover) requests fail with driver errors until the pool has new
// connections. They are not bugs: the client gets 503 with Retry-After instead of a 500, and nothing was
// committed (a transaction whose connection died is rolled back by the server).

/** Network errors of a connection that was refused or dropped. */
const CONNECTION_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
/** SQLSTATE: admin_shutdown, crash_shutdown, cannot_connect_now (starting up or in recovery). */
const SERVER_GOING_AWAY = new Set(['57P01', '57P02', '57P03']);
/** node-postgres's own messages for a connection that died under it. */
const DROPPED = /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect/;

export const DATABASE_UNAVAILABLE_DETAIL = 'the database cannot be reached right now; nothing was saved, retry shortly';

/** The UNAVAILABLE error for a failure caused by a lost or refused database connection, or null. */
export function databaseUnavailableError(e: unknown): DomainError | null {
  if (isDomainError(e)) return e.code === 'UNAVAILABLE' ? e : null;
  const code = (e as { code?: unknown } | null)?.code;
  const message = String((e as Error | null)?.message ?? '');
  const lost =
    (typeof code === 'string' && (CONNECTION_ERRNO.has(code) || SERVER_GOING_AWAY.has(code) || code.startsWith('08'))) || DROPPED.test(message);
  return lost ? new DomainError('UNAVAILABLE', DATABASE_UNAVAILABLE_DETAIL, { retryAfterSeconds: 5 }) : null;
}
