// @req BL-05 BL-09 P11-OPS-01: reader assignment balances load, never gives one person both reader roles of a
// subject, keeps the same two readers for the whole subject, keeps adjudicators out of reading unless the charter
// allows it, and never lets anyone adjudicate a subject they read (409 when asked to).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import { type ReadingTrial, addSubject, baseline, followup, readIdOf, releaseTimepoint, setupReadingTrial } from '../helpers/reading-fixture.js';
import { DIALECT, TEST_PASSWORD, type TestPlatform, createTestPlatform, grant, seedUser } from '../helpers/test-platform.js';

describe(`reading: assignment and roles (${DIALECT})`, () => {
  let p: TestPlatform;
  beforeEach(async () => {
    p = await createTestPlatform();
  });
  afterEach(async () => p?.dispose());

  const assignments = async (subjectId: string) =>
    (await p.ctx.db.selectFrom('reader_assignments').select(['reader_no', 'user_id']).where('subject_id', '=', subjectId).orderBy('reader_no').execute()).map((a) => a.user_id);

  it('balances subjects across the reader pool, two different readers each, the same two for every timepoint', async () => {
    const t = await setupReadingTrial(p, { code: 'ASG-1', readers: 3 });
    const subjects = [];
    for (let i = 1; i <= 6; i++) {
      const s = await addSubject(p, t, `ASG-00${i}`);
      await releaseTimepoint(p, s.timepointIds[0]);
      subjects.push(s);
    }
    const load = new Map<string, number>();
    for (const s of subjects) {
      const [a, b] = await assignments(s.subjectId);
      expect(a).not.toBe(b);
      for (const u of [a, b]) load.set(u, (load.get(u) ?? 0) + 1);
    }
    expect([...load.values()].sort()).toEqual([4, 4, 4]);
    // Later timepoints go to the subject's readers, whatever the load is by then.
    const first = subjects[0];
    const readers = await assignments(first.subjectId);
    await releaseTimepoint(p, first.timepointIds[1]);
    const reads = await p.ctx.db.selectFrom('reads').select(['reader_no', 'reader_id']).where('timepoint_id', '=', first.timepointIds[1]).orderBy('reader_no').execute();
    expect(reads.map((r) => r.reader_id)).toEqual(readers);
  });

  it('keeps adjudicators out of the reader pool unless the charter lets them read; refuses a release without two readers', async () => {
    const t = await setupReadingTrial(p, { code: 'ASG-2', readers: 1, adjudicators: 1 });
    const both = await seedUser(p, 'reads-and-adjudicates', { verified: true });
    await grant(p, t.trialId, both.id, 'reader');
    await grant(p, t.trialId, both.id, 'adjudicator');
    const s = await addSubject(p, t, 'ASG-101');
    const refused = await releaseTimepoint(p, s.timepointIds[0]).catch((e) => e);
    expect(isDomainError(refused) && refused.code).toBe('CONFLICT');
    expect(await p.ctx.db.selectFrom('timepoints').select('state').where('id', '=', s.timepointIds[0]).executeTakeFirstOrThrow()).toEqual({ state: 'expected' }); // rolled back with the release

    const admin = t.tokens[t.admin.id];
    const put = (readerIds: string[]) => p.request('PUT', `/trials/${t.trialId}/subjects/${s.subjectId}/readers`, { token: admin, body: { readerIds } });
    expect((await put([t.readers[0].id, both.id])).status).toBe(409); // adjudicator may not read under this charter
    expect((await put([t.readers[0].id, t.readers[0].id])).status).toBe(409); // both roles to one person
    expect((await put([t.readers[0].id, t.adjudicators[0].id])).status).toBe(409); // not a reader at all
    expect((await put([t.readers[0].id])).status).toBe(422); // the charter wants two
  });

  it('never lets a reader of the subject adjudicate it, even where adjudicators may read (BL-05)', async () => {
    const t = await setupReadingTrial(p, { code: 'ASG-3', readers: 0, adjudicators: 0, reading: (r) => (r.adjudication.adjudicatorMayRead = true) });
    const users: Array<{ id: string }> = [];
    for (const name of ['dual-a', 'dual-b', 'dual-c']) {
      const u = await seedUser(p, name, { verified: true });
      await grant(p, t.trialId, u.id, 'reader');
      await grant(p, t.trialId, u.id, 'adjudicator');
      users.push(u);
      t.tokens[u.id] = await p.login(name);
    }
    const s = await addSubject(p, t, 'ASG-201');
    const admin = t.tokens[t.admin.id];
    expect((await p.request('PUT', `/trials/${t.trialId}/subjects/${s.subjectId}/readers`, { token: admin, body: { readerIds: [users[0].id, users[1].id] } })).status).toBe(200);
    await releaseTimepoint(p, s.timepointIds[0]);
    const work = async (no: 1 | 2, tp: number, content: unknown) => {
      const id = await readIdOf(p, s.timepointIds[tp], no);
      const token = t.tokens[users[no - 1].id];
      expect((await p.request('PUT', `/trials/${t.trialId}/reads/${id}/draft`, { token, body: content })).status).toBe(200);
      expect((await p.request('POST', `/trials/${t.trialId}/reads/${id}/sign`, { token, body: { password: TEST_PASSWORD } })).status).toBe(200);
    };
    await work(1, 0, baseline([['T1', 'liver', 40]]));
    await work(2, 0, baseline([['T1', 'liver', 40]]));
    expect((await p.request('PUT', `/trials/${t.trialId}/subjects/${s.subjectId}/readers`, { token: admin, body: { readerIds: [users[2].id, users[1].id] } })).status).toBe(409); // started
    await releaseTimepoint(p, s.timepointIds[1]);
    await work(1, 1, followup([['T1', 20]]));
    await work(2, 1, followup([['T1', 39]]));
    const adj = await p.ctx.db.selectFrom('adjudications').selectAll().where('subject_id', '=', s.subjectId).executeTakeFirstOrThrow();
    expect(adj.assignee_id).toBe(users[2].id); // the only member who did not read this subject
    const url = `/trials/${t.trialId}/adjudications/${adj.id}`;
    for (const reader of users.slice(0, 2)) {
      const res = await p.request('PUT', `${url}/assignee`, { token: admin, body: { userId: reader.id } });
      expect(res.status).toBe(409);
      expect((await res.json()).detail).toMatch(/reads this subject and cannot adjudicate it/);
      // A reader of the subject cannot even see the adjudication: it is not theirs.
      expect((await p.request('GET', url, { token: t.tokens[reader.id] })).status).toBe(404);
      expect((await p.request('POST', `${url}/decision`, { token: t.tokens[reader.id], body: { chosenReaderNo: 1, rationale: 'mine', cause: 'other', password: TEST_PASSWORD } })).status).toBe(404);
    }
    // The adjudicator's own worklist shows the task; their reading worklist shows none of this subject.
    const tasks = await (await p.request('GET', '/me/tasks', { token: t.tokens[users[2].id] })).json();
    expect(tasks.map((x: any) => x.kind)).toEqual(['adjudication']);
  });

  it('shows reader statistics to core-lab staff only (BL-09)', async () => {
    const t = await setupReadingTrial(p, { code: 'ASG-4' });
    const qc = await seedUser(p, 'qc-asg4');
    await grant(p, t.trialId, qc.id, 'qc');
    const url = `/trials/${t.trialId}/reader-stats`;
    expect((await p.request('GET', url, { token: await p.login('qc-asg4') })).status).toBe(200);
    for (const u of [...t.readers, ...t.adjudicators]) expect((await p.request('GET', url, { token: t.tokens[u.id] })).status).toBe(403);
  });
});
