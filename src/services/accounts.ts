import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Actor } from '../audit/audit-log.js';
import type { UsersTable } from '../db/schema.js';
import { DomainError } from '../domain/errors.js';
import { passwordProblems } from '../domain/password-policy.js';
import { isStorageFull } from '../storage/storage-full.js';
import { hashPassword, makeDummyHash, verifyPassword } from './password-hash.js';
import { type ServiceContext, inTransaction } from './service-context.js';

export interface User {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  isAdmin: boolean;
  status: 'active' | 'disabled';
  lockedUntil: string | null;
  identityVerified: boolean;
  createdAt: string;
}

export function userRowToUser(r: UsersTable): User {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    email: r.email,
    isAdmin: Number(r.is_admin) === 1,
    status: r.status,
    lockedUntil: r.locked_until,
    identityVerified: r.identity_verified_at !== null,
    createdAt: r.created_at,
  };
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,62}$/;

function assertPassword(ctx: ServiceContext, password: string, username: string): void {
  const problems = passwordProblems(password, username, ctx.config.password.minLength);
  if (problems.length) {
    throw new DomainError('VALIDATION_FAILED', `password ${problems.join('; ')}`, {
      errors: problems.map((p) => ({ pointer: '/password', detail: `password ${p}` })),
    });
  }
}

export interface NewUser {
  username: string;
  displayName: string;
  email?: string | null;
  password: string;
  isAdmin?: boolean;
}

export async function createUser(ctx: ServiceContext, actor: Actor, input: NewUser): Promise<User> {
  const username = input.username.toLowerCase();
  if (!USERNAME.test(username)) {
    throw new DomainError('VALIDATION_FAILED', 'username must be 2-63 characters of a-z, 0-9, ".", "_" or "-"');
  }
  assertPassword(ctx, input.password, username);
  const passwordHash = await hashPassword(input.password, ctx.config.password.scryptLogN);
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    // Usernames are never reused, even from disabled accounts (P11-ACC-01): rows are never deleted.
    const existing = await trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
    if (existing) throw new DomainError('CONFLICT', `username "${username}" is taken (usernames are never reused)`);
    const row: UsersTable = {
      id: randomUUID(),
      username,
      display_name: input.displayName,
      email: input.email ?? null,
      password_hash: passwordHash,
      is_admin: input.isAdmin ? 1 : 0,
      status: 'active',
      failed_logins: 0,
      locked_until: null,
      password_changed_at: now.toISOString(),
      identity_verified_by: null,
      identity_verified_at: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await trx.insertInto('users').values(row).execute();
    const user = userRowToUser(row);
    audit({ action: 'user.create', entityType: 'user', entityId: row.id, after: user });
    return user;
  });
}

export async function getUser(ctx: ServiceContext, id: string): Promise<User> {
  const row = await ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `user ${id} not found`);
  return userRowToUser(row);
}

export async function findUserByUsername(ctx: ServiceContext, username: string): Promise<User | undefined> {
  const row = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where('username', '=', username.toLowerCase())
    .executeTakeFirst();
  return row && userRowToUser(row);
}

export async function listUsers(ctx: ServiceContext): Promise<User[]> {
  return (await ctx.db.selectFrom('users').selectAll().orderBy('username').execute()).map(userRowToUser);
}

export async function disableUser(ctx: ServiceContext, actor: Actor, id: string, reason: string): Promise<User> {
  if (!reason?.trim()) throw new DomainError('REASON_REQUIRED', 'disabling an account requires a reason');
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    const row = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `user ${id} not found`);
    if (row.status === 'disabled') throw new DomainError('CONFLICT', `user ${row.username} is already disabled`);
    await trx.updateTable('users').set({ status: 'disabled', updated_at: now.toISOString() }).where('id', '=', id).execute();
    // Deactivation revokes every session at once (P11-ID-04, SEC-10).
    await trx.updateTable('sessions').set({ revoked_at: now.toISOString() }).where('user_id', '=', id).where('revoked_at', 'is', null).execute();
    audit({ action: 'user.disable', entityType: 'user', entityId: id, before: { status: row.status }, after: { status: 'disabled' }, reason });
    return { ...userRowToUser(row), status: 'disabled' };
  });
}

export async function resetPassword(ctx: ServiceContext, actor: Actor, id: string, password: string, reason: string): Promise<void> {
  const row = await ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `user ${id} not found`);
  if (!reason?.trim()) throw new DomainError('REASON_REQUIRED', 'a password reset requires a reason');
  assertPassword(ctx, password, row.username);
  const hash = await hashPassword(password, ctx.config.password.scryptLogN);
  await inTransaction(ctx, actor, async (trx, audit, now) => {
    await trx
      .updateTable('users')
      .set({ password_hash: hash, password_changed_at: now.toISOString(), failed_logins: 0, locked_until: null, updated_at: now.toISOString() })
      .where('id', '=', id)
      .execute();
    await trx.updateTable('sessions').set({ revoked_at: now.toISOString() }).where('user_id', '=', id).where('revoked_at', 'is', null).execute();
    // The audit records that the password changed, never the password or its hash.
    audit({ action: 'user.password_reset', entityType: 'user', entityId: id, reason });
  });
}

/** §11.100: a second admin records that the user's identity was verified; only then may the user sign. */
export async function verifyIdentity(ctx: ServiceContext, actor: Actor, id: string, reason: string): Promise<User> {
  if (actor.userId === id) throw new DomainError('FORBIDDEN', 'identity must be verified by another administrator');
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    const row = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `user ${id} not found`);
    await trx
      .updateTable('users')
      .set({ identity_verified_by: actor.userId, identity_verified_at: now.toISOString(), updated_at: now.toISOString() })
      .where('id', '=', id)
      .execute();
    audit({ action: 'user.identity_verified', entityType: 'user', entityId: id, reason: reason || null });
    return { ...userRowToUser(row), identityVerified: true };
  });
}

// ---- sessions -------------------------------------------------------------------------------------------

export interface SessionInfo {
  sessionId: string;
  user: User;
  expiresAt: string;
}

const tokenDigest = (token: string) => createHash('sha256').update(token).digest('hex');
let dummyHash: Promise<string> | undefined;

/**
 * Password login. Unknown users are checked against a dummy hash (SEC-08); failures count towards lockout
 * (P11-ID-04: the 5th failure locks the account and is audited).
 */
export async function login(
  ctx: ServiceContext,
  username: string,
  password: string,
  clientIp: string | null,
  requestId: string | null,
): Promise<{ token: string; session: SessionInfo }> {
  const row = await ctx.db.selectFrom('users').selectAll().where('username', '=', username.toLowerCase()).executeTakeFirst();
  const system: Actor = { userId: row?.id ?? null, name: row?.display_name ?? 'anonymous', role: 'user', clientIp, requestId };
  if (!row) {
    dummyHash ??= makeDummyHash(ctx.config.password.scryptLogN);
    await verifyPassword(password, await dummyHash, ctx.config.password.scryptLogN);
    await inTransaction(ctx, system, async (_trx, audit) =>
      audit({ action: 'auth.login_failed', entityType: 'user', entityId: 'unknown', after: { reason: 'unknown user' } }),
    );
    throw new DomainError('BAD_CREDENTIALS', 'username or password is incorrect');
  }
  const now = ctx.now();
  if (row.locked_until && row.locked_until > now.toISOString()) {
    throw new DomainError('ACCOUNT_LOCKED', `account is locked until ${row.locked_until} after repeated failures`);
  }
  const check = await verifyPassword(password, row.password_hash, ctx.config.password.scryptLogN);
  if (!check.ok || row.status !== 'active') {
    await recordFailure(ctx, system, row, 'login');
    throw new DomainError('BAD_CREDENTIALS', 'username or password is incorrect');
  }
  const rehash = check.needsRehash ? await hashPassword(password, ctx.config.password.scryptLogN) : undefined;
  const token = randomBytes(32).toString('base64url');
  const session = await inTransaction(ctx, system, async (trx, audit, now) => {
    const at = now.toISOString();
    const expiresAt = new Date(now.getTime() + ctx.config.session.absoluteHours * 3600_000).toISOString();
    const sessionId = randomUUID();
    await trx
      .updateTable('users')
      .set({ failed_logins: 0, locked_until: null, ...(rehash ? { password_hash: rehash } : {}) })
      .where('id', '=', row.id)
      .execute();
    await trx
      .insertInto('sessions')
      .values({ id: sessionId, user_id: row.id, token_sha256: tokenDigest(token), created_at: at, last_seen_at: at, expires_at: expiresAt, revoked_at: null, client_ip: clientIp })
      .execute();
    audit({ action: 'auth.login', entityType: 'session', entityId: sessionId, after: { userId: row.id, expiresAt } });
    return { sessionId, user: userRowToUser(row), expiresAt };
  });
  return { token, session };
}

async function recordFailure(ctx: ServiceContext, actor: Actor, row: UsersTable, what: 'login' | 'signing'): Promise<void> {
  await inTransaction(ctx, actor, async (trx, audit, now) => {
    const failures = Number(row.failed_logins) + 1;
    const lock = failures >= ctx.config.lockout.maxFailures;
    const lockedUntil = lock ? new Date(now.getTime() + ctx.config.lockout.lockMinutes * 60_000).toISOString() : null;
    await trx.updateTable('users').set({ failed_logins: failures, locked_until: lockedUntil }).where('id', '=', row.id).execute();
    audit({ action: `auth.${what}_failed`, entityType: 'user', entityId: row.id, after: { failures } });
    if (lock) {
      audit({ action: 'auth.account_locked', entityType: 'user', entityId: row.id, after: { lockedUntil, failures } });
      // P11-ID-04: alert security immediately. The structured log line is the alert hook for the operator's SIEM.
      console.warn(JSON.stringify({ level: 'warn', event: 'security.account_locked', userId: row.id, lockedUntil }));
    }
  });
}

/**
 * Re-authentication for an e-signature (§11.200): the signer's password is checked again; failures count
 * towards the same lockout; signing needs identity verification by a second admin (§11.100).
 */
export async function reauthenticateForSigning(ctx: ServiceContext, actor: Actor, userId: string, password: string | undefined): Promise<User> {
  if (!password) throw new DomainError('BAD_CREDENTIALS', 'signing requires your password');
  const row = await ctx.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!row || row.status !== 'active') throw new DomainError('UNAUTHENTICATED', 'account is not active');
  if (row.locked_until && row.locked_until > ctx.now().toISOString()) {
    throw new DomainError('ACCOUNT_LOCKED', `account is locked until ${row.locked_until} after repeated failures`);
  }
  const check = await verifyPassword(password, row.password_hash, ctx.config.password.scryptLogN);
  if (!check.ok) {
    await recordFailure(ctx, actor, row, 'signing');
    throw new DomainError('BAD_CREDENTIALS', 'password is incorrect');
  }
  if (!row.identity_verified_at) {
    throw new DomainError('FORBIDDEN', 'signing is enabled only after an administrator has verified your identity');
  }
  if (Number(row.failed_logins) > 0) await ctx.db.updateTable('users').set({ failed_logins: 0 }).where('id', '=', userId).execute();
  return userRowToUser(row);
}

/** Resolves a bearer token; enforces revocation, absolute and idle timeouts (SEC-10). */
export async function authenticate(ctx: ServiceContext, token: string): Promise<SessionInfo> {
  const now = ctx.now();
  const found = await ctx.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.id as session_id', 'sessions.last_seen_at', 'sessions.expires_at', 'sessions.revoked_at'])
    .where('sessions.token_sha256', '=', tokenDigest(token))
    .executeTakeFirst();
  const unauth = (detail: string) => new DomainError('UNAUTHENTICATED', detail);
  if (!found || found.revoked_at) throw unauth('session is not valid; log in again');
  if (found.expires_at <= now.toISOString()) throw unauth('session reached its absolute time limit; log in again');
  const idleLimit = new Date(Date.parse(found.last_seen_at) + ctx.config.session.idleMinutes * 60_000);
  if (idleLimit <= now) throw unauth(`session was idle more than ${ctx.config.session.idleMinutes} minutes; log in again`);
  if (found.status !== 'active') throw unauth('account is disabled');
  // Touch at most once a minute: keeps the idle clock honest without a write per request. On a full disk the
  // touch is skipped rather than failing the request (reads keep working; the idle clock then errs early).
  if (now.getTime() - Date.parse(found.last_seen_at) > 60_000) {
    await ctx.db
      .updateTable('sessions')
      .set({ last_seen_at: now.toISOString() })
      .where('id', '=', found.session_id)
      .execute()
      .catch((e) => {
        if (!isStorageFull(e)) throw e;
      });
  }
  const { session_id, last_seen_at: _l, expires_at, revoked_at: _r, ...user } = found;
  return { sessionId: session_id, user: userRowToUser(user as UsersTable), expiresAt: expires_at };
}

export async function logout(ctx: ServiceContext, actor: Actor, sessionId: string): Promise<void> {
  await inTransaction(ctx, actor, async (trx, audit, now) => {
    await trx.updateTable('sessions').set({ revoked_at: now.toISOString() }).where('id', '=', sessionId).execute();
    audit({ action: 'auth.logout', entityType: 'session', entityId: sessionId });
  });
}
