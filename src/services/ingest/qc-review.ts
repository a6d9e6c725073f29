import { randomUUID } from 'node:crypto';
import type { Actor } from '../../audit/audit-log.js';
import type { Trx } from '../../db/connect.js';
import type { QueriesTable, QueryMessagesTable } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import { type ServiceContext, inTransaction } from '../service-context.js';
import { type Timepoint, getSubjectRow, timepointRowTo } from '../trials.js';

export type ReleaseHook = (trx: Trx, ctx: ServiceContext, timepointId: string, now: Date) => Promise<void>;

export interface QcQueueItem {
  timepoint: Timepoint;
  subjectCode: string;
  qc: { outcome: string; findings: unknown[]; evaluatedAt: string; overrideReason: string | null } | null;
  openQueries: number;
}

/** Timepoints with images, newest QC first; what a qc technician works through. */
export async function qcQueue(ctx: ServiceContext, trialId: string): Promise<QcQueueItem[]> {
  const tps = await ctx.db
    .selectFrom('timepoints')
    .innerJoin('subjects', 'subjects.id', 'timepoints.subject_id')
    .selectAll('timepoints')
    .select('subjects.subject_code')
    .where('timepoints.trial_id', '=', trialId)
    .where('timepoints.state', 'in', ['received', 'qc_failed', 'released'])
    .orderBy('timepoints.updated_at', 'desc')
    .execute();
  // the trial's QC results (newest first: the first seen per timepoint is its latest) and open query counts, one
  // query each rather than two per timepoint
  const results = await ctx.db
    .selectFrom('qc_results')
    .innerJoin('timepoints', 'timepoints.id', 'qc_results.timepoint_id')
    .selectAll('qc_results')
    .where('timepoints.trial_id', '=', trialId)
    .orderBy('qc_results.evaluated_at', 'desc')
    .execute();
  const latest = new Map<string, (typeof results)[number]>();
  for (const r of results) if (!latest.has(r.timepoint_id)) latest.set(r.timepoint_id, r);
  const openCounts = await ctx.db
    .selectFrom('queries')
    .innerJoin('timepoints', 'timepoints.id', 'queries.timepoint_id')
    .select(({ fn }) => ['queries.timepoint_id', fn.countAll<number>().as('n')])
    .where('timepoints.trial_id', '=', trialId)
    .where('queries.state', '!=', 'resolved')
    .groupBy('queries.timepoint_id')
    .execute();
  const open = new Map(openCounts.map((c) => [c.timepoint_id, Number(c.n)]));
  const out: QcQueueItem[] = [];
  for (const t of tps) {
    const qc = latest.get(t.id);
    const { subject_code, ...row } = t;
    out.push({
      timepoint: timepointRowTo(row),
      subjectCode: subject_code,
      qc: qc ? { outcome: qc.outcome, findings: JSON.parse(qc.findings_json), evaluatedAt: qc.evaluated_at, overrideReason: qc.override_reason } : null,
      openQueries: open.get(t.id) ?? 0,
    });
  }
  return out;
}

/**
 * A qc user's decision on a timepoint (P11-OPS-01: only legal transitions): release a failed or received visit for
 * reading (an override, reason required), or fail a visit that has not been read yet, which opens a query.
 */
export async function decideQc(
  ctx: ServiceContext,
  actor: Actor,
  trialId: string,
  timepointId: string,
  input: { decision: 'release' | 'fail'; reason: string },
  onReleased?: ReleaseHook,
): Promise<Timepoint> {
  if (!input.reason?.trim()) throw new DomainError('REASON_REQUIRED', 'a QC decision needs a reason');
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    const tp = await trx.selectFrom('timepoints').selectAll().where('id', '=', timepointId).where('trial_id', '=', trialId).executeTakeFirst();
    if (!tp) throw new DomainError('NOT_FOUND', `timepoint ${timepointId} not found in this trial`);
    const allowed = input.decision === 'release' ? ['received', 'qc_failed'] : ['received', 'released'];
    if (!allowed.includes(tp.state)) throw new DomainError('CONFLICT', `a ${tp.state} visit cannot be ${input.decision === 'release' ? 'released' : 'failed'}`);
    if (input.decision === 'fail') {
      const started = await startedReads(trx, timepointId);
      if (started) throw new DomainError('CONFLICT', 'reading has started on this visit; it can no longer be failed by QC');
    }
    const at = now.toISOString();
    const state = input.decision === 'release' ? 'released' : 'qc_failed';
    await trx.updateTable('timepoints').set({ state, updated_at: at }).where('id', '=', tp.id).execute();
    const latest = await trx.selectFrom('qc_results').select('id').where('timepoint_id', '=', tp.id).orderBy('evaluated_at', 'desc').executeTakeFirst();
    if (latest) await trx.updateTable('qc_results').set({ override_by: actor.userId, override_reason: input.reason, override_at: at }).where('id', '=', latest.id).execute();
    audit({ action: `qc.${input.decision}`, entityType: 'timepoint', entityId: tp.id, trialId, before: { state: tp.state }, after: { state }, reason: input.reason });
    if (state === 'qc_failed') await openQuery(trx, audit, actor, tp.trial_id, tp.id, `QC failed for ${tp.label}`, input.reason, at);
    if (state === 'released' && onReleased) await onReleased(trx, ctx, tp.id, now);
    return timepointRowTo({ ...tp, state, updated_at: at });
  });
}

/** Reading tables come with the reading workflow; until a read exists for the visit, QC may still fail it. */
async function startedReads(trx: Trx, timepointId: string): Promise<boolean> {
  try {
    const r = await (trx as any).selectFrom('reading_tasks').select('id').where('timepoint_id', '=', timepointId).where('state', '!=', 'open').executeTakeFirst();
    return Boolean(r);
  } catch {
    return false;
  }
}

export interface Query {
  id: string;
  timepointId: string;
  state: QueriesTable['state'];
  title: string;
  createdAt: string;
  updatedAt: string;
  messages: Array<{ id: string; authorRole: string; body: string; createdAt: string }>;
}

async function openQuery(trx: Trx, audit: (r: any) => void, actor: Actor, trialId: string, timepointId: string, title: string, message: string, at: string): Promise<string> {
  const id = randomUUID();
  await trx.insertInto('queries').values({ id, trial_id: trialId, timepoint_id: timepointId, state: 'open', title, created_by: actor.userId, created_at: at, updated_at: at }).execute();
  await trx.insertInto('query_messages').values({ id: randomUUID(), query_id: id, author_id: actor.userId, author_role: actor.role, body: message, created_at: at }).execute();
  audit({ action: 'query.open', entityType: 'query', entityId: id, trialId, after: { timepointId, title, message } });
  return id;
}

export async function raiseQuery(ctx: ServiceContext, actor: Actor, trialId: string, input: { timepointId: string; title: string; message: string }): Promise<Query> {
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    const tp = await trx.selectFrom('timepoints').select(['id']).where('id', '=', input.timepointId).where('trial_id', '=', trialId).executeTakeFirst();
    if (!tp) throw new DomainError('NOT_FOUND', `timepoint ${input.timepointId} not found in this trial`);
    const id = await openQuery(trx, audit, actor, trialId, tp.id, input.title, input.message, now.toISOString());
    return (await loadQueries(trx, trialId, { queryId: id }))[0];
  });
}

export async function postQueryMessage(ctx: ServiceContext, actor: Actor, trialId: string, queryId: string, body: string, boundSiteId: string | null): Promise<Query> {
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    const q = await getQuery(trx, trialId, queryId, boundSiteId);
    if (q.state === 'resolved') throw new DomainError('CONFLICT', 'the query is resolved');
    const at = now.toISOString();
    await trx.insertInto('query_messages').values({ id: randomUUID(), query_id: q.id, author_id: actor.userId, author_role: actor.role, body, created_at: at }).execute();
    // A sponsor's message answers the query; core-lab messages keep it open.
    const state = actor.role === 'sponsor' ? 'answered' : q.state;
    await trx.updateTable('queries').set({ state, updated_at: at }).where('id', '=', q.id).execute();
    audit({ action: 'query.message', entityType: 'query', entityId: q.id, trialId, before: { state: q.state }, after: { state, body } });
    return (await loadQueries(trx, trialId, { queryId: q.id }))[0];
  });
}

export async function resolveQuery(ctx: ServiceContext, actor: Actor, trialId: string, queryId: string, reason: string): Promise<Query> {
  return inTransaction(ctx, actor, async (trx, audit, now) => {
    const q = await getQuery(trx, trialId, queryId, null);
    if (q.state === 'resolved') throw new DomainError('CONFLICT', 'the query is already resolved');
    await trx.updateTable('queries').set({ state: 'resolved', updated_at: now.toISOString() }).where('id', '=', q.id).execute();
    audit({ action: 'query.resolve', entityType: 'query', entityId: q.id, trialId, before: { state: q.state }, after: { state: 'resolved' }, reason });
    return (await loadQueries(trx, trialId, { queryId: q.id }))[0];
  });
}

async function getQuery(trx: Trx, trialId: string, queryId: string, boundSiteId: string | null): Promise<QueriesTable> {
  const q = await trx.selectFrom('queries').selectAll().where('id', '=', queryId).where('trial_id', '=', trialId).executeTakeFirst();
  if (!q) throw new DomainError('NOT_FOUND', `query ${queryId} not found in this trial`);
  if (boundSiteId) {
    const tp = await trx.selectFrom('timepoints').innerJoin('subjects', 'subjects.id', 'timepoints.subject_id').select('subjects.site_id').where('timepoints.id', '=', q.timepoint_id).executeTakeFirstOrThrow();
    if (tp.site_id !== boundSiteId) throw new DomainError('NOT_FOUND', `query ${queryId} not found in this trial`);
  }
  return q;
}

export async function loadQueries(db: Trx | ServiceContext['db'], trialId: string, filter: { queryId?: string; state?: string; siteId?: string | null; timepointId?: string }): Promise<Query[]> {
  let q = db.selectFrom('queries').innerJoin('timepoints', 'timepoints.id', 'queries.timepoint_id').innerJoin('subjects', 'subjects.id', 'timepoints.subject_id').selectAll('queries').where('queries.trial_id', '=', trialId);
  if (filter.queryId) q = q.where('queries.id', '=', filter.queryId);
  if (filter.state) q = q.where('queries.state', '=', filter.state as QueriesTable['state']);
  if (filter.siteId) q = q.where('subjects.site_id', '=', filter.siteId);
  if (filter.timepointId) q = q.where('queries.timepoint_id', '=', filter.timepointId);
  const rows = await q.orderBy('queries.created_at').execute();
  if (rows.length === 0) return [];
  const messages: QueryMessagesTable[] = await db.selectFrom('query_messages').selectAll().where('query_id', 'in', rows.map((r) => r.id)).orderBy('created_at').execute();
  return rows.map((r) => ({
    id: r.id, timepointId: r.timepoint_id, state: r.state, title: r.title, createdAt: r.created_at, updatedAt: r.updated_at,
    messages: messages.filter((m) => m.query_id === r.id).map((m) => ({ id: m.id, authorRole: m.author_role, body: m.body, createdAt: m.created_at })),
  }));
}

export interface VisitTracking {
  visitCode: string;
  label: string;
  visitNum: number;
  timepointId: string | null;
  state: string;
  scheduledOn: string | null;
  acquiredOn: string | null;
  qcOutcome: string | null;
  openQueries: number;
  series: number;
  instances: number;
}

/** Sponsor's view of one subject: every visit the charter expects, what was received, QC state and open queries. */
export async function visitTracking(ctx: ServiceContext, trialId: string, subjectId: string, boundSiteId: string | null): Promise<VisitTracking[]> {
  const subject = await getSubjectRow(ctx.db, trialId, subjectId);
  if (boundSiteId && subject.site_id !== boundSiteId) throw new DomainError('NOT_FOUND', `subject ${subjectId} not found in this trial`);
  const trial = await ctx.db.selectFrom('trials').select('protocol_json').where('id', '=', trialId).executeTakeFirstOrThrow();
  const schedule: Array<{ code: string; label: string; visitNum: number }> = JSON.parse(trial.protocol_json).visits ?? [];
  const tps = await ctx.db.selectFrom('timepoints').selectAll().where('subject_id', '=', subject.id).execute();
  const codes = new Set([...schedule.map((v) => v.code), ...tps.map((t) => t.visit_code)]);
  const out: VisitTracking[] = [];
  for (const code of codes) {
    const planned = schedule.find((v) => v.code === code);
    const tp = tps.find((t) => t.visit_code === code);
    let qcOutcome: string | null = null;
    let openQueries = 0;
    let series = 0;
    let instances = 0;
    if (tp) {
      qcOutcome = (await ctx.db.selectFrom('qc_results').select('outcome').where('timepoint_id', '=', tp.id).orderBy('evaluated_at', 'desc').executeTakeFirst())?.outcome ?? null;
      openQueries = Number((await ctx.db.selectFrom('queries').select(({ fn }) => fn.countAll<number>().as('n')).where('timepoint_id', '=', tp.id).where('state', '!=', 'resolved').executeTakeFirstOrThrow()).n);
      const s = await ctx.db.selectFrom('series').select(['id', 'instance_count']).where('timepoint_id', '=', tp.id).execute();
      series = s.length;
      instances = s.reduce((n, x) => n + Number(x.instance_count), 0);
    }
    out.push({
      visitCode: code, label: tp?.label ?? planned!.label, visitNum: tp ? Number(tp.visit_num) : planned!.visitNum, timepointId: tp?.id ?? null,
      state: tp?.state ?? 'not_created', scheduledOn: tp?.scheduled_on ?? null, acquiredOn: tp?.acquired_on ?? null, qcOutcome, openQueries, series, instances,
    });
  }
  return out.sort((a, b) => a.visitNum - b.visitNum);
}
