import { randomUUID } from 'node:crypto';
import type { Actor } from '../audit/audit-log.js';
import { checkSignature, findSignatures, recordSignature, type SignatureCheck } from '../audit/e-signature.js';
import type { DbOrTrx } from '../db/connect.js';
import type { MembershipsTable, SitesTable, SubjectsTable, TimepointsTable, TrialsTable } from '../db/schema.js';
import { DomainError } from '../domain/errors.js';
import { type TrialRole, isTrialRole } from '../domain/roles.js';
import { loadProtocolFile } from '../protocols/protocol-file.js';
import { reauthenticateForSigning } from './accounts.js';
import { type ServiceContext, inTransaction } from './service-context.js';

export interface Trial {
  id: string;
  code: string;
  title: string;
  sponsorName: string;
  protocolName: string;
  protocolVersion: number;
  protocolSha256: string;
  protocolApprovedAt: string | null;
  status: string;
  createdAt: string;
}

export function trialRowToTrial(r: TrialsTable): Trial {
  return {
    id: r.id,
    code: r.code,
    title: r.title,
    sponsorName: r.sponsor_name,
    protocolName: r.protocol_name,
    protocolVersion: Number(r.protocol_version),
    protocolSha256: r.protocol_sha256,
    protocolApprovedAt: r.protocol_approved_at,
    status: r.status,
    createdAt: r.created_at,
  };
}

export interface NewTrial {
  code: string;
  title: string;
  sponsorName: string;
  protocol: string;
}

export async function createTrial(ctx: ServiceContext, actor: Actor, input: NewTrial): Promise<Trial> {
  const protocol = loadProtocolFile(input.protocol);
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    const dup = await trx.selectFrom('trials').select('id').where('code', '=', input.code).executeTakeFirst();
    if (dup) throw new DomainError('CONFLICT', `a trial with code "${input.code}" exists`);
    const at = now.toISOString();
    const row: TrialsTable = {
      id: randomUUID(),
      code: input.code,
      title: input.title,
      sponsor_name: input.sponsorName,
      protocol_name: protocol.name,
      protocol_json: protocol.json,
      protocol_sha256: protocol.sha256,
      protocol_version: 1,
      protocol_approved_at: null,
      protocol_approved_by: null,
      status: 'setup',
      created_at: at,
      updated_at: at,
    };
    await trx.insertInto('trials').values(row).execute();
    const trial = trialRowToTrial(row);
    audit({ action: 'trial.create', entityType: 'trial', entityId: row.id, trialId: row.id, after: { ...trial, protocol: protocol.document } });
    return trial;
  });
}

export async function getTrialRow(db: DbOrTrx, trialId: string): Promise<TrialsTable> {
  const row = await db.selectFrom('trials').selectAll().where('id', '=', trialId).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `trial ${trialId} not found`);
  return row;
}

export async function getTrial(ctx: ServiceContext, trialId: string): Promise<Trial> {
  return trialRowToTrial(await getTrialRow(ctx.db, trialId));
}

export async function findTrialByCode(ctx: ServiceContext, code: string): Promise<Trial | undefined> {
  const row = await ctx.db.selectFrom('trials').selectAll().where('code', '=', code).executeTakeFirst();
  return row && trialRowToTrial(row);
}

export interface TrialWithRoles extends Trial {
  roles: TrialRole[];
}

/** Trials the user may see: every trial for an admin, otherwise those with an active membership. */
export async function listTrialsFor(ctx: ServiceContext, userId: string, isAdmin: boolean): Promise<TrialWithRoles[]> {
  const memberships = await ctx.db
    .selectFrom('memberships')
    .select(['trial_id', 'role'])
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .execute();
  const roles = new Map<string, TrialRole[]>();
  for (const m of memberships) roles.set(m.trial_id, [...(roles.get(m.trial_id) ?? []), m.role as TrialRole]);
  let q = ctx.db.selectFrom('trials').selectAll().orderBy('code');
  if (!isAdmin) {
    if (roles.size === 0) return [];
    q = q.where('id', 'in', [...roles.keys()]);
  }
  return (await q.execute()).map((r) => ({ ...trialRowToTrial(r), roles: roles.get(r.id) ?? [] }));
}

/** The active roles a user holds on one trial (empty: not a member, which the API answers with 404). */
export async function rolesOnTrial(db: DbOrTrx, userId: string, trialId: string): Promise<TrialRole[]> {
  const rows = await db
    .selectFrom('memberships')
    .select('role')
    .where('user_id', '=', userId)
    .where('trial_id', '=', trialId)
    .where('status', '=', 'active')
    .execute();
  return rows.map((r) => r.role as TrialRole);
}

/** The site a sponsor acting on this trial is bound to, if any (P11-DEV-01); null for other roles. */
export async function sponsorSiteOf(db: DbOrTrx, actingRole: string, trialId: string, userId: string): Promise<string | null> {
  if (actingRole !== 'sponsor') return null;
  const m = await db
    .selectFrom('memberships')
    .select('site_id')
    .where('trial_id', '=', trialId)
    .where('user_id', '=', userId)
    .where('role', '=', 'sponsor')
    .where('status', '=', 'active')
    .executeTakeFirst();
  return m?.site_id ?? null;
}

// ---- protocol approval (P11-DOC-01, BL-08): the charter is approved with an e-signature before reads start --

export async function approveProtocol(
  ctx: ServiceContext,
  actor: Actor,
  trialId: string,
  password: string | undefined,
): Promise<SignatureCheck> {
  const signer = await reauthenticateForSigning(ctx, actor, actor.userId!, password);
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    const row = await getTrialRow(trx, trialId);
    if (row.protocol_approved_at) throw new DomainError('CONFLICT', `protocol version ${row.protocol_version} is already approved`);
    const content = protocolSignedContent(row);
    const sig = await recordSignature(
      trx,
      ctx.config.secretKey,
      { trialId, entityType: 'trial_protocol', entityId: trialId, recordVersion: Number(row.protocol_version), content, meaning: 'approved', signer: { userId: signer.id, printedName: signer.displayName } },
      now,
    );
    await trx
      .updateTable('trials')
      .set({ protocol_approved_at: now.toISOString(), protocol_approved_by: signer.id, status: 'active', updated_at: now.toISOString() })
      .where('id', '=', trialId)
      .execute();
    audit({ action: 'trial.protocol_approve', entityType: 'trial', entityId: trialId, trialId, before: { status: row.status }, after: { status: 'active', signatureId: sig.id, protocolSha256: row.protocol_sha256 } });
    audit({ action: 'signature.create', entityType: 'signature', entityId: sig.id, trialId, after: sig });
    const stored = (await findSignatures(trx, 'trial_protocol', trialId)).find((s) => s.id === sig.id)!;
    return checkSignature(ctx.config.secretKey, stored, content);
  });
}

function protocolSignedContent(row: TrialsTable) {
  return { trialId: row.id, code: row.code, protocolName: row.protocol_name, protocolVersion: Number(row.protocol_version), protocolSha256: row.protocol_sha256 };
}

export async function listTrialSignatures(ctx: ServiceContext, trialId: string): Promise<SignatureCheck[]> {
  const row = await getTrialRow(ctx.db, trialId);
  const sigs = await findSignatures(ctx.db, 'trial_protocol', trialId);
  return sigs.map((s) => checkSignature(ctx.config.secretKey, s, protocolSignedContent(row)));
}

// ---- memberships ------------------------------------------------------------------------------------------

export interface Membership {
  id: string;
  trialId: string;
  userId: string;
  role: TrialRole;
  siteId: string | null;
  status: string;
  createdAt: string;
}

const membershipRowTo = (r: MembershipsTable): Membership => ({
  id: r.id,
  trialId: r.trial_id,
  userId: r.user_id,
  role: r.role as TrialRole,
  siteId: r.site_id,
  status: r.status,
  createdAt: r.created_at,
});

export async function addMember(
  ctx: ServiceContext,
  actor: Actor,
  input: { trialId: string; userId: string; role: string; siteId?: string | null },
): Promise<Membership> {
  if (!isTrialRole(input.role)) throw new DomainError('VALIDATION_FAILED', `role "${input.role}" is not a trial role`);
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    await getTrialRow(trx, input.trialId);
    const user = await trx.selectFrom('users').select(['id', 'status']).where('id', '=', input.userId).executeTakeFirst();
    if (!user) throw new DomainError('NOT_FOUND', `user ${input.userId} not found`);
    if (user.status !== 'active') throw new DomainError('CONFLICT', 'a disabled user cannot be given a role');
    if (input.siteId) await getSite(trx, input.trialId, input.siteId);
    const existing = await trx
      .selectFrom('memberships')
      .selectAll()
      .where('trial_id', '=', input.trialId)
      .where('user_id', '=', input.userId)
      .where('role', '=', input.role)
      .executeTakeFirst();
    if (existing?.status === 'active') throw new DomainError('CONFLICT', `user already holds role ${input.role} on this trial`);
    const row: MembershipsTable = {
      id: existing?.id ?? randomUUID(),
      trial_id: input.trialId,
      user_id: input.userId,
      role: input.role,
      site_id: input.siteId ?? null,
      status: 'active',
      created_at: now.toISOString(),
      revoked_at: null,
    };
    if (existing) {
      await trx.updateTable('memberships').set({ status: 'active', revoked_at: null, site_id: row.site_id }).where('id', '=', existing.id).execute();
    } else {
      await trx.insertInto('memberships').values(row).execute();
    }
    const m = membershipRowTo(row);
    audit({ action: 'membership.grant', entityType: 'membership', entityId: row.id, trialId: input.trialId, before: existing ? membershipRowTo(existing) : null, after: m });
    return m;
  });
}

export async function revokeMember(ctx: ServiceContext, actor: Actor, trialId: string, membershipId: string, reason: string): Promise<Membership> {
  if (!reason?.trim()) throw new DomainError('REASON_REQUIRED', 'revoking a role requires a reason');
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    const row = await trx.selectFrom('memberships').selectAll().where('id', '=', membershipId).where('trial_id', '=', trialId).executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', `membership ${membershipId} not found`);
    if (row.status === 'revoked') throw new DomainError('CONFLICT', 'membership is already revoked');
    await trx.updateTable('memberships').set({ status: 'revoked', revoked_at: now.toISOString() }).where('id', '=', membershipId).execute();
    audit({ action: 'membership.revoke', entityType: 'membership', entityId: membershipId, trialId, before: membershipRowTo(row), after: { status: 'revoked' }, reason });
    return { ...membershipRowTo(row), status: 'revoked' };
  });
}

export async function listMembers(ctx: ServiceContext, trialId: string): Promise<Array<Membership & { username: string; displayName: string }>> {
  const rows = await ctx.db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .selectAll('memberships')
    .select(['users.username', 'users.display_name'])
    .where('memberships.trial_id', '=', trialId)
    .orderBy('users.username')
    .execute();
  return rows.map((r) => ({ ...membershipRowTo(r), username: r.username, displayName: r.display_name }));
}

// ---- sites, subjects, timepoints ---------------------------------------------------------------------------

export interface Site { id: string; trialId: string; code: string; name: string; createdAt: string }
const siteRowTo = (r: SitesTable): Site => ({ id: r.id, trialId: r.trial_id, code: r.code, name: r.name, createdAt: r.created_at });

async function getSite(db: DbOrTrx, trialId: string, siteId: string): Promise<SitesTable> {
  const row = await db.selectFrom('sites').selectAll().where('id', '=', siteId).where('trial_id', '=', trialId).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `site ${siteId} not found in this trial`);
  return row;
}

export async function createSite(ctx: ServiceContext, actor: Actor, trialId: string, input: { code: string; name: string }): Promise<Site> {
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    await getTrialRow(trx, trialId);
    const dup = await trx.selectFrom('sites').select('id').where('trial_id', '=', trialId).where('code', '=', input.code).executeTakeFirst();
    if (dup) throw new DomainError('CONFLICT', `site code "${input.code}" exists in this trial`);
    const row: SitesTable = { id: randomUUID(), trial_id: trialId, code: input.code, name: input.name, created_at: now.toISOString() };
    await trx.insertInto('sites').values(row).execute();
    audit({ action: 'site.create', entityType: 'site', entityId: row.id, trialId, after: siteRowTo(row) });
    return siteRowTo(row);
  });
}

export async function listSites(ctx: ServiceContext, trialId: string): Promise<Site[]> {
  return (await ctx.db.selectFrom('sites').selectAll().where('trial_id', '=', trialId).orderBy('code').execute()).map(siteRowTo);
}

export interface Subject { id: string; trialId: string; siteId: string; subjectCode: string; status: string; createdAt: string }
const subjectRowTo = (r: SubjectsTable): Subject => ({ id: r.id, trialId: r.trial_id, siteId: r.site_id, subjectCode: r.subject_code, status: r.status, createdAt: r.created_at });

const SUBJECT_CODE = /^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/;

export async function enrollSubject(ctx: ServiceContext, actor: Actor, trialId: string, input: { siteId: string; subjectCode: string }): Promise<Subject> {
  if (!SUBJECT_CODE.test(input.subjectCode)) {
    throw new DomainError('VALIDATION_FAILED', 'subjectCode must be 1-40 characters of letters, digits and "-" (a pseudonym, never a patient identifier)');
  }
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    await getSite(trx, trialId, input.siteId);
    const dup = await trx.selectFrom('subjects').select('id').where('trial_id', '=', trialId).where('subject_code', '=', input.subjectCode).executeTakeFirst();
    if (dup) throw new DomainError('CONFLICT', `subject ${input.subjectCode} is already enrolled`);
    const row: SubjectsTable = { id: randomUUID(), trial_id: trialId, site_id: input.siteId, subject_code: input.subjectCode, status: 'enrolled', created_at: now.toISOString() };
    await trx.insertInto('subjects').values(row).execute();
    audit({ action: 'subject.enroll', entityType: 'subject', entityId: row.id, trialId, after: subjectRowTo(row) });
    return subjectRowTo(row);
  });
}

export async function listSubjects(ctx: ServiceContext, trialId: string, siteId?: string | null): Promise<Subject[]> {
  let q = ctx.db.selectFrom('subjects').selectAll().where('trial_id', '=', trialId);
  if (siteId) q = q.where('site_id', '=', siteId);
  return (await q.orderBy('subject_code').execute()).map(subjectRowTo);
}

export async function getSubjectRow(db: DbOrTrx, trialId: string, subjectId: string): Promise<SubjectsTable> {
  const row = await db.selectFrom('subjects').selectAll().where('id', '=', subjectId).where('trial_id', '=', trialId).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `subject ${subjectId} not found in this trial`);
  return row;
}

export interface Timepoint {
  id: string; trialId: string; subjectId: string; visitCode: string; visitNum: number; label: string;
  scheduledOn: string | null; acquiredOn: string | null; state: string; createdAt: string; updatedAt: string;
}
export const timepointRowTo = (r: TimepointsTable): Timepoint => ({
  id: r.id, trialId: r.trial_id, subjectId: r.subject_id, visitCode: r.visit_code, visitNum: Number(r.visit_num), label: r.label,
  scheduledOn: r.scheduled_on, acquiredOn: r.acquired_on, state: r.state, createdAt: r.created_at, updatedAt: r.updated_at,
});

export async function createTimepoint(
  ctx: ServiceContext,
  actor: Actor,
  trialId: string,
  subjectId: string,
  input: { visitCode: string; visitNum: number; label: string; scheduledOn?: string | null },
): Promise<Timepoint> {
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    await getSubjectRow(trx, trialId, subjectId);
    const dup = await trx.selectFrom('timepoints').select('id').where('subject_id', '=', subjectId).where('visit_code', '=', input.visitCode).executeTakeFirst();
    if (dup) throw new DomainError('CONFLICT', `visit ${input.visitCode} exists for this subject`);
    const at = now.toISOString();
    const row: TimepointsTable = {
      id: randomUUID(), trial_id: trialId, subject_id: subjectId, visit_code: input.visitCode, visit_num: input.visitNum, label: input.label,
      scheduled_on: input.scheduledOn ?? null, acquired_on: null, state: 'expected', created_at: at, updated_at: at,
    };
    await trx.insertInto('timepoints').values(row).execute();
    audit({ action: 'timepoint.create', entityType: 'timepoint', entityId: row.id, trialId, after: timepointRowTo(row) });
    return timepointRowTo(row);
  });
}

export async function listTimepoints(ctx: ServiceContext, trialId: string, subjectId: string): Promise<Timepoint[]> {
  await getSubjectRow(ctx.db, trialId, subjectId);
  return (await ctx.db.selectFrom('timepoints').selectAll().where('subject_id', '=', subjectId).orderBy('visit_num').execute()).map(timepointRowTo);
}
