// @req SEC-01 SEC-02 P11-AUTH-01: one deny-by-default policy, walked cell by cell for role x route x trial.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/jobs/job-queue.js';
import { SYSTEM_ACTOR, inTransaction } from '../../src/services/service-context.js';
import { requestExport } from '../../src/services/exports/exports.js';
import { raiseQuery } from '../../src/services/ingest/qc-review.js';
import { addUploadFiles, createUpload } from '../../src/services/ingest/uploads.js';
import { requestSegmentation } from '../../src/services/segmentation/segmentations.js';
import { addMember, createTimepoint, enrollSubject } from '../../src/services/trials.js';
import { type ReadingStage, baseline, seedReadingCase } from '../helpers/reading-fixture.js';
import { plantSeries } from './ingest-fixture.js';
import { DIALECT, TEST_PASSWORD, type TestPlatform, createTestPlatform, grant, seedTrial, seedUser } from '../helpers/test-platform.js';

const ROLES = ['admin', 'sponsor', 'qc', 'reader', 'adjudicator', 'biostatistician', 'outsider', 'anonymous'] as const;
type Who = (typeof ROLES)[number];
type Expect = Record<Who, number>;

interface Fixture {
  p: TestPlatform;
  trialA: string;
  trialB: string;
  siteA: string;
  subjectA: string;
  tokens: Partial<Record<Who, string>>;
  userIds: Partial<Record<Who, string>>;
  jobA: string;
}

interface Call {
  method: string;
  url: string;
  body?: unknown;
  /** a non-JSON body (uploads) */
  raw?: { contentType: string; bytes: Uint8Array };
  /** log in afresh for this cell (logout would end the shared session) */
  freshToken?: boolean;
}

const uniq = () => randomUUID().slice(0, 8);
const all = (status: number): Expect => Object.fromEntries(ROLES.map((r) => [r, status])) as Expect;
const only = (allowed: Partial<Expect>, denied = 403, outsider = 404): Expect => ({
  ...all(denied),
  outsider,
  anonymous: 401,
  ...allowed,
});

// The expected outcome of every cell, written out independently of openapi.yaml's x-access.
const MATRIX: Array<[string, (f: Fixture, who: Who) => Promise<Call> | Call, Expect]> = [
  ['GET /health', () => ({ method: 'GET', url: '/health' }), all(200)],
  ['GET /openapi.yaml', () => ({ method: 'GET', url: '/openapi.yaml' }), all(200)],
  ['POST /auth/login', (_f, who) => ({ method: 'POST', url: '/auth/login', body: { username: who === 'anonymous' ? 'nobody' : `u-${who}`, password: 'Correct-horse-battery-9' } }), { ...all(200), anonymous: 401 }],
  ['POST /auth/logout', () => ({ method: 'POST', url: '/auth/logout', freshToken: true }), { ...all(204), anonymous: 401 }],
  ['GET /me', () => ({ method: 'GET', url: '/me' }), { ...all(200), anonymous: 401 }],
  ['GET /users', () => ({ method: 'GET', url: '/users' }), only({ admin: 200 }, 403, 403)],
  ['POST /users', () => ({ method: 'POST', url: '/users', body: { username: `n-${uniq()}`, displayName: 'New User', password: 'Another-long-secret-42' } }), only({ admin: 201 }, 403, 403)],
  ['POST /users/{userId}/disable', async (f) => ({ method: 'POST', url: `/users/${(await seedUser(f.p, `d-${uniq()}`)).id}/disable`, body: { reason: 'left the lab' } }), only({ admin: 200 }, 403, 403)],
  ['POST /users/{userId}/reset-password', async (f) => ({ method: 'POST', url: `/users/${(await seedUser(f.p, `r-${uniq()}`)).id}/reset-password`, body: { password: 'Brand-new-secret-77', reason: 'forgotten' } }), only({ admin: 204 }, 403, 403)],
  ['POST /users/{userId}/verify-identity', async (f) => ({ method: 'POST', url: `/users/${(await seedUser(f.p, `v-${uniq()}`)).id}/verify-identity`, body: { reason: 'passport seen' } }), only({ admin: 200 }, 403, 403)],
  ['GET /trials', () => ({ method: 'GET', url: '/trials' }), { ...all(200), anonymous: 401 }],
  ['POST /trials', () => ({ method: 'POST', url: '/trials', body: { code: `T-${uniq()}`, title: 'x', sponsorName: 'y', protocol: 'bicr-recist-1.1' } }), only({ admin: 201 }, 403, 403)],
  ['GET /trials/{trialId}', (f) => ({ method: 'GET', url: `/trials/${f.trialA}` }), only({ admin: 200, sponsor: 200, qc: 200, reader: 200, adjudicator: 200, biostatistician: 200 })],
  ['POST /trials/{trialId}/protocol/approve', async (f, who) => ({ method: 'POST', url: `/trials/${who === 'admin' ? (await seedTrial(f.p, `AP-${uniq()}`)).trial.id : f.trialA}/protocol/approve`, body: { password: 'Correct-horse-battery-9' } }), only({ admin: 200 })],
  ['GET /trials/{trialId}/signatures', (f) => ({ method: 'GET', url: `/trials/${f.trialA}/signatures` }), only({ admin: 200, qc: 200 })],
  ['GET /trials/{trialId}/members', (f) => ({ method: 'GET', url: `/trials/${f.trialA}/members` }), only({ admin: 200 })],
  ['POST /trials/{trialId}/members', async (f) => ({ method: 'POST', url: `/trials/${f.trialA}/members`, body: { userId: (await seedUser(f.p, `m-${uniq()}`)).id, role: 'reader' } }), only({ admin: 201 })],
  ['POST /trials/{trialId}/members/{membershipId}/revoke', async (f) => {
    const m = await addMember(f.p.ctx, SYSTEM_ACTOR, { trialId: f.trialA, userId: (await seedUser(f.p, `x-${uniq()}`)).id, role: 'qc' });
    return { method: 'POST', url: `/trials/${f.trialA}/members/${m.id}/revoke`, body: { reason: 'rotation' } };
  }, only({ admin: 200 })],
  ['GET /trials/{trialId}/sites', (f) => ({ method: 'GET', url: `/trials/${f.trialA}/sites` }), only({ admin: 200, sponsor: 200, qc: 200 })],
  ['POST /trials/{trialId}/sites', (f) => ({ method: 'POST', url: `/trials/${f.trialA}/sites`, body: { code: `S${uniq()}`, name: 'Another site' } }), only({ admin: 201 })],
  ['GET /trials/{trialId}/subjects', (f) => ({ method: 'GET', url: `/trials/${f.trialA}/subjects` }), only({ admin: 200, sponsor: 200, qc: 200 })],
  ['POST /trials/{trialId}/subjects', (f) => ({ method: 'POST', url: `/trials/${f.trialA}/subjects`, body: { siteId: f.siteA, subjectCode: `SUB-${uniq()}` } }), only({ admin: 201, sponsor: 201 })],
  ['GET /trials/{trialId}/subjects/{subjectId}/timepoints', (f) => ({ method: 'GET', url: `/trials/${f.trialA}/subjects/${f.subjectA}/timepoints` }), only({ admin: 200, sponsor: 200, qc: 200 })],
  ['POST /trials/{trialId}/subjects/{subjectId}/timepoints', (f) => ({ method: 'POST', url: `/trials/${f.trialA}/subjects/${f.subjectA}/timepoints`, body: { visitCode: `V${uniq().toUpperCase()}`, visitNum: 2, label: 'Week 8' } }), only({ admin: 201, sponsor: 201 })],
  ['POST /trials/{trialId}/uploads', async (f) => ({ method: 'POST', url: `/trials/${f.trialA}/uploads`, body: { subjectId: f.subjectA, timepointId: await newVisit(f) } }), only({ admin: 201, sponsor: 201 })],
  ['GET /trials/{trialId}/uploads/{uploadId}', async (f) => ({ method: 'GET', url: `/trials/${f.trialA}/uploads/${await newUpload(f, 'sponsor')}` }), only({ admin: 200, sponsor: 200, qc: 200 })],
  ['POST /trials/{trialId}/uploads/{uploadId}/files', async (f, who) => ({ method: 'POST', url: `/trials/${f.trialA}/uploads/${await newUpload(f, who)}/files`, raw: { contentType: 'application/dicom', bytes: new Uint8Array(200).fill(1) } }), only({ admin: 201, sponsor: 201 })],
  ['POST /trials/{trialId}/uploads/{uploadId}/complete', async (f, who) => ({ method: 'POST', url: `/trials/${f.trialA}/uploads/${await newUpload(f, who, true)}/complete` }), only({ admin: 202, sponsor: 202 })],
  ['GET /trials/{trialId}/subjects/{subjectId}/visits', (f) => ({ method: 'GET', url: `/trials/${f.trialA}/subjects/${f.subjectA}/visits` }), only({ admin: 200, sponsor: 200, qc: 200 })],
  ['GET /trials/{trialId}/qc/queue', (f) => ({ method: 'GET', url: `/trials/${f.trialA}/qc/queue` }), only({ admin: 200, qc: 200 })],
  ['POST /trials/{trialId}/timepoints/{timepointId}/qc/decision', async (f) => ({ method: 'POST', url: `/trials/${f.trialA}/timepoints/${await newVisit(f, 'qc_failed')}/qc/decision`, body: { decision: 'release', reason: 'reviewed: slice thickness acceptable per charter note' } }), only({ qc: 200 })],
  ['GET /trials/{trialId}/queries', (f) => ({ method: 'GET', url: `/trials/${f.trialA}/queries` }), only({ admin: 200, sponsor: 200, qc: 200 })],
  ['POST /trials/{trialId}/queries', async (f) => ({ method: 'POST', url: `/trials/${f.trialA}/queries`, body: { timepointId: await newVisit(f), title: 'Missing slices', message: 'Please resend series 3' } }), only({ qc: 201 })],
  ['POST /trials/{trialId}/queries/{queryId}/messages', async (f) => ({ method: 'POST', url: `/trials/${f.trialA}/queries/${await newQuery(f)}/messages`, body: { body: 'Resent today' } }), only({ sponsor: 201, qc: 201 })],
  ['POST /trials/{trialId}/queries/{queryId}/resolve', async (f) => ({ method: 'POST', url: `/trials/${f.trialA}/queries/${await newQuery(f)}/resolve`, body: { reason: 'series received' } }), only({ qc: 200 })],
  ['GET /trials/{trialId}/audit', (f) => ({ method: 'GET', url: `/trials/${f.trialA}/audit?limit=5` }), only({ admin: 200, qc: 200 })],
  ['POST /trials/{trialId}/audit/reviews', (f) => ({ method: 'POST', url: `/trials/${f.trialA}/audit/reviews`, body: { throughSeq: 1 } }), only({ admin: 204, qc: 204 })],
  ['GET /audit/verify', () => ({ method: 'GET', url: '/audit/verify' }), only({ admin: 200 }, 403, 403)],
  // A job started by the platform: its trial's qc and admins see it; other members get 404 like outsiders.
  ['GET /jobs/{jobId}', (f) => ({ method: 'GET', url: `/jobs/${f.jobA}` }), only({ admin: 200, qc: 200 }, 404)],
  // qc sees the job but only its creator or an admin may cancel it; other members do not see it at all.
  ['DELETE /jobs/{jobId}', async (f) => ({ method: 'DELETE', url: `/jobs/${await newJob(f)}` }), only({ admin: 202, qc: 403 }, 404)],
  // Reading (BICR). Readers reach only their own reads, adjudicators only their assigned adjudications; the
  // u-reader / u-adjudicator of trial A own the objects each row creates.
  ['GET /me/tasks', () => ({ method: 'GET', url: '/me/tasks' }), { ...all(200), anonymous: 401 }],
  ['PUT /trials/{trialId}/subjects/{subjectId}/readers', async (f) => {
    const c = await readingCase(f, 'open');
    const subject = await enrollSubject(f.p.ctx, SYSTEM_ACTOR, f.trialA, { siteId: f.siteA, subjectCode: `RA-${uniq()}` });
    return { method: 'PUT', url: `/trials/${f.trialA}/subjects/${subject.id}/readers`, body: { readerIds: [await userId(f, 'u-reader'), c.reader2] } };
  }, only({ admin: 200, qc: 200 })],
  ['GET /trials/{trialId}/subjects/{subjectId}/final-assessment', (f) => ({ method: 'GET', url: `/trials/${f.trialA}/subjects/${f.subjectA}/final-assessment` }), only({ admin: 200, qc: 200, biostatistician: 200 })],
  ['GET /trials/{trialId}/reads/{readId}', async (f) => ({ method: 'GET', url: `/trials/${f.trialA}/reads/${(await readingCase(f, 'open')).readId}` }), only({ admin: 200, qc: 200, reader: 200 })],
  ['PUT /trials/{trialId}/reads/{readId}/draft', async (f) => ({ method: 'PUT', url: `/trials/${f.trialA}/reads/${(await readingCase(f, 'open')).readId}/draft`, body: baseline([['T1', 'liver', 30]]) }), only({ reader: 200 })],
  ['POST /trials/{trialId}/reads/{readId}/sign', async (f) => ({ method: 'POST', url: `/trials/${f.trialA}/reads/${(await readingCase(f, 'draft')).readId}/sign`, body: { password: TEST_PASSWORD } }), only({ reader: 200 })],
  ['POST /trials/{trialId}/reads/{readId}/corrections', async (f) => ({
    method: 'POST',
    url: `/trials/${f.trialA}/reads/${(await readingCase(f, 'signed')).readId}/corrections`,
    body: { reason: 'T1 re-measured on the thinner series', content: baseline([['T1', 'liver', 41]]), password: TEST_PASSWORD },
  }), only({ reader: 200 })],
  ['GET /trials/{trialId}/adjudications/{adjudicationId}', async (f) => ({ method: 'GET', url: `/trials/${f.trialA}/adjudications/${(await readingCase(f, 'adjudication')).adjudicationId}` }), only({ admin: 200, qc: 200, adjudicator: 200 })],
  ['POST /trials/{trialId}/adjudications/{adjudicationId}/decision', async (f) => ({
    method: 'POST',
    url: `/trials/${f.trialA}/adjudications/${(await readingCase(f, 'adjudication')).adjudicationId}/decision`,
    body: { chosenReaderNo: 2, rationale: 'reader 2 measured the lesion on the right series', cause: 'measurement', password: TEST_PASSWORD },
  }), only({ adjudicator: 200 })],
  ['PUT /trials/{trialId}/adjudications/{adjudicationId}/assignee', async (f) => ({
    method: 'PUT',
    url: `/trials/${f.trialA}/adjudications/${(await readingCase(f, 'adjudication')).adjudicationId}/assignee`,
    body: { userId: await userId(f, 'u-adjudicator') },
  }), only({ admin: 200, qc: 200 })],
  // Images: qc and admins see every series; u-reader and u-adjudicator see this subject's baseline because they
  // hold its (signed) read and its adjudication; the sponsor and the biostatistician never see images.
  ['GET /trials/{trialId}/timepoints/{timepointId}/series', async (f) => ({ method: 'GET', url: `/trials/${f.trialA}/timepoints/${(await imagingCase(f)).timepointId}/series` }), only({ admin: 200, qc: 200, reader: 200, adjudicator: 200 })],
  ['GET /trials/{trialId}/series/{seriesId}/slices/{k}', async (f) => ({ method: 'GET', url: `/trials/${f.trialA}/series/${(await imagingCase(f)).seriesId}/slices/1?format=png` }), only({ admin: 200, qc: 200, reader: 200, adjudicator: 200 })],
  ['GET /trials/{trialId}/series/{seriesId}/volume', async (f) => ({ method: 'GET', url: `/trials/${f.trialA}/series/${(await imagingCase(f)).seriesId}/volume` }), only({ admin: 200, qc: 200, reader: 200, adjudicator: 200 })],
  ['GET /trials/{trialId}/instances/{instanceId}/ledger', async (f) => ({ method: 'GET', url: `/trials/${f.trialA}/instances/${await ingestedInstance(f)}/ledger` }), only({ admin: 200, qc: 200 })],
  // STOW-RS: a bare application/dicom body is not a STOW-RS request, so an authorised caller gets 415 from the
  // handler (after the policy), without an ingest job; the full exchange is in ingest-stow.test.ts.
  ['POST /dicomweb/trials/{trialId}/studies', (f) => ({ method: 'POST', url: `/dicomweb/trials/${f.trialA}/studies`, raw: { contentType: 'application/dicom', bytes: new Uint8Array(200).fill(1) } }), only({ admin: 415, sponsor: 415 })],
  // AI segmentation. The model list is for everyone signed in. A segmentation is its requester's (u-reader here):
  // core-lab staff see it too, the adjudicator (who sees the series) does not; a queued one cannot be followed or
  // drawn yet (409 for those who may see it). Biostatisticians see thumbnails of signed reads' AI sources only.
  ['GET /segmentation-models', () => ({ method: 'GET', url: '/segmentation-models' }), { ...all(200), anonymous: 401 }],
  ['POST /trials/{trialId}/series/{seriesId}/segmentations', async (f) => ({ method: 'POST', url: `/trials/${f.trialA}/series/${(await imagingCase(f)).seriesId}/segmentations`, body: { prompt: { kind: 'point', pointMm: [0, 0, 2.5] } } }), only({ admin: 202, qc: 202, reader: 202, adjudicator: 202 })],
  ['GET /trials/{trialId}/series/{seriesId}/segmentations', async (f) => ({ method: 'GET', url: `/trials/${f.trialA}/series/${(await imagingCase(f)).seriesId}/segmentations` }), only({ admin: 200, qc: 200, reader: 200, adjudicator: 200 })],
  ['GET /trials/{trialId}/segmentations/{segmentationId}', async (f) => ({ method: 'GET', url: `/trials/${f.trialA}/segmentations/${await readerSegmentation(f)}` }), only({ admin: 200, qc: 200, reader: 200, adjudicator: 404 })],
  ['POST /trials/{trialId}/segmentations/{segmentationId}/propagations', async (f) => ({ method: 'POST', url: `/trials/${f.trialA}/segmentations/${await readerSegmentation(f)}/propagations`, body: { seriesId: (await imagingCase(f)).seriesId } }), only({ admin: 409, qc: 409, reader: 409, adjudicator: 404 })],
  ['GET /trials/{trialId}/segmentations/{segmentationId}/thumbnail.png', async (f) => ({ method: 'GET', url: `/trials/${f.trialA}/segmentations/${await readerSegmentation(f)}/thumbnail.png` }), only({ admin: 409, qc: 409, reader: 409, adjudicator: 404, biostatistician: 404 })],
  ['GET /trials/{trialId}/reader-stats', (f) => ({ method: 'GET', url: `/trials/${f.trialA}/reader-stats` }), only({ admin: 200, qc: 200 })],
  // Exports and read reports are unblinded: biostatisticians and admins (read reports also qc); never readers.
  ['POST /trials/{trialId}/exports', (f) => ({ method: 'POST', url: `/trials/${f.trialA}/exports`, body: { cutoff: '2024-12-31' } }), only({ admin: 202, biostatistician: 202 })],
  ['GET /trials/{trialId}/exports', (f) => ({ method: 'GET', url: `/trials/${f.trialA}/exports` }), only({ admin: 200, biostatistician: 200 })],
  ['GET /trials/{trialId}/exports/{exportId}', async (f) => ({ method: 'GET', url: `/trials/${f.trialA}/exports/${await newExport(f)}` }), only({ admin: 200, biostatistician: 200 })],
  // A queued export is not downloadable yet: the callers allowed get 409, everyone else is refused before that.
  ['GET /trials/{trialId}/exports/{exportId}/files/{name}', async (f) => ({ method: 'GET', url: `/trials/${f.trialA}/exports/${await newExport(f)}/files/tu.xpt` }), only({ admin: 409, biostatistician: 409 })],
  ['GET /trials/{trialId}/subjects/{subjectId}/read-report.pdf', (f) => ({ method: 'GET', url: `/trials/${f.trialA}/subjects/${f.subjectA}/read-report.pdf` }), only({ admin: 200, qc: 200, biostatistician: 200 })],
];

async function newExport(f: Fixture): Promise<string> {
  return (await requestExport(f.p.ctx, { userId: f.userIds.biostatistician!, name: 'biostatistician', role: 'biostatistician' }, f.trialA, { cutoff: '2024-12-31' })).export.id;
}

async function newVisit(f: Fixture, state?: string): Promise<string> {
  const id = (await createTimepoint(f.p.ctx, SYSTEM_ACTOR, f.trialA, f.subjectA, { visitCode: `V${uniq().toUpperCase()}`, visitNum: 3, label: 'Week 16' })).id;
  if (state) await f.p.ctx.db.updateTable('timepoints').set({ state }).where('id', '=', id).execute();
  return id;
}

async function newQuery(f: Fixture): Promise<string> {
  return (await raiseQuery(f.p.ctx, SYSTEM_ACTOR, f.trialA, { timepointId: await newVisit(f), title: 'Query', message: 'Please check' })).id;
}

/** An upload opened by `who` (or by the sponsor when `who` may not open one), optionally with one staged file. */
async function newUpload(f: Fixture, who: Who, withFile = false): Promise<string> {
  const owner = who === 'admin' || who === 'sponsor' ? who : 'sponsor';
  const actor = { userId: f.userIds[owner]!, name: owner, role: owner };
  const upload = await createUpload(f.p.ctx, actor, f.trialA, { subjectId: f.subjectA, timepointId: await newVisit(f) }, null);
  if (withFile) {
    const body = new Response(new Uint8Array(300).fill(2)).body;
    await addUploadFiles(f.p.ctx, actor, f.trialA, upload.id, body, 'application/dicom');
  }
  return upload.id;
}

async function userId(f: Fixture, username: string): Promise<string> {
  return (await f.p.ctx.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;
}

/** A subject of trial A read by u-reader (reader 1) and a second reader, at a stage of reading. */
async function readingCase(f: Fixture, stage: ReadingStage) {
  const second = await seedUser(f.p, `r2-${uniq()}`, { verified: true });
  await grant(f.p, f.trialA, second.id, 'reader');
  const c = await seedReadingCase(f.p, { trialId: f.trialA, siteId: f.siteA, approverId: await userId(f, 'u-admin'), reader1: await userId(f, 'u-reader'), reader2: second.id, stage });
  return { ...c, reader2: second.id };
}

/** One subject of trial A with images on its baseline, read (signed) by u-reader and adjudicated by u-adjudicator. */
let imaging: Promise<{ timepointId: string; seriesId: string }> | undefined;
function imagingCase(f: Fixture) {
  imaging ??= (async () => {
    const c = await readingCase(f, 'adjudication');
    const planted = await plantSeries(f.p, { trialId: f.trialA, subjectId: c.subjectId, timepointId: c.timepointIds[0], createdBy: f.userIds.admin!, label: `matrix-${uniq()}` });
    return { timepointId: c.timepointIds[0], seriesId: planted.seriesId };
  })();
  return imaging;
}

/** A segmentation u-reader requested on the imaging case's baseline series (queued: no runner in this file). */
let segmentationOfReader: Promise<string> | undefined;
function readerSegmentation(f: Fixture): Promise<string> {
  segmentationOfReader ??= (async () => {
    const { seriesId } = await imagingCase(f);
    const userId = f.userIds.reader!;
    const seg = await requestSegmentation(f.p.ctx, { userId, name: 'reader', role: 'reader' }, { userId, isAdmin: false, trialRoles: ['reader'] }, f.trialA, seriesId, { prompt: { kind: 'point', pointMm: [0, 0, 2.5] } });
    return seg.id;
  })();
  return segmentationOfReader;
}

/** An instance of trial A with its de-identification ledger entry. */
async function ingestedInstance(f: Fixture): Promise<string> {
  const { seriesId } = await imagingCase(f);
  const inst = await f.p.ctx.db.selectFrom('instances').select('id').where('series_id', '=', seriesId).executeTakeFirstOrThrow();
  const existing = await f.p.ctx.db.selectFrom('deid_ledger').select('id').where('instance_id', '=', inst.id).executeTakeFirst();
  if (!existing) {
    await f.p.ctx.db.insertInto('deid_ledger').values({ id: randomUUID(), trial_id: f.trialA, instance_id: inst.id, source_uid_digest: 'a'.repeat(64), new_uids_json: '{}', sha256_before: 'b'.repeat(64), sha256_after: 'c'.repeat(64), profile_version: 'test', options_json: '{}', actions_json: '[]', created_at: new Date().toISOString() }).execute();
  }
  return inst.id;
}

async function newJob(f: Fixture): Promise<string> {
  return inTransaction(f.p.ctx, SYSTEM_ACTOR, async (trx, _a, now) =>
    (await enqueueJob(trx, f.p.ctx, { type: 'integrity.verify-blob', trialId: f.trialA, payload: { sha256: '0'.repeat(64) } }, now)).id,
  );
}

describe(`authorization matrix (${DIALECT})`, () => {
  let f: Fixture;

  beforeAll(async () => {
    const p = await createTestPlatform();
    const a = await seedTrial(p, 'ONC-A');
    const b = await seedTrial(p, 'ONC-B');
    const tokens: Fixture['tokens'] = {};
    const userIds: Fixture['userIds'] = {};
    for (const who of ROLES) {
      if (who === 'anonymous') continue;
      const u = await seedUser(p, `u-${who}`, { admin: who === 'admin', verified: true });
      if (who === 'outsider') await grant(p, b.trial.id, u.id, 'sponsor');
      else if (who !== 'admin') await grant(p, a.trial.id, u.id, who);
      tokens[who] = await p.login(`u-${who}`);
      userIds[who] = u.id;
    }
    const subject = await enrollSubject(p.ctx, SYSTEM_ACTOR, a.trial.id, { siteId: a.siteId, subjectCode: 'SUB-0001' });
    f = { p, trialA: a.trial.id, trialB: b.trial.id, siteA: a.siteId, subjectA: subject.id, tokens, userIds, jobA: '' };
    f.jobA = await newJob(f);
  });
  afterAll(async () => f?.p.dispose());

  it('has a row for every operation in openapi.yaml, and no row for an operation it lacks', () => {
    const spec = [...f.p.registry.contract.operations.values()].map((o) => `${o.method.toUpperCase()} ${o.path}`).sort();
    expect(MATRIX.map(([k]) => k).sort()).toEqual(spec);
  });

  for (const [route, build, expected] of MATRIX) {
    it.each(ROLES)(`${route} as %s`, async (who) => {
      const call = await build(f, who);
      const token = who === 'anonymous' ? undefined : call.freshToken ? await f.p.login(`u-${who}`) : f.tokens[who];
      const res = call.raw
        ? await f.p.app.request(call.url, { method: call.method, headers: { 'content-type': call.raw.contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: call.raw.bytes })
        : await f.p.request(call.method, call.url, { token, body: call.body });
      const text = await res.text();
      expect(res.status, `${route} as ${who}: ${text}`).toBe(expected[who]);
      if (res.status >= 400) expect(res.headers.get('content-type')).toBe('application/problem+json');
    });
  }

  it('every trial member gets 404 (not 403) on another trial, so its existence does not leak', async () => {
    const trialRoutes = MATRIX.filter(([k]) => k.includes('{trialId}'));
    for (const who of ['sponsor', 'qc', 'reader', 'adjudicator', 'biostatistician'] as const) {
      for (const [route, build] of trialRoutes) {
        const call = await build(f, who);
        const url = call.url.replace(f.trialA, f.trialB);
        const res = call.raw
          ? await f.p.app.request(url, { method: call.method, headers: { 'content-type': call.raw.contentType, authorization: `Bearer ${f.tokens[who]}` }, body: call.raw.bytes })
          : await f.p.request(call.method, url, { token: f.tokens[who], body: call.body });
        expect(res.status, `${route} on trial B as ${who}`).toBe(404);
      }
    }
    // A trial that does not exist answers exactly like one the caller cannot see.
    const missing = await f.p.request('GET', `/trials/${randomUUID()}`, { token: f.tokens.reader });
    const hidden = await f.p.request('GET', `/trials/${f.trialB}`, { token: f.tokens.reader });
    expect(missing.status).toBe(hidden.status);
    expect((await missing.json()).title).toBe((await hidden.json()).title);
  });

  it('a subject of trial B cannot be reached through trial A (authorised through the parent chain)', async () => {
    const b = await enrollSubject(f.p.ctx, SYSTEM_ACTOR, f.trialB, { siteId: (await f.p.ctx.db.selectFrom('sites').select('id').where('trial_id', '=', f.trialB).executeTakeFirstOrThrow()).id, subjectCode: 'SUB-B1' });
    const res = await f.p.request('GET', `/trials/${f.trialA}/subjects/${b.id}/timepoints`, { token: f.tokens.sponsor });
    expect(res.status).toBe(404);
  });
});
