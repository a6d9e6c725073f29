// @req BL-06 BL-08 P11-OPS-01: timepoints are read in order per reader (n opens only after n-1 is signed); the
// read state machine refuses illegal transitions with 409; no read starts under an unapproved charter.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ReadingTrial, addSubject, baseline, followup, readIdOf, releaseTimepoint, setupReadingTrial } from '../helpers/reading-fixture.js';
import { DIALECT, TEST_PASSWORD, type TestPlatform, createTestPlatform } from '../helpers/test-platform.js';

describe(`reading: sequential reads and the read state machine (${DIALECT})`, () => {
  let p: TestPlatform;
  let t: ReadingTrial;
  beforeEach(async () => {
    p = await createTestPlatform();
    t = await setupReadingTrial(p, { code: `SEQ-${randomUUID().slice(0, 6)}` });
  });
  afterEach(async () => p?.dispose());

  const reader = async (subjectId: string, no: 1 | 2) =>
    (await p.ctx.db.selectFrom('reader_assignments').select('user_id').where('subject_id', '=', subjectId).where('reader_no', '=', no).executeTakeFirstOrThrow()).user_id;
  const act = (token: string, method: string, readId: string, suffix: string, body?: unknown) => p.request(method, `/trials/${t.trialId}/reads/${readId}${suffix}`, { token, body });
  const sign = { password: TEST_PASSWORD };

  it('opens timepoint n only after the same reader signed n-1; the other reader\'s progress does not count (BL-06)', async () => {
    const { subjectId, timepointIds: tps } = await addSubject(p, t, 'SEQ-001');
    for (const tp of tps) await releaseTimepoint(p, tp);
    const token = t.tokens[await reader(subjectId, 1)];
    const other = t.tokens[await reader(subjectId, 2)];
    const [b, tp1, tp2] = await Promise.all(tps.map((x) => readIdOf(p, x, 1)));
    const states = async () => Object.fromEntries((await (await p.request('GET', '/me/tasks', { token })).json()).map((x: any) => [x.timepoint.label, x.state]));
    expect(await states()).toEqual({ BASELINE: 'open', TP1: 'waiting', TP2: 'waiting' });

    const early = await act(token, 'PUT', tp2, '/draft', followup([['T1', 20]]));
    expect(early.status).toBe(409);
    expect((await early.json()).detail).toMatch(/in order/);
    expect((await act(token, 'PUT', tp1, '/draft', followup([['T1', 20]]))).status).toBe(409);
    expect((await act(token, 'POST', tp1, '/sign', sign)).status).toBe(409);

    // Reader 2 signing their baseline opens nothing for reader 1.
    const b2 = await readIdOf(p, tps[0], 2);
    expect((await act(other, 'PUT', b2, '/draft', baseline([['A', 'liver', 30]]))).status).toBe(200);
    expect((await act(other, 'POST', b2, '/sign', sign)).status).toBe(200);
    expect(await states()).toEqual({ BASELINE: 'open', TP1: 'waiting', TP2: 'waiting' });

    expect((await act(token, 'PUT', b, '/draft', baseline([['T1', 'liver', 30]]))).status).toBe(200);
    expect(await states()).toEqual({ BASELINE: 'draft', TP1: 'waiting', TP2: 'waiting' });
    expect((await act(token, 'POST', b, '/sign', sign)).status).toBe(200);
    expect(await states()).toEqual({ TP1: 'open', TP2: 'waiting' });
    expect((await act(token, 'PUT', tp2, '/draft', followup([['T1', 20]]))).status).toBe(409);
    expect((await act(token, 'PUT', tp1, '/draft', followup([['T1', 20]]))).status).toBe(200);
    expect((await act(token, 'POST', tp1, '/sign', sign)).status).toBe(200);
    expect(await states()).toEqual({ TP2: 'open' });
    const all = (await (await p.request('GET', '/me/tasks?state=all', { token })).json()).map((x: any) => `${x.timepoint.label}:${x.state}`).sort();
    expect(all).toEqual(['BASELINE:signed', 'TP1:signed', 'TP2:open']);
  });

  it('keeps a timepoint released before its predecessor waiting until that one is released and signed', async () => {
    const { subjectId, timepointIds: tps } = await addSubject(p, t, 'SEQ-002');
    await releaseTimepoint(p, tps[0]);
    await releaseTimepoint(p, tps[2]);
    await releaseTimepoint(p, tps[2]); // a second release is a no-op
    expect(await p.ctx.db.selectFrom('reads').select('id').where('timepoint_id', '=', tps[2]).execute()).toHaveLength(2);
    const token = t.tokens[await reader(subjectId, 1)];
    const b = await readIdOf(p, tps[0], 1);
    await act(token, 'PUT', b, '/draft', baseline([['T1', 'liver', 30]]));
    await act(token, 'POST', b, '/sign', sign);
    const tp2 = await readIdOf(p, tps[2], 1);
    expect((await act(token, 'PUT', tp2, '/draft', followup([['T1', 20]]))).status).toBe(409); // TP1 not even released
    await releaseTimepoint(p, tps[1]);
    expect((await (await act(token, 'GET', await readIdOf(p, tps[1], 1), '')).json()).state).toBe('open');
    expect((await (await act(token, 'GET', tp2, '')).json()).state).toBe('waiting');
  });

  it('refuses every illegal transition with 409 and incomplete reads with 422 (P11-OPS-01)', async () => {
    const { subjectId, timepointIds: tps } = await addSubject(p, t, 'SEQ-003');
    await releaseTimepoint(p, tps[0]);
    const token = t.tokens[await reader(subjectId, 1)];
    const b = await readIdOf(p, tps[0], 1);
    const correction = { reason: 'typo', content: baseline([['T1', 'liver', 31]]), password: TEST_PASSWORD };
    // open: nothing to sign, nothing to correct
    expect((await act(token, 'POST', b, '/sign', sign)).status).toBe(409);
    expect((await act(token, 'POST', b, '/corrections', correction)).status).toBe(409);
    // draft: incomplete content and an invalid baseline cannot be signed (422, with the reasons)
    await act(token, 'PUT', b, '/draft', { targets: [{ id: 'T1', organ: 'liver' }], nonTargets: [] });
    const incomplete = await act(token, 'POST', b, '/sign', sign);
    expect(incomplete.status).toBe(422);
    expect((await incomplete.json()).errors.map((e: any) => e.pointer)).toEqual(expect.arrayContaining(['/imaging', '/targets/0/location', '/targets/0/measurement']));
    await act(token, 'PUT', b, '/draft', baseline([['T1', 'liver', 30], ['T2', 'liver', 20], ['T3', 'liver', 25]]));
    const invalid = await act(token, 'POST', b, '/sign', sign);
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).detail).toMatch(/TOO_MANY_TARGETS_PER_ORGAN/);
    expect((await act(token, 'POST', b, '/corrections', correction)).status).toBe(409);
    // signed: no second signature, no draft edit
    await act(token, 'PUT', b, '/draft', baseline([['T1', 'liver', 30]]));
    expect((await act(token, 'POST', b, '/sign', sign)).status).toBe(200);
    expect((await act(token, 'POST', b, '/sign', sign)).status).toBe(409);
    expect((await act(token, 'PUT', b, '/draft', baseline([['T1', 'liver', 33]]))).status).toBe(409);
    // a follow-up must account for every baseline lesion
    await releaseTimepoint(p, tps[1]);
    const tp1 = await readIdOf(p, tps[1], 1);
    await act(token, 'PUT', tp1, '/draft', followup([['T9', 20]]));
    const missing = await act(token, 'POST', tp1, '/sign', sign);
    expect(missing.status).toBe(422);
    expect((await missing.json()).detail).toMatch(/target T1 from baseline has no assessment/);
  });

  it('opens exactly one adjudication when both readers sign the discordant timepoint at the same moment', async () => {
    const { subjectId, timepointIds: tps } = await addSubject(p, t, 'SEQ-005');
    for (const tp of tps.slice(0, 2)) await releaseTimepoint(p, tp);
    const tokens = [t.tokens[await reader(subjectId, 1)], t.tokens[await reader(subjectId, 2)]];
    for (const no of [1, 2] as const) {
      const b = await readIdOf(p, tps[0], no);
      await act(tokens[no - 1], 'PUT', b, '/draft', baseline([['T1', 'liver', 40]]));
      expect((await act(tokens[no - 1], 'POST', b, '/sign', sign)).status).toBe(200);
    }
    const tp1 = [await readIdOf(p, tps[1], 1), await readIdOf(p, tps[1], 2)];
    await act(tokens[0], 'PUT', tp1[0], '/draft', followup([['T1', 20]]));
    await act(tokens[1], 'PUT', tp1[1], '/draft', followup([['T1', 39]]));
    const results = await Promise.all([act(tokens[0], 'POST', tp1[0], '/sign', sign), act(tokens[1], 'POST', tp1[1], '/sign', sign)]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(await p.ctx.db.selectFrom('adjudications').select('state').where('subject_id', '=', subjectId).execute()).toEqual([{ state: 'open' }]);
  });

  it('starts no read under an unapproved charter (BL-08)', async () => {
    const draft = await setupReadingTrial(p, { code: 'SEQ-UNAPPROVED', approve: false });
    const { subjectId, timepointIds: tps } = await addSubject(p, draft, 'SEQ-004');
    await releaseTimepoint(p, tps[0]);
    const r = (await p.ctx.db.selectFrom('reader_assignments').select('user_id').where('subject_id', '=', subjectId).where('reader_no', '=', 1).executeTakeFirstOrThrow()).user_id;
    const res = await p.request('PUT', `/trials/${draft.trialId}/reads/${await readIdOf(p, tps[0], 1)}/draft`, { token: draft.tokens[r], body: baseline([['T1', 'liver', 30]]) });
    expect(res.status).toBe(409);
    expect((await res.json()).detail).toMatch(/charter is not approved/);
  });
});
