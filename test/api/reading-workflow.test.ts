// @req BL-06 BL-07 P11-SIG-01 P11-SIG-02 P11-ID-01 P11-ID-02 P11-AT-01 P11-VAL-02 BL-08: a subject from upload to
// adjudicated final assessment with two readers, an adjudicator and every signature; then the audit chain and
// each signature against its record. Each visit is uploaded by the sponsor through the API, ingested in the pool,
// passes image QC and is released for reading, which creates the reading tasks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSignature, findSignatures } from '../../src/audit/e-signature.js';
import { readSignedContent } from '../../src/services/reading/reading-records.js';
import { uploadVisitThroughApi } from '../helpers/ingest-fixture.js';
import { AI_SOURCE, type ReadingTrial, STANDARD_VISITS, addSubject, baseline, followup, readIdOf, releaseTimepoint, setupReadingTrial } from '../helpers/reading-fixture.js';
import { DIALECT, TEST_PASSWORD, type TestPlatform, createTestPlatform, grant, seedUser } from '../helpers/test-platform.js';

describe(`reading: end to end (${DIALECT})`, () => {
  let p: TestPlatform;
  let t: ReadingTrial;
  let subjectId: string;
  let tps: string[];
  const call = (token: string, method: string, url: string, body?: unknown) => p.request(method, url, { token, body });

  let sponsorToken: string;
  beforeAll(async () => {
    p = await createTestPlatform({ runJobs: true });
    t = await setupReadingTrial(p, { code: 'BICR-E2E' });
    ({ subjectId, timepointIds: tps } = await addSubject(p, t, 'E2E-001'));
    const sponsor = await seedUser(p, 'sponsor-e2e');
    await grant(p, t.trialId, sponsor.id, 'sponsor');
    sponsorToken = await p.login('sponsor-e2e');
  });

  /** The sponsor uploads the visit's CT; ingest and QC release it for reading (no test shortcut). */
  async function uploadVisit(index: number): Promise<void> {
    const v = STANDARD_VISITS[index];
    const { outcome } = await uploadVisitThroughApi(p, { trialId: t.trialId, subjectId, timepointId: tps[index], token: sponsorToken, studyDate: v.acquiredOn.replace(/-/g, ''), label: v.visitCode });
    expect(outcome.every((o) => o.outcome === 'ingested')).toBe(true);
    const tp = await p.ctx.db.selectFrom('timepoints').select('state').where('id', '=', tps[index]).executeTakeFirstOrThrow();
    expect(tp.state).toBe('released');
  }
  afterAll(async () => p?.dispose());

  const tokenOf = (userId: string) => t.tokens[userId];
  const readerUser = async (no: 1 | 2) => (await p.ctx.db.selectFrom('reader_assignments').select('user_id').where('subject_id', '=', subjectId).where('reader_no', '=', no).executeTakeFirstOrThrow()).user_id;

  async function readAndSign(no: 1 | 2, tp: number, content: unknown) {
    const token = tokenOf(await readerUser(no));
    const tasks = await (await call(token, 'GET', '/me/tasks')).json();
    const task = tasks.find((x: any) => x.kind === 'read' && x.timepoint.id === tps[tp]);
    expect(task, `reader ${no} has a task for timepoint ${tp}`).toBeDefined();
    expect(task.state).toBe('open');
    const url = `/trials/${t.trialId}/reads/${task.id}`;
    const saved = await call(token, 'PUT', `${url}/draft`, content);
    expect(saved.status, await saved.clone().text()).toBe(200);
    const draft = await saved.json();
    expect(draft.live.problems).toEqual([]);
    const signed = await call(token, 'POST', `${url}/sign`, { password: TEST_PASSWORD });
    expect(signed.status, await signed.clone().text()).toBe(200);
    return { read: await signed.json(), url, token };
  }

  it('creates both readers\' baseline tasks at release; the live response is computed; signing needs the password again', async () => {
    await uploadVisit(0);
    const r1 = await readerUser(1);
    const r2 = await readerUser(2);
    expect(r1).not.toBe(r2);
    expect([r1, r2].sort()).toEqual(t.readers.map((u) => u.id).sort());

    const token = tokenOf(r1);
    const [task] = await (await call(token, 'GET', '/me/tasks')).json();
    expect(task).toMatchObject({ kind: 'read', state: 'open', timepoint: { label: 'BASELINE' }, dueOn: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) });
    const url = `/trials/${t.trialId}/reads/${task.id}`;
    const content = baseline([['T1', 'liver', 32], ['T2', 'lung', 20]], [['NT1', 'bone']]);
    content.targets[0].measurement = { finalMm: 32, aiProposalMm: 32, aiSource: AI_SOURCE, decision: 'accepted' };
    content.targets[1].measurement = { finalMm: 20, aiProposalMm: 23.5, aiSource: AI_SOURCE, decision: 'edited' };
    const draft = await (await call(token, 'PUT', `${url}/draft`, content)).json();
    expect(draft.state).toBe('draft');
    expect(draft.live.evaluation.baseline).toEqual({ valid: true, sumMm: 52, violations: [] });
    expect(draft.versions[0].content.targets[1].measurement).toEqual({ finalMm: 20, aiProposalMm: 23.5, aiSource: AI_SOURCE, decision: 'edited' });

    // §11.200: no password, a wrong password: no signature.
    expect((await call(token, 'POST', `${url}/sign`, {})).status).toBe(400);
    expect((await call(token, 'POST', `${url}/sign`, { password: 'wrong-password-1' })).status).toBe(401);
    const signed = await call(token, 'POST', `${url}/sign`, { password: TEST_PASSWORD });
    expect(signed.status).toBe(200);
    const read = await signed.json();
    expect(read.state).toBe('signed');
    expect(read.versions[0]).toMatchObject({ version: 1, state: 'signed', signature: { meaning: 'authored', authentic: true, matchesRecord: true } });
    // §11.50: printed name, UTC time and meaning.
    expect(read.versions[0].signature.manifestation).toMatch(/^.+ \(test\), \d{4}-\d\d-\d\dT[\d:.]+Z \(UTC\), authored$/);
    expect((await call(token, 'POST', `${url}/sign`, { password: TEST_PASSWORD })).status).toBe(409);

    await readAndSign(2, 0, baseline([['A', 'liver', 30], ['B', 'lung', 25]], [['N1', 'bone']]));
  });

  it('reads follow-ups in order, opens an adjudication on discordance, and the adjudicator decides and signs', async () => {
    await uploadVisit(1);
    await uploadVisit(2);
    // TP1: reader 1 sees a partial response, reader 2 stable disease.
    await readAndSign(1, 1, followup([['T1', 18], ['T2', 12]], [['NT1', 'present']]));
    expect(await p.ctx.db.selectFrom('adjudications').selectAll().execute()).toHaveLength(0); // reader 2 has not signed TP1
    await readAndSign(2, 1, followup([['A', 26], ['B', 20]], [['N1', 'present']]));

    const adjToken = tokenOf(t.adjudicators[0].id);
    const [task] = await (await call(adjToken, 'GET', '/me/tasks')).json();
    expect(task).toMatchObject({ kind: 'adjudication', state: 'open', timepoint: { label: 'TP1' } });
    const url = `/trials/${t.trialId}/adjudications/${task.id}`;
    const adj = await (await call(adjToken, 'GET', url)).json();
    expect(adj.triggers).toEqual([{ trigger: 'best_overall_response_differs', reader1: 'PR', reader2: 'SD' }]);
    expect(adj.reads.reader1.map((r: any) => r.timepoint.label)).toEqual(['BASELINE', 'TP1']);
    expect(adj.reads.reader2[1].content.targets.map((x: any) => x.id)).toEqual(['A', 'B']);
    expect(adj.reads.reader1[1].signature).toMatchObject({ authentic: true, matchesRecord: true });

    const noRationale = await call(adjToken, 'POST', `${url}/decision`, { chosenReaderNo: 1, cause: 'measurement', password: TEST_PASSWORD });
    expect(noRationale.status).toBe(422);
    const decided = await call(adjToken, 'POST', `${url}/decision`, { chosenReaderNo: 1, rationale: 'T2 measured on the wrong series by reader 2', cause: 'measurement', password: TEST_PASSWORD });
    expect(decided.status, await decided.clone().text()).toBe(200);
    const done = await decided.json();
    expect(done).toMatchObject({ state: 'completed', decision: { chosenReaderNo: 1, cause: 'measurement', signature: { meaning: 'adjudicated', authentic: true, matchesRecord: true } } });
    expect((await call(adjToken, 'POST', `${url}/decision`, { chosenReaderNo: 2, rationale: 'again', cause: 'other', password: TEST_PASSWORD })).status).toBe(409);

    // TP2: both progress on the same date; BOR still differs (PR vs SD), so the subject is adjudicated through TP2.
    await readAndSign(1, 2, followup([['T1', 20], ['T2', 14]], [['NT1', 'present']], { newLesions: [{ id: 'N1', organ: 'liver', nodal: false, irecistType: 'NLT', status: 'present', measurement: { finalMm: 11, decision: 'manual' } }] }));
    await readAndSign(2, 2, followup([['A', 36], ['B', 24]], [['N1', 'present']]));
    const [task2] = await (await call(adjToken, 'GET', '/me/tasks')).json();
    expect(task2).toMatchObject({ kind: 'adjudication', timepoint: { label: 'TP2' } });
    const adj2 = await (await call(adjToken, 'GET', `/trials/${t.trialId}/adjudications/${task2.id}`)).json();
    expect(adj2.triggers.map((x: any) => x.trigger)).toEqual(['best_overall_response_differs']);
    const d2 = await call(adjToken, 'POST', `/trials/${t.trialId}/adjudications/${task2.id}/decision`, { chosenReaderNo: 1, rationale: 'reader 1 response at TP1 confirmed', cause: 'measurement', password: TEST_PASSWORD });
    expect(d2.status).toBe(200);
  });

  it('gives the final assessment per timepoint and says it was adjudicated, and whose read it is', async () => {
    const admin = t.tokens[t.admin.id];
    const res = await call(admin, 'GET', `/trials/${t.trialId}/subjects/${subjectId}/final-assessment`);
    expect(res.status).toBe(200);
    const final = await res.json();
    expect(final.timepoints.map((x: any) => [x.timepoint.blindedLabel, x.source, x.readerNo])).toEqual([
      ['BASELINE', 'adjudicated', 1],
      ['TP1', 'adjudicated', 1],
      ['TP2', 'adjudicated', 1],
    ]);
    const tp1 = final.timepoints[1].responses.find((r: any) => r.criteria === 'RECIST1.1');
    expect(tp1).toMatchObject({ engine: 'PR', effective: 'PR' });
    expect(final.timepoints[2].responses.find((r: any) => r.criteria === 'RECIST1.1').effective).toBe('PD');
  });

  it('reports reader performance to core-lab staff only', async () => {
    const stats = await (await call(t.tokens[t.admin.id], 'GET', `/trials/${t.trialId}/reader-stats`)).json();
    expect(stats.trial).toMatchObject({ subjectsCompared: 1, subjectsAdjudicated: 1, adjudicationRate: 1, chosen: { reader1: 2, reader2: 0 } });
    expect(stats.trial.discordanceCauses.measurement).toBe(2);
    expect(stats.trial.timepointAgreement).toMatchObject({ n: 2, observed: 0.5 });
    const byId = Object.fromEntries(stats.readers.map((r: any) => [r.readerId, r]));
    const reader1 = byId[await readerUser(1)];
    const reader2 = byId[await readerUser(2)];
    expect(reader1).toMatchObject({ chosen: 2, notChosen: 0, disagreementIndex: 0 });
    expect(reader2).toMatchObject({ chosen: 0, notChosen: 2, disagreementIndex: 1 });
    expect(reader1.aiAssist).toMatchObject({ proposals: 2, accepted: 1, edited: 1, acceptanceRate: 0.5, meanEditMm: 3.5 });
    for (const u of [...t.readers, ...t.adjudicators]) {
      expect((await call(t.tokens[u.id], 'GET', `/trials/${t.trialId}/reader-stats`)).status).toBe(403);
    }
  });

  it('keeps an intact audit chain with every step, and each signature still matches its record', async () => {
    const verify = await (await call(t.tokens[t.admin.id], 'GET', '/audit/verify')).json();
    expect(verify.ok).toBe(true);
    const actions = (await p.ctx.db.selectFrom('audit_events').select('action').where('trial_id', '=', t.trialId).execute()).map((e) => e.action);
    for (const a of ['reading.readers_assign', 'read.create', 'read.draft_save', 'read.sign', 'read.open', 'adjudication.open', 'adjudication.decide', 'signature.create']) {
      expect(actions, a).toContain(a);
    }
    const sigs = await p.ctx.db.selectFrom('signatures').selectAll().where('trial_id', '=', t.trialId).execute();
    expect(sigs.filter((s) => s.entity_type === 'read')).toHaveLength(6);
    expect(sigs.filter((s) => s.entity_type === 'adjudication')).toHaveLength(2);
    for (const s of sigs.filter((x) => x.entity_type === 'read')) {
      const read = await p.ctx.db.selectFrom('reads').selectAll().where('id', '=', s.entity_id).executeTakeFirstOrThrow();
      const v = await p.ctx.db.selectFrom('read_versions').selectAll().where('read_id', '=', read.id).where('version', '=', Number(s.record_version)).executeTakeFirstOrThrow();
      expect(checkSignature(p.config.secretKey, s, readSignedContent(read, v))).toMatchObject({ authentic: true, matchesRecord: true });
    }
    const charter = await (await call(t.tokens[t.admin.id], 'GET', `/trials/${t.trialId}/signatures`)).json();
    expect(charter).toEqual([expect.objectContaining({ authentic: true, matchesRecord: true, signature: expect.objectContaining({ meaning: 'approved' }) })]);
    for (const s of sigs.filter((x) => x.entity_type === 'adjudication')) {
      const adj = await (await call(t.tokens[t.adjudicators[0].id], 'GET', `/trials/${t.trialId}/adjudications/${s.entity_id}`)).json();
      expect(adj.decision.signature).toMatchObject({ authentic: true, matchesRecord: true, contentSha256: s.content_sha256 });
    }
    // P11-SIG-02: an edit to the signed record behind the platform's back no longer matches its signature.
    const read = await readIdOf(p, tps[1], 1);
    await p.ctx.db.updateTable('read_versions').set({ content_json: JSON.stringify(followup([['T1', 10], ['T2', 12]], [['NT1', 'present']])) }).where('read_id', '=', read).execute();
    const view = await (await call(t.tokens[t.admin.id], 'GET', `/trials/${t.trialId}/reads/${read}`)).json();
    expect(view.versions[0].signature).toMatchObject({ authentic: true, matchesRecord: false });
    const [row] = await findSignatures(p.ctx.db, 'read', read);
    expect(row.signer_name).toMatch(/\(test\)$/);
  });
});

describe(`reading: other charters (${DIALECT})`, () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await createTestPlatform();
  });
  afterAll(async () => p?.dispose());

  async function readAndSign(t: ReadingTrial, tp: string, no: 1 | 2, content: unknown) {
    const id = await readIdOf(p, tp, no);
    const reader = (await p.ctx.db.selectFrom('reads').select('reader_id').where('id', '=', id).executeTakeFirstOrThrow()).reader_id;
    expect((await p.request('PUT', `/trials/${t.trialId}/reads/${id}/draft`, { token: t.tokens[reader], body: content })).status).toBe(200);
    const res = await p.request('POST', `/trials/${t.trialId}/reads/${id}/sign`, { token: t.tokens[reader], body: { password: TEST_PASSWORD } });
    expect(res.status, await res.clone().text()).toBe(200);
  }
  const finalOf = async (t: ReadingTrial, subjectId: string) =>
    (await (await p.request('GET', `/trials/${t.trialId}/subjects/${subjectId}/final-assessment`, { token: t.tokens[t.admin.id] })).json()).timepoints.map(
      (x: any) => `${x.timepoint.blindedLabel}:${x.source}:${x.readerNo}`,
    );

  it('timepoint-scoped adjudication on any differing timepoint response decides that timepoint only', async () => {
    const t = await setupReadingTrial(p, {
      code: 'BICR-TPSCOPE',
      reading: (r) => (r.adjudication = { ...r.adjudication, scope: 'timepoint', triggers: ['timepoint_response_differs'] }),
    });
    const { subjectId, timepointIds: tps } = await addSubject(p, t, 'TPS-001');
    for (const tp of tps) await releaseTimepoint(p, tp);
    await readAndSign(t, tps[0], 1, baseline([['T1', 'liver', 40]]));
    await readAndSign(t, tps[0], 2, baseline([['T1', 'liver', 40]]));
    await readAndSign(t, tps[1], 1, followup([['T1', 20]])); // PR
    await readAndSign(t, tps[1], 2, followup([['T1', 38]])); // SD
    const adj = await p.ctx.db.selectFrom('adjudications').selectAll().where('subject_id', '=', subjectId).executeTakeFirstOrThrow();
    expect(JSON.parse(adj.triggers_json)).toEqual([{ trigger: 'timepoint_response_differs', label: 'TP1', reader1: 'PR', reader2: 'SD' }]);
    const adjToken = t.tokens[adj.assignee_id!];
    const d = await p.request('POST', `/trials/${t.trialId}/adjudications/${adj.id}/decision`, { token: adjToken, body: { chosenReaderNo: 2, rationale: 'T1 is a cyst on the portal phase', cause: 'target_selection', password: TEST_PASSWORD } });
    expect(d.status).toBe(200);
    await readAndSign(t, tps[2], 1, followup([['T1', 60]])); // PD
    await readAndSign(t, tps[2], 2, followup([['T1', 60]])); // PD: TP1 still differs, but it is adjudicated already
    expect(await p.ctx.db.selectFrom('adjudications').select('id').where('subject_id', '=', subjectId).execute()).toHaveLength(1);
    expect(await finalOf(t, subjectId)).toEqual(['BASELINE:concordant:1', 'TP1:adjudicated:2', 'TP2:concordant:1']);
  });

  it('a one-reader charter creates one read per timepoint and its signed read is final', async () => {
    const t = await setupReadingTrial(p, { code: 'BICR-ONE', readers: 1, reading: (r) => (r.readers = 1) });
    const { subjectId, timepointIds: tps } = await addSubject(p, t, 'ONE-001');
    await releaseTimepoint(p, tps[0]);
    expect(await p.ctx.db.selectFrom('reads').select('reader_no').where('subject_id', '=', subjectId).execute()).toEqual([{ reader_no: 1 }]);
    await readAndSign(t, tps[0], 1, baseline([['T1', 'liver', 40]]));
    expect(await finalOf(t, subjectId)).toEqual(['BASELINE:concordant:1']);
  });
});
