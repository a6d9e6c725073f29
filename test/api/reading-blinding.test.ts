// @req BL-01 BL-02 BL-03 BL-04 BL-05: the canary crawl. Unique strings are planted in everything a reader must not
// see (site, arm, visit labels, scan dates, subject code, the other reader's identity, lesions, measurements,
// notes and override reasons, upload metadata, a site assessment); then, as reader 2, every route of the
// contract a reader may call is crawled, with every id we know, and no canary may appear in any status line,
// header or body. Routes added later are crawled automatically (a path parameter without a value fails the test).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Operation } from '../../src/api/openapi-contract.js';
import { assignReaders } from '../../src/services/reading/reader-assignment.js';
import { SYSTEM_ACTOR, inTransaction } from '../../src/services/service-context.js';
import { enqueueJob } from '../../src/jobs/job-queue.js';
import type { MeasurementCaliper } from '../../src/domain/reading/measurement-caliper.js';
import { voxelToPatient } from '../../src/domain/volume.js';
import type { StoredVolume } from '../../src/services/ingest/images.js';
import { requestSegmentation } from '../../src/services/segmentation/segmentations.js';
import { type ReadingTrial, addSubject, baseline, followup, readIdOf, releaseTimepoint, setupReadingTrial } from '../helpers/reading-fixture.js';
import { DIALECT, TEST_PASSWORD, type TestPlatform, createTestPlatform } from '../helpers/test-platform.js';
import { type PlantedSeries, plantSeries } from './ingest-fixture.js';

const CANARY = {
  siteName: 'CANARY-SITE-Quokka-General',
  siteCode: 'CNRYSITE7F',
  subjectCode: 'CNRY-SUBJ-9137',
  arm: 'CANARY-ARM-B',
  visitLabel: 'CANARY-ARM-B C3D1',
  visitCode: 'CNRYC3D1',
  scanDates: ['2023-07-19', '2023-09-13'],
  reader1User: 'cnry-r1-user',
  r1Lesion: 'CNRYR1LESION',
  r1Location: 'CANARY-R1-LOCATION',
  r1Note: 'CANARY-R1-NOTE',
  r1Reason: 'CANARY-R1-REASON',
  r1Mm: '37.77',
  // reader 1's caliper starts at this in-plane voxel position; its patient x coordinate is planted (below)
  r1CaliperX: '',
  siteAssessment: 'CANARY-SITE-ASSESSMENT-PD',
  // image rows: what readers must not see of a series, a study or an instance (BL-01, BL-04, DEID-07)
  studyDate: '20230719',
  seriesUid: '1.2.826.0.1.3680043.99.1337',
  seriesKernel: 'CNRY-KERNEL-B7',
  seriesFinding: 'CNRY-QC-FINDING-DETAIL',
  quarantineReason: 'CNRY-QUARANTINE-REASON',
};
const ALL = () => [...Object.values(CANARY).flat()];

describe(`reading: blinding (${DIALECT})`, () => {
  let p: TestPlatform;
  let t: ReadingTrial;
  let subjectId: string;
  let tps: string[];
  let r1: string;
  let r2: string;
  let jobId: string;
  let images: PlantedSeries[];
  let r1Caliper: MeasurementCaliper;

  beforeAll(async () => {
    p = await createTestPlatform();
    t = await setupReadingTrial(p, { code: 'BLIND-1', siteName: CANARY.siteName, usernames: { readers: [CANARY.reader1User, 'plain-reader-two'] } });
    await p.ctx.db.updateTable('sites').set({ code: CANARY.siteCode }).where('id', '=', t.siteId).execute();
    ({ subjectId, timepointIds: tps } = await addSubject(p, t, CANARY.subjectCode, [
      { visitCode: 'SCREEN', label: 'Screening', visitNum: 1, acquiredOn: CANARY.scanDates[0] },
      { visitCode: CANARY.visitCode, label: CANARY.visitLabel, visitNum: 2, acquiredOn: CANARY.scanDates[1] },
    ]));
    await p.ctx.db.updateTable('subjects').set({ status: `randomised:${CANARY.arm}` }).where('id', '=', subjectId).execute();
    [r1, r2] = t.readers.map((u) => u.id);
    await assignReaders(p.ctx, SYSTEM_ACTOR, t.trialId, subjectId, [r1, r2]);
    // The site's own assessment and upload metadata: no reading table holds them; they live where ingest and
    // site data will (audit trail, job results) and must not reach a reader through any route.
    await inTransaction(p.ctx, SYSTEM_ACTOR, async (trx, audit, now) => {
      audit({ action: 'site.local_assessment', entityType: 'subject', entityId: subjectId, trialId: t.trialId, after: { response: CANARY.siteAssessment, arm: CANARY.arm } });
      jobId = (await enqueueJob(trx, p.ctx, { type: 'integrity.verify-blob', trialId: t.trialId, payload: { upload: `${CANARY.subjectCode}.zip`, site: CANARY.siteName } }, now)).id;
    });
    const planted = { studyDate: CANARY.studyDate, kernel: CANARY.seriesKernel, finding: CANARY.seriesFinding, quarantineReason: CANARY.quarantineReason };
    images = [await plantSeries(p, { trialId: t.trialId, subjectId, timepointId: tps[0], createdBy: t.admin.id, label: 'tp0', canaries: { ...planted, seriesUid: CANARY.seriesUid } }), await plantSeries(p, { trialId: t.trialId, subjectId, timepointId: tps[1], createdBy: t.admin.id, label: 'tp1', canaries: planted })];
    // Reader 1 measures the 37.77 mm target on slice 1 of the baseline series, diagonally in-plane; the caliper's
    // first x coordinate (many digits, from an odd voxel position) is a canary.
    const row = await p.ctx.db.selectFrom('series').select('volume_json').where('id', '=', images[0].seriesId).executeTakeFirstOrThrow();
    const g = (JSON.parse(row.volume_json!) as StoredVolume).geometry;
    const from = voxelToPatient(g, [3.14159265, 3.14159265, 1]);
    const step = 37.77 / Math.SQRT2;
    const to = [0, 1, 2].map((a) => from[a] + step * (g.rowDir[a] + g.colDir[a]));
    r1Caliper = { seriesId: images[0].seriesId, k: 1, longAxis: { fromMm: [...from], toMm: to } };
    CANARY.r1CaliperX = String(from[0]);
    expect(CANARY.r1CaliperX.length).toBeGreaterThan(8);
  });
  afterAll(async () => p?.dispose());

  const tokenOf = (id: string) => t.tokens[id];

  async function work(userId: string, readId: string, content: unknown, sign = true) {
    const url = `/trials/${t.trialId}/reads/${readId}`;
    const saved = await p.request('PUT', `${url}/draft`, { token: tokenOf(userId), body: content });
    expect(saved.status, await saved.clone().text()).toBe(200);
    if (sign) expect((await p.request('POST', `${url}/sign`, { token: tokenOf(userId), body: { password: TEST_PASSWORD } })).status).toBe(200);
  }

  /** Every operation a reader's x-access admits, i.e. every route a reader can call. */
  function readerOperations(): Operation[] {
    return [...p.registry.contract.operations.values()].filter((op) => {
      switch (op.access.kind) {
        case 'public':
        case 'authenticated':
        case 'job':
          return true;
        case 'admin':
          return false;
        case 'trial':
          return op.access.roles.includes('reader');
      }
    });
  }

  /** Crawls every reader route with every known id; returns "METHOD url -> status headers body" per call. */
  async function crawl(token: string, ids: Record<string, string[]>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const op of readerOperations()) {
      const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const n of names) expect(ids[n], `the canary crawl has no value for {${n}} of ${op.method} ${op.path}: add the ids a reader could use`).toBeDefined();
      let urls = [op.path];
      for (const n of names) urls = urls.flatMap((u) => ids[n].map((v) => u.replace(`{${n}}`, v)));
      for (const url of urls) {
        const mutating = op.method !== 'get';
        // Mutating calls use a throwaway session (logout must not end the crawl's session) and an empty body.
        const callToken = mutating ? await p.login((await p.ctx.db.selectFrom('users').select('username').where('id', '=', r2).executeTakeFirstOrThrow()).username) : token;
        const res = await p.request(op.method.toUpperCase(), url, { token: callToken, body: mutating ? {} : undefined });
        const headers = [...res.headers.entries()].filter(([k]) => k !== 'x-request-id').map(([k, v]) => `${k}: ${v}`).join('\n');
        const body = (await res.text()).replace(/"instance":"[^"]*"/g, '"instance":"-"');
        out.set(`${op.method.toUpperCase()} ${url}`, `${res.status} ${res.statusText}\n${headers}\n${body}`);
      }
    }
    // Query variants a reader can use.
    const series = ids.seriesId[0];
    for (const url of ['/me/tasks?state=all', '/me/tasks?state=pending', `/trials/${t.trialId}/series/${series}/slices/1?format=raw`, `/trials/${t.trialId}/series/${series}/slices/1?format=png&center=-600&width=1500`]) {
      const res = await p.request('GET', url, { token });
      out.set(`GET ${url}`, `${res.status}\n${[...res.headers.entries()].filter(([k]) => k !== 'x-request-id').join('\n')}\n${await res.text()}`);
    }
    return out;
  }

  const leaks = (m: Map<string, string>, canaries: string[]) =>
    [...m.entries()].flatMap(([call, text]) => canaries.filter((c) => text.toLowerCase().includes(c.toLowerCase())).map((c) => `${call} shows ${c}`));

  it('reader 2 sees no canary on any route, and the same answers whether or not reader 1 has started', async () => {
    await releaseTimepoint(p, tps[0]);
    const readIds = { r1: [await readIdOf(p, tps[0], 1)], r2: [await readIdOf(p, tps[0], 2)] };
    // Reader 1 asks for an AI segmentation on the baseline series before the crawl: reader 2 must not learn of it.
    const r1Segmentation = await requestSegmentation(p.ctx, { userId: r1, name: 'reader 1', role: 'reader' }, { userId: r1, isAdmin: false, trialRoles: ['reader'] }, t.trialId, images[0].seriesId, { prompt: { kind: 'point', pointMm: [0, 0, 2.5] } });
    await work(r2, readIds.r2[0], baseline([['A', 'lung', 24]], [['NA', 'bone']]));
    await releaseTimepoint(p, tps[1]);
    readIds.r1.push(await readIdOf(p, tps[1], 1));
    readIds.r2.push(await readIdOf(p, tps[1], 2));
    await work(r2, readIds.r2[1], followup([['A', 23]], [['NA', 'present']]));

    const ids = {
      trialId: [t.trialId],
      subjectId: [subjectId],
      readId: [...readIds.r2, ...readIds.r1, randomUUID()],
      jobId: [jobId],
      timepointId: [...tps, randomUUID()],
      seriesId: [...images.flatMap((i) => [i.seriesId, i.quarantinedSeriesId]), randomUUID()],
      segmentationId: [r1Segmentation.id, randomUUID()],
      k: ['0', '2', '3', '-1'],
    };
    const token = tokenOf(r2);
    const before = await crawl(token, ids);
    expect(before.size).toBeGreaterThan(10);
    const hidden = [...ALL(), ...images.map((i) => i.uploadId), r1Segmentation.jobId];
    expect(leaks(before, hidden)).toEqual([]);
    // The crawl did reach the images: reader 2 holds reads of both timepoints.
    expect(before.get(`GET /trials/${t.trialId}/series/${images[0].seriesId}/slices/0`)).toMatch(/^200 /);
    expect(before.get(`GET /trials/${t.trialId}/series/${images[0].quarantinedSeriesId}/slices/0`)).toMatch(/^404 /);

    // Reader 1 starts, signs, and disagrees (PR vs SD): an adjudication opens. Reader 2 must notice nothing.
    const r1Baseline = baseline([[CANARY.r1Lesion, 'liver', 37.77]], [['NT-R1', 'bone']], { notes: CANARY.r1Note });
    r1Baseline.targets[0].location = CANARY.r1Location;
    r1Baseline.targets[0].measurement!.caliper = r1Caliper;
    await work(r1, readIds.r1[0], r1Baseline, false);
    const drafted = await crawl(token, ids);
    await p.request('POST', `/trials/${t.trialId}/reads/${readIds.r1[0]}/sign`, { token: tokenOf(r1), body: { password: TEST_PASSWORD } });
    await work(r1, readIds.r1[1], followup([[CANARY.r1Lesion, 20]], [['NT-R1', 'present']], { notes: CANARY.r1Note, responseOverrides: [{ criteria: 'RECIST1.1', response: 'SD', reason: CANARY.r1Reason }] }));
    expect(await p.ctx.db.selectFrom('adjudications').select('id').where('subject_id', '=', subjectId).execute()).toHaveLength(1);
    const after = await crawl(token, ids);

    expect(leaks(after, hidden)).toEqual([]);
    expect([...drafted.entries()]).toEqual([...before.entries()]);
    expect([...after.entries()]).toEqual([...before.entries()]);
  });

  it("answers another reader's read exactly like a read that does not exist, for every action (BL-03)", async () => {
    const other = await readIdOf(p, tps[0], 1);
    const missing = randomUUID();
    const token = tokenOf(r2);
    const actions: Array<[string, string, unknown]> = [
      ['GET', '', undefined],
      ['PUT', '/draft', baseline([['X', 'liver', 20]])],
      ['POST', '/sign', { password: TEST_PASSWORD }],
      ['POST', '/corrections', { reason: 'x', content: baseline([['X', 'liver', 20]]), password: TEST_PASSWORD }],
    ];
    for (const [method, suffix, body] of actions) {
      const a = await p.request(method, `/trials/${t.trialId}/reads/${other}${suffix}`, { token, body });
      const b = await p.request(method, `/trials/${t.trialId}/reads/${missing}${suffix}`, { token, body });
      expect(a.status, `${method} ${suffix}`).toBe(404);
      const norm = async (r: Response, id: string) => (await r.text()).replaceAll(id, 'ID').replace(/"instance":"[^"]*"/, '');
      expect(await norm(a, other)).toBe(await norm(b, missing));
    }
  });

  it('shows the adjudicator both locked reads side by side, without site, arm, visit labels, dates or reader identities', async () => {
    const adj = t.adjudicators[0].id;
    const token = tokenOf(adj);
    const tasks = await p.request('GET', '/me/tasks', { token });
    const [task] = (await tasks.clone().json()) as any[];
    const view = await p.request('GET', `/trials/${t.trialId}/adjudications/${task.id}`, { token });
    expect(view.status).toBe(200);
    const body: any = await view.clone().json();
    expect(body.reads.reader1.map((r: any) => r.content.targets[0].id)).toEqual([CANARY.r1Lesion, CANARY.r1Lesion]);
    expect(body.reads.reader2[1].content.targets[0].id).toBe('A');
    // the adjudicator sees where reader 1 measured (to draw it); reader 2 never did (first test)
    expect(body.reads.reader1[0].content.targets[0].measurement.caliper).toEqual(r1Caliper);
    const hidden = ALL().filter((c) => ![CANARY.r1Lesion, CANARY.r1Location, CANARY.r1Note, CANARY.r1Reason, CANARY.r1Mm, CANARY.r1CaliperX].includes(c));
    for (const r of [tasks, view]) {
      const text = `${[...r.headers.entries()].join('\n')}\n${await r.text()}`.toLowerCase();
      expect(hidden.filter((c) => text.includes(c.toLowerCase()))).toEqual([]);
    }
    // Core-lab staff see the unblinded record.
    const staff = await (await p.request('GET', `/trials/${t.trialId}/adjudications/${task.id}`, { token: tokenOf(t.admin.id) })).json();
    expect(staff.subject.subjectCode).toBe(CANARY.subjectCode);
    expect(staff.throughTimepoint.visitLabel).toBe(CANARY.visitLabel);
  });

  // Job results may carry upload metadata: a job is shown to its creator, the trial's qc and admins only.
  it('does not show a reader a job of the trial that the reader did not start', async () => {
    const leaky = await inTransaction(p.ctx, SYSTEM_ACTOR, async (trx, _a, now) => (await enqueueJob(trx, p.ctx, { type: 'integrity.verify-blob', trialId: t.trialId, payload: {} }, now)).id);
    await p.ctx.db.updateTable('jobs').set({ result_json: JSON.stringify({ uploadedFile: `${CANARY.subjectCode}.zip`, site: CANARY.siteName }) }).where('id', '=', leaky).execute();
    const text = await (await p.request('GET', `/jobs/${leaky}`, { token: tokenOf(r2) })).text();
    expect(text).not.toContain(CANARY.siteName);
  });

  it('reveals visit labels, scan dates and the subject code to readers only where the charter allows (BL-04)', async () => {
    const open = await setupReadingTrial(p, { code: 'BLIND-2', reading: (r) => (r.blinding = { reveal: ['subjectCode', 'visitLabel', 'scanDate'] }) });
    const s = await addSubject(p, open, 'OPEN-001');
    await releaseTimepoint(p, s.timepointIds[0]);
    const id = await readIdOf(p, s.timepointIds[0], 1);
    const reader = await p.ctx.db.selectFrom('reads').select('reader_id').where('id', '=', id).executeTakeFirstOrThrow();
    const revealed = await (await p.request('GET', `/trials/${open.trialId}/reads/${id}`, { token: open.tokens[reader.reader_id] })).json();
    expect(revealed.subject).toEqual({ id: s.subjectId, subjectCode: 'OPEN-001' });
    expect(revealed.timepoint).toEqual({ id: s.timepointIds[0], label: 'BASELINE', visitCode: 'BASELINE', visitLabel: 'Baseline', scanDate: '2024-01-08' });
    const blinded = await (await p.request('GET', `/trials/${t.trialId}/reads/${await readIdOf(p, tps[0], 2)}`, { token: tokenOf(r2) })).json();
    expect(Object.keys(blinded.subject)).toEqual(['id']);
    expect(Object.keys(blinded.timepoint).sort()).toEqual(['id', 'label']);
  });
});
