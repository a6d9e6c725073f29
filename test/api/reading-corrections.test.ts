// @req P11-AT-02 P11-SIG-02 P11-AT-01 BL-06 BL-07: a signed read is corrected only with a reason, as a new version
// signed anew, the old version kept readable with its own signature; a disagreement with the response engine
// needs a stored reason; a correction of a compared read supersedes its adjudication and re-evaluates it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ReadingTrial, addSubject, baseline, followup, readIdOf, releaseTimepoint, setupReadingTrial } from '../helpers/reading-fixture.js';
import { DIALECT, TEST_PASSWORD, type TestPlatform, createTestPlatform } from '../helpers/test-platform.js';

describe(`reading: corrections and overrides (${DIALECT})`, () => {
  let p: TestPlatform;
  let t: ReadingTrial;
  let subjectId: string;
  let tps: string[];
  let tok: [string, string];
  beforeEach(async () => {
    p = await createTestPlatform();
    t = await setupReadingTrial(p, { code: 'CORR-1' });
    ({ subjectId, timepointIds: tps } = await addSubject(p, t, 'CORR-001'));
    await releaseTimepoint(p, tps[0]);
    const users = await p.ctx.db.selectFrom('reader_assignments').select(['user_id', 'reader_no']).where('subject_id', '=', subjectId).orderBy('reader_no').execute();
    tok = [t.tokens[users[0].user_id], t.tokens[users[1].user_id]];
  });
  afterEach(async () => p?.dispose());

  const url = (readId: string, suffix = '') => `/trials/${t.trialId}/reads/${readId}${suffix}`;
  async function signed(no: 1 | 2, tp: number, content: unknown) {
    const id = await readIdOf(p, tps[tp], no);
    expect((await p.request('PUT', url(id, '/draft'), { token: tok[no - 1], body: content })).status).toBe(200);
    const res = await p.request('POST', url(id, '/sign'), { token: tok[no - 1], body: { password: TEST_PASSWORD } });
    expect(res.status, await res.clone().text()).toBe(200);
    return id;
  }

  it('needs a reason and a new signature; keeps the old version readable and audits before, after and why', async () => {
    const id = await signed(1, 0, baseline([['T1', 'liver', 32]]));
    const next = baseline([['T1', 'liver', 35]]);
    for (const body of [{ content: next, password: TEST_PASSWORD }, { reason: '   ', content: next, password: TEST_PASSWORD }]) {
      const r = await p.request('POST', url(id, '/corrections'), { token: tok[0], body });
      expect(r.status).toBe(422);
      expect((await r.json()).type).toMatch(/reason-required/);
    }
    expect((await p.request('POST', url(id, '/corrections'), { token: tok[0], body: { reason: 'x', content: next } })).status).toBe(400);
    expect((await p.request('POST', url(id, '/corrections'), { token: tok[0], body: { reason: 'x', content: next, password: 'not-my-password' } })).status).toBe(401);
    const res = await p.request('POST', url(id, '/corrections'), { token: tok[0], body: { reason: 'T1 measured on the 1 mm reconstruction', content: next, password: TEST_PASSWORD } });
    expect(res.status).toBe(200);
    const read = await res.json();
    expect(read.currentVersion).toBe(2);
    expect(read.versions.map((v: any) => [v.version, v.state, v.content.targets[0].measurement.finalMm, v.reason])).toEqual([
      [1, 'superseded', 32, null],
      [2, 'signed', 35, 'T1 measured on the 1 mm reconstruction'],
    ]);
    // Each version keeps its own signature, which still matches the version it signed.
    for (const v of read.versions) expect(v.signature).toMatchObject({ meaning: 'authored', authentic: true, matchesRecord: true, recordVersion: v.version });
    expect(read.versions[0].signature.contentSha256).not.toBe(read.versions[1].signature.contentSha256);
    const event = await p.ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'read.correct').executeTakeFirstOrThrow();
    expect(event.reason).toBe('T1 measured on the 1 mm reconstruction');
    expect(JSON.parse(event.before_json!).content.targets[0].measurement.finalMm).toBe(32);
    expect(JSON.parse(event.after_json!).content.targets[0].measurement.finalMm).toBe(35);
    expect(await p.ctx.db.selectFrom('signatures').select('id').where('entity_id', '=', id).execute()).toHaveLength(2);
  });

  it('signs only for a verified identity, with the password again; failures count towards lockout (P11-ID-01/02/04)', async () => {
    const id = await readIdOf(p, tps[0], 1);
    const reader1 = (await p.ctx.db.selectFrom('reads').select('reader_id').where('id', '=', id).executeTakeFirstOrThrow()).reader_id;
    expect((await p.request('PUT', url(id, '/draft'), { token: tok[0], body: baseline([['T1', 'liver', 32]]) })).status).toBe(200);
    await p.ctx.db.updateTable('users').set({ identity_verified_at: null, identity_verified_by: null }).where('id', '=', reader1).execute();
    expect((await p.request('POST', url(id, '/sign'), { token: tok[0], body: { password: TEST_PASSWORD } })).status).toBe(403);
    await p.ctx.db.updateTable('users').set({ identity_verified_at: new Date().toISOString(), identity_verified_by: t.admin.id }).where('id', '=', reader1).execute();
    for (let i = 0; i < 5; i++) expect((await p.request('POST', url(id, '/sign'), { token: tok[0], body: { password: `wrong-${i}-password` } })).status).toBe(401);
    expect((await p.request('POST', url(id, '/sign'), { token: tok[0], body: { password: TEST_PASSWORD } })).status).toBe(423);
    expect(await p.ctx.db.selectFrom('signatures').select('id').where('entity_id', '=', id).execute()).toEqual([]);
  });

  it('keeps the baseline lesions once later timepoints assess them', async () => {
    const id = await signed(1, 0, baseline([['T1', 'liver', 32]]));
    await releaseTimepoint(p, tps[1]);
    await signed(1, 1, followup([['T1', 30]]));
    const swap = await p.request('POST', url(id, '/corrections'), { token: tok[0], body: { reason: 'other lesion', content: baseline([['T7', 'lung', 32]]), password: TEST_PASSWORD } });
    expect(swap.status).toBe(409);
    const remeasure = await p.request('POST', url(id, '/corrections'), { token: tok[0], body: { reason: 're-measured', content: baseline([['T1', 'liver', 33]]), password: TEST_PASSWORD } });
    expect(remeasure.status).toBe(200);
  });

  it('stores the reason when a reader disagrees with the computed response, and refuses to sign without one', async () => {
    await signed(1, 0, baseline([['T1', 'liver', 40]]));
    await releaseTimepoint(p, tps[1]);
    const id = await readIdOf(p, tps[1], 1);
    const silent = followup([['T1', 38]], [], { responseOverrides: [{ criteria: 'RECIST1.1', response: 'PD' }] });
    const draft = await (await p.request('PUT', url(id, '/draft'), { token: tok[0], body: silent })).json();
    expect(draft.live.evaluation.responses[0]).toMatchObject({ criteria: 'RECIST1.1', engine: 'SD', override: 'PD', effective: 'PD', reason: null });
    expect(draft.live.problems.map((x: any) => x.pointer)).toEqual(['/responseOverrides']);
    const refused = await p.request('POST', url(id, '/sign'), { token: tok[0], body: { password: TEST_PASSWORD } });
    expect(refused.status).toBe(422);
    expect((await refused.json()).type).toMatch(/reason-required/);
    // Agreeing with the engine is not an override and needs no reason.
    await p.request('PUT', url(id, '/draft'), { token: tok[0], body: followup([['T1', 38]], [], { responseOverrides: [{ criteria: 'RECIST1.1', response: 'SD' }] }) });
    expect((await (await p.request('GET', url(id), { token: tok[0] })).json()).live.problems).toEqual([]);
    const reasoned = followup([['T1', 38]], [], { responseOverrides: [{ criteria: 'RECIST1.1', response: 'PD', reason: 'new pleural effusion, cytology positive' }] });
    await p.request('PUT', url(id, '/draft'), { token: tok[0], body: reasoned });
    const ok = await p.request('POST', url(id, '/sign'), { token: tok[0], body: { password: TEST_PASSWORD } });
    expect(ok.status).toBe(200);
    const v = (await ok.json()).versions[0];
    expect(v.evaluation.responses[0]).toEqual({ criteria: 'RECIST1.1', engine: 'SD', override: 'PD', reason: 'new pleural effusion, cytology positive', effective: 'PD' });
  });

  it('supersedes an adjudication when a compared read is corrected, and re-evaluates the triggers', async () => {
    await signed(1, 0, baseline([['T1', 'liver', 40]]));
    await signed(2, 0, baseline([['A', 'liver', 40]]));
    await releaseTimepoint(p, tps[1]);
    const tp1 = await signed(1, 1, followup([['T1', 20]])); // PR
    await signed(2, 1, followup([['A', 38]])); // SD
    const [open] = await p.ctx.db.selectFrom('adjudications').selectAll().where('subject_id', '=', subjectId).execute();
    expect(open.state).toBe('open');
    // Reader 1 corrects TP1 to SD: the reads now agree, so no adjudication remains and the subject is concordant.
    const res = await p.request('POST', url(tp1, '/corrections'), { token: tok[0], body: { reason: 'measured the wrong slice', content: followup([['T1', 37]]), password: TEST_PASSWORD } });
    expect(res.status).toBe(200);
    const after = await p.ctx.db.selectFrom('adjudications').selectAll().where('subject_id', '=', subjectId).execute();
    expect(after.map((a) => [a.state, a.superseded_reason])).toEqual([['superseded', 'a compared read was corrected']]);
    const final = await (await p.request('GET', `/trials/${t.trialId}/subjects/${subjectId}/final-assessment`, { token: t.tokens[t.admin.id] })).json();
    expect(final.timepoints.map((x: any) => [x.timepoint.blindedLabel, x.source, x.readerNo, x.readVersion])).toEqual([
      ['BASELINE', 'concordant', 1, 1],
      ['TP1', 'concordant', 1, 2],
    ]);
  });
});
