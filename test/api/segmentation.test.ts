// @req BL-03 BL-05 P11-AT-01: AI lesion segmentation through the API, end to end on real parts. The sponsor uploads a
// synthetic chest CT (real DICOM, lung nodules of known size) that ingest de-identifies, assembles, QCs and releases;
// reader 1 clicks at a nodule, the segmentation job runs the default model in the segment pool, and the result carries
// the mask on the series grid, the exact measurement and the model's provenance. Reader 1 then follows the nodules
// into the follow-up visit: the one still there is found, the one that vanished is reported not found. Bad prompts
// are refused precisely and leave nothing behind; the other reader never sees reader 1's segmentations.
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMaskRle } from '../../src/domain/mask/index.js';
import { measureLesionMask } from '../../src/domain/measurement/index.js';
import { type Vec3, type VolumeGeometry, patientToVoxel } from '../../src/domain/volume.js';
import { DEFAULT_THUMBNAIL_COLORS } from '../../src/segmentation/thumbnail.js';
import { DEFAULT_LESION_MODEL_ID, readModelCard } from '../../src/segmentation/model-registry.js';
import { uploadVisitThroughApi } from '../helpers/ingest-fixture.js';
import { type ReadingTrial, STANDARD_VISITS, addSubject, readIdOf, setupReadingTrial } from '../helpers/reading-fixture.js';
import { DIALECT, TEST_PASSWORD, type TestPlatform, type TestResponse, createTestPlatform, grant, seedUser } from '../helpers/test-platform.js';

// The chest phantom at 1.5 x 1.5 x 2.5 mm: a 16 mm nodule in the left lung that shrinks to 12 mm, and a 12 mm nodule
// in the right lung that is gone at the follow-up. Both centres lie on acquired slices (z = 35 and 40 mm).
const SERIES = { slices: 30, columns: 128, rows: 128, pixelSpacingMm: 1.5, sliceThicknessMm: 2.5 };
const KEPT = { centerMm: [-40, -5, 35] as [number, number, number], diameterMm: 16 };
const GONE = { centerMm: [38, 0, 40] as [number, number, number], diameterMm: 12 };
// The default model's accuracy is measured in workers/models/lesion-seg-v3/README.md: on this nodule v1 measured
// 15.7 mm and v2 15.1 mm for the true 16 mm; 2 mm (12 %) is what we hold it to until a model meets every target.
const LONG_AXIS_TOLERANCE_MM = 2;

describe(`segmentation API (${DIALECT})`, () => {
  let p: TestPlatform;
  let t: ReadingTrial;
  let subjectId: string;
  let tps: string[];
  let r1: string;
  let r2: string;
  let qcToken: string;
  let biostatToken: string;
  const seriesOf: string[] = [];
  const geometryOf: VolumeGeometry[] = [];
  let kept: any;
  let gone: any;
  let readerTwos: any;

  const as = (userId: string) => t.tokens[userId];
  const url = (path: string) => `/trials/${t.trialId}${path}`;
  const segment = (token: string, seriesId: string, body: unknown) => p.request('POST', url(`/series/${seriesId}/segmentations`), { token, body });

  async function waitForJob(token: string, jobId: string): Promise<any> {
    for (let i = 0; ; i++) {
      const j = await (await p.request('GET', `/jobs/${jobId}`, { token })).json();
      if (!['queued', 'running'].includes(j.state)) return j;
      if (i > 1200) throw new Error(`job ${jobId} still ${j.state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function segmented(token: string, res: TestResponse): Promise<any> {
    expect(res.status, await res.clone().text()).toBe(202);
    const queued = await res.json();
    expect(res.headers.get('location')).toBe(`/jobs/${queued.jobId}`);
    const job = await waitForJob(token, queued.jobId);
    expect(job.state, JSON.stringify(job)).toBe('succeeded');
    const done = await p.request('GET', url(`/segmentations/${queued.id}`), { token });
    expect(done.status).toBe(200);
    return done.json();
  }

  const count = async (table: 'segmentations' | 'jobs') => Number((await p.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    p = await createTestPlatform({ runJobs: true, env: { CORELAB_SEGMENT_MAX_QUEUED: '3' } });
    t = await setupReadingTrial(p, { code: 'SEG-1' });
    ({ subjectId, timepointIds: tps } = await addSubject(p, t, 'SEG-001', STANDARD_VISITS.slice(0, 2)));
    const sponsor = await seedUser(p, 'sponsor-seg');
    await grant(p, t.trialId, sponsor.id, 'sponsor');
    const qc = await seedUser(p, 'qc-seg');
    await grant(p, t.trialId, qc.id, 'qc');
    const biostat = await seedUser(p, 'bio-seg');
    await grant(p, t.trialId, biostat.id, 'biostatistician');
    const sponsorToken = await p.login('sponsor-seg');
    qcToken = await p.login('qc-seg');
    biostatToken = await p.login('bio-seg');
    const visits = [
      { lesions: [KEPT, GONE], seed: 11 },
      { lesions: [{ ...KEPT, diameterMm: 12 }], seed: 12 },
    ];
    for (const [i, v] of visits.entries()) {
      const s = STANDARD_VISITS[i];
      const { outcome } = await uploadVisitThroughApi(p, { trialId: t.trialId, subjectId, timepointId: tps[i], token: sponsorToken, studyDate: s.acquiredOn.replace(/-/g, ''), label: `seg-${s.visitCode}`, series: { ...SERIES, ...v } });
      expect(outcome.every((o) => o.outcome === 'ingested')).toBe(true);
      const listed = await (await p.request('GET', url(`/timepoints/${tps[i]}/series`), { token: qcToken })).json();
      seriesOf.push(listed[0].id);
      geometryOf.push(listed[0].geometry);
    }
    r1 = (await p.ctx.db.selectFrom('reader_assignments').select('user_id').where('subject_id', '=', subjectId).where('reader_no', '=', 1).executeTakeFirstOrThrow()).user_id;
    r2 = (await p.ctx.db.selectFrom('reader_assignments').select('user_id').where('subject_id', '=', subjectId).where('reader_no', '=', 2).executeTakeFirstOrThrow()).user_id;
  }, 180_000);
  afterAll(async () => p?.dispose());

  it('lists the registry with the provider the pool runs on', async () => {
    const res = await p.request('GET', '/segmentation-models', { token: as(r1) });
    expect(res.status).toBe(200);
    const card = await readModelCard(p.config.segmentation.registryDir, DEFAULT_LESION_MODEL_ID);
    expect(await res.json()).toContainEqual({
      id: DEFAULT_LESION_MODEL_ID, version: card.version, task: 'promptable-lesion-segmentation', sha256: card.sha256, default: true,
      layout: 'NCHW', voiVoxels: [128, 128, 1], spacingMm: [1, 1, 1], licence: card.licence, executionProvider: 'cpu',
    });
    const v2 = await readModelCard(p.config.segmentation.registryDir, 'lesion-seg-v2');
    expect(await (await p.request('GET', '/segmentation-models', { token: as(r1) })).json()).toContainEqual({
      id: 'lesion-seg-v2', version: v2.version, task: 'promptable-lesion-segmentation', sha256: v2.sha256, default: false,
      layout: 'NCDHW', voiVoxels: [80, 80, 80], spacingMm: [1.25, 1.25, 1.25], licence: v2.licence, executionProvider: 'cpu',
    });
  });

  it('segments the nodule under reader 1\'s click: mask on the series grid, exact measurement, provenance, audit', async () => {
    const card = await readModelCard(p.config.segmentation.registryDir, DEFAULT_LESION_MODEL_ID);
    const res = await segment(as(r1), seriesOf[0], { prompt: { kind: 'point', pointMm: KEPT.centerMm } });
    kept = await segmented(as(r1), res);
    expect(kept).toMatchObject({
      seriesId: seriesOf[0], kind: 'prompt', state: 'done', outcome: 'segmented', error: null, reachesVoiEdge: false, sourceSegmentationId: null,
      prompt: { kind: 'point', pointMm: KEPT.centerMm },
      provenance: { modelId: DEFAULT_LESION_MODEL_ID, modelVersion: card.version, modelSha256: card.sha256, executionProvider: 'cpu', requestedExecutionProvider: 'cpu' },
    });
    expect(kept.confidence).toBeGreaterThan(0.5);
    expect(kept.confidence).toBeLessThanOrEqual(1);

    // The mask: on the whole series grid, holding the clicked voxel, and nothing far from the nodule.
    const g = geometryOf[0];
    expect(kept.mask).toMatchObject({ format: 'corelab-mask-rle', version: 1, dims: g.dims });
    const voxels = decodeMaskRle(kept.mask);
    const [nx, ny] = g.dims;
    const click = patientToVoxel(g, KEPT.centerMm).map(Math.round);
    expect(voxels[click[0] + click[1] * nx + click[2] * nx * ny]).toBe(1);
    let far = 0;
    for (let v = 0; v < voxels.length; v++) {
      if (!voxels[v]) continue;
      const i = v % nx;
      const j = Math.floor(v / nx) % ny;
      const k = Math.floor(v / (nx * ny));
      const d = Math.hypot((i - click[0]) * g.spacingMm[0], (j - click[1]) * g.spacingMm[1], (k - click[2]) * g.spacingMm[2]);
      if (d > KEPT.diameterMm / 2 + 3) far++;
    }
    expect(far).toBe(0);

    // The measurement: the long axis against the true diameter, on the nodule's central slice, and exactly what
    // src/domain/measurement gives for the stored mask.
    const m = kept.measurement;
    console.log(`segmentation of a ${KEPT.diameterMm} mm nodule: long axis ${m.longAxis.lengthMm.toFixed(2)} mm, short axis ${m.shortAxis.lengthMm.toFixed(2)} mm, volume ${m.volumeMm3.toFixed(0)} mm3 (sphere ${((Math.PI / 6) * KEPT.diameterMm ** 3).toFixed(0)}), confidence ${kept.confidence.toFixed(2)}`);
    expect(Math.abs(m.longAxis.lengthMm - KEPT.diameterMm)).toBeLessThanOrEqual(LONG_AXIS_TOLERANCE_MM);
    expect(m.shortAxis.lengthMm).toBeLessThanOrEqual(m.longAxis.lengthMm);
    expect(m.shortAxis.lengthMm).toBeGreaterThan(0.75 * m.longAxis.lengthMm); // a sphere: round on its slice
    expect(Math.abs(m.k - click[2])).toBeLessThanOrEqual(1);
    expect(m.boundaryConvention).toBe('face-centres');
    const again = measureLesionMask(voxels, g);
    expect(m.longAxis.lengthMm).toBeCloseTo(again.longAxis.lengthMm, 9);
    expect(m.longAxis.fromPatientMm).toEqual(again.longAxis.fromPatientMm.map((x) => expect.closeTo(x, 6)));
    expect(m.volumeMm3).toBeCloseTo(again.volumeMm3, 6);
    expect(m.voxelCount).toBe(kept.mask.voxelCount);
    // endpoints lie on the nodule's slice, within the nodule's reach of its centre
    for (const end of [m.longAxis.fromPatientMm, m.longAxis.toPatientMm]) {
      expect(Math.hypot(end[0] - KEPT.centerMm[0], end[1] - KEPT.centerMm[1])).toBeLessThan(KEPT.diameterMm / 2 + 2);
    }

    // Audit: the request (by reader 1) and the result (by the job runner, with the model's hash), once each.
    const events = await p.ctx.db.selectFrom('audit_events').selectAll().where('entity_id', '=', kept.id).orderBy('seq').execute();
    expect(events.map((e) => [e.action, e.actor_id])).toEqual([
      ['segmentation.request', r1],
      ['segmentation.complete', null],
    ]);
    const after = JSON.parse(events[1].after_json!);
    expect(after).toMatchObject({ outcome: 'segmented', jobId: kept.jobId, provenance: { modelSha256: card.sha256, executionProvider: 'cpu' } });
    expect(after.longAxisMm).toBeCloseTo(m.longAxis.lengthMm, 9);
  });

  it('draws the measured slice: a real PNG with the outline and both axes, sized and windowed on request', async () => {
    const res = await p.request('GET', url(`/segmentations/${kept.id}/thumbnail.png`), { token: as(r1) });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-slice-index')).toBe(String(kept.measurement.k));
    const png = PNG.sync.read(Buffer.from(await res.arrayBuffer()));
    expect([png.width, png.height]).toEqual([256, 256]);
    const colours = new Map<string, number>();
    for (let o = 0; o < png.data.length; o += 4) {
      const key = `${png.data[o]},${png.data[o + 1]},${png.data[o + 2]}`;
      colours.set(key, (colours.get(key) ?? 0) + 1);
    }
    expect(colours.get(DEFAULT_THUMBNAIL_COLORS.outline.join(','))).toBeGreaterThan(50);
    expect(colours.get(DEFAULT_THUMBNAIL_COLORS.longAxis.join(','))).toBeGreaterThan(50);
    expect(colours.get(DEFAULT_THUMBNAIL_COLORS.shortAxis.join(','))).toBeGreaterThan(30);
    const small = await p.request('GET', url(`/segmentations/${kept.id}/thumbnail.png?size=128&center=-600&width=1500`), { token: as(r1) });
    expect(PNG.sync.read(Buffer.from(await small.arrayBuffer())).width).toBe(128);
    const cached = await p.request('GET', url(`/segmentations/${kept.id}/thumbnail.png`), { token: as(r1), headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(cached.status).toBe(304);
    expect((await p.request('GET', url(`/segmentations/${kept.id}/thumbnail.png?size=10`), { token: as(r1) })).status).toBe(400);
    expect((await p.request('GET', url(`/segmentations/${kept.id}/thumbnail.png?width=0`), { token: as(r1) })).status).toBe(400);
  });

  it('refuses bad prompts precisely (400 malformed, 422 off the volume or unusable) and stores nothing', async () => {
    const before = { segmentations: await count('segmentations'), jobs: await count('jobs') };
    const token = as(r1);
    const problem = async (res: TestResponse, status: number, pointer?: string) => {
      const body = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      if (pointer) expect(body.errors.map((e: any) => e.pointer)).toEqual([pointer]);
      return body;
    };
    const off = await problem(await segment(token, seriesOf[0], { prompt: { kind: 'point', pointMm: [500, -5, 35] } }), 422, '/body/prompt/pointMm');
    expect(off.detail).toMatch(/outside the volume's 128x128x30 voxels along i/);
    await problem(await segment(token, seriesOf[0], { prompt: { kind: 'point', pointMm: [-40, -5, -30] } }), 422, '/body/prompt/pointMm');
    await problem(await segment(token, seriesOf[0], { prompt: { kind: 'box', cornerAMm: [-50, -15, 35], cornerBMm: [-30, 400, 35] } }), 422, '/body/prompt/cornerBMm');
    // NaN is not JSON; null and an overflowing number are not finite coordinates
    const nan = await p.app.request(url(`/series/${seriesOf[0]}/segmentations`), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"prompt":{"kind":"point","pointMm":[NaN,0,35]}}' });
    expect((await problem(nan as TestResponse, 400)).detail).toMatch(/not valid JSON/);
    await problem(await segment(token, seriesOf[0], { prompt: { kind: 'point', pointMm: [null, 0, 35] } }), 400, '/body/prompt/pointMm/0');
    const huge = await p.app.request(url(`/series/${seriesOf[0]}/segmentations`), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"prompt":{"kind":"point","pointMm":[1e400,0,35]}}' });
    await problem(huge as TestResponse, 400, '/body/prompt/pointMm');
    // wrong shapes: each answered at the field that is wrong
    await problem(await segment(token, seriesOf[0], { prompt: { kind: 'point', pointMm: [-40, -5] } }), 400, '/body/prompt/pointMm');
    await problem(await segment(token, seriesOf[0], { prompt: { kind: 'circle', pointMm: KEPT.centerMm } }), 400, '/body/prompt/kind');
    await problem(await segment(token, seriesOf[0], { prompt: { kind: 'line', startMm: KEPT.centerMm } }), 400, '/body/prompt/endMm');
    await problem(await segment(token, seriesOf[0], { prompt: KEPT.centerMm }), 400);
    await problem(await segment(token, seriesOf[0], { prompt: { kind: 'point', pointMm: KEPT.centerMm }, colour: 'red' }), 400, '/body/colour');
    // well-formed but unusable
    await problem(await segment(token, seriesOf[0], { prompt: { kind: 'line', startMm: KEPT.centerMm, endMm: KEPT.centerMm } }), 422, '/body/prompt/endMm');
    await problem(await segment(token, seriesOf[0], { prompt: { kind: 'point', pointMm: KEPT.centerMm }, modelId: 'no-such-model' }), 422, '/body/modelId');
    expect({ segmentations: await count('segmentations'), jobs: await count('jobs') }).toEqual(before);
  });

  it('shows reader 1\'s segmentation to nobody else but core-lab staff: reader 2 gets 404, as for one that does not exist', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const token = as(r2);
    const norm = async (res: Response, id: string) => `${res.status} ${(await res.text()).replaceAll(id, 'ID').replace(/"instance":"[^"]*"/, '')}`;
    for (const [method, suffix, body] of [['GET', '', undefined], ['GET', '/thumbnail.png', undefined], ['POST', '/propagations', { seriesId: seriesOf[0] }]] as const) {
      const theirs = await p.request(method, url(`/segmentations/${kept.id}${suffix}`), { token, body });
      const none = await p.request(method, url(`/segmentations/${missing}${suffix}`), { token, body });
      expect(theirs.status, `${method} ${suffix}`).toBe(404);
      expect(await norm(theirs, kept.id)).toBe(await norm(none, missing));
    }
    // reader 2 holds an open read of the baseline, so the series is theirs to view, but the list shows none of reader 1's
    const list = await p.request('GET', url(`/series/${seriesOf[0]}/segmentations`), { token });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual([]);
    // the adjudicator has no adjudication of this subject: the series itself does not exist for them
    expect((await p.request('GET', url(`/series/${seriesOf[0]}/segmentations`), { token: as(t.adjudicators[0].id) })).status).toBe(404);
    // core-lab staff see it; the biostatistician only once a signed read names it (below)
    expect((await p.request('GET', url(`/segmentations/${kept.id}`), { token: qcToken })).status).toBe(200);
    expect((await (await p.request('GET', url(`/series/${seriesOf[0]}/segmentations`), { token: qcToken })).json()).map((s: any) => s.id)).toContain(kept.id);
    expect((await p.request('GET', url(`/segmentations/${kept.id}/thumbnail.png`), { token: biostatToken })).status).toBe(404);
    // reader 2's own segmentation is listed for them, not for reader 1
    const own = await segmented(token, await segment(token, seriesOf[0], { prompt: { kind: 'point', pointMm: GONE.centerMm } }));
    readerTwos = own;
    expect((await (await p.request('GET', url(`/series/${seriesOf[0]}/segmentations`), { token })).json()).map((s: any) => s.id)).toEqual([own.id]);
    const mine = (await (await p.request('GET', url(`/series/${seriesOf[0]}/segmentations`), { token: as(r1) })).json()).map((s: any) => s.id);
    expect(mine).toEqual([kept.id]);
    expect(mine).not.toContain(own.id);
  });

  it('follows the nodules into the follow-up: the one still there is found and measured, the vanished one is not found', async () => {
    const token = as(r1);
    gone = await segmented(token, await segment(token, seriesOf[0], { prompt: { kind: 'point', pointMm: GONE.centerMm } }));
    expect(gone.outcome).toBe('segmented');
    // The follow-up opens for reader 1 once the baseline is signed (BL-06); the read takes the AI measurements.
    const ai = (s: any, decision: 'accepted' | 'edited', finalMm?: number) => {
      const proposal = Math.round(s.measurement.longAxis.lengthMm * 10) / 10;
      return {
        finalMm: finalMm ?? proposal,
        aiProposalMm: proposal,
        aiSource: { modelId: s.provenance.modelId, version: s.provenance.modelVersion, sha256: s.provenance.modelSha256, segmentationId: s.id },
        decision,
      };
    };
    const readUrl = url(`/reads/${await readIdOf(p, tps[0], 1)}`);
    const content = {
      imaging: { modality: 'CT', sliceThicknessMm: 2.5 },
      targets: [
        { id: 'T1', organ: 'lung', location: 'left lower lobe', nodal: false, measurement: ai(kept, 'accepted') },
        { id: 'T2', organ: 'lung', location: 'right upper lobe', nodal: false, measurement: ai(gone, 'edited', 12) },
      ],
      nonTargets: [],
    };
    // a read's AI source must be the reader's own finished segmentation, made by the model the read names
    const borrowed = { ...content, targets: [{ ...content.targets[0], measurement: ai(readerTwos, 'edited', 16) }, content.targets[1]] };
    const refused = await p.request('PUT', `${readUrl}/draft`, { token, body: borrowed });
    expect(refused.status).toBe(422);
    expect((await refused.json()).errors).toEqual([{ pointer: '/targets/0/measurement/aiSource/segmentationId', detail: 'is not a finished segmentation of yours in this trial' }]);
    const wrongModel = structuredClone(content);
    wrongModel.targets[0].measurement.aiSource.sha256 = 'f'.repeat(64);
    const mismatch = await p.request('PUT', `${readUrl}/draft`, { token, body: wrongModel });
    expect(mismatch.status).toBe(422);
    expect((await mismatch.json()).errors.map((e: any) => e.pointer)).toEqual(['/targets/0/measurement/aiSource']);
    const saved = await p.request('PUT', `${readUrl}/draft`, { token, body: content });
    expect(saved.status, await saved.clone().text()).toBe(200);
    expect((await p.request('POST', `${readUrl}/sign`, { token, body: { password: TEST_PASSWORD } })).status).toBe(200);

    const follow = async (source: any) => {
      const res = await p.request('POST', url(`/segmentations/${source.id}/propagations`), { token, body: { seriesId: seriesOf[1] } });
      const s = await segmented(token, res);
      expect(s).toMatchObject({ kind: 'propagation', seriesId: seriesOf[1], sourceSegmentationId: source.id, state: 'done', prompt: null });
      return s;
    };
    const found = await follow(kept);
    console.log(`propagation of the ${KEPT.diameterMm} mm nodule (now 12 mm): ${found.outcome}, long axis ${found.measurement?.longAxis.lengthMm.toFixed(2)} mm, confidence ${found.confidence.toFixed(2)}, match ${found.propagation.matchScore.toFixed(2)}`);
    expect(found.outcome).toBe('found');
    expect(found.confidence).toBeGreaterThan(0.3);
    expect(found.provenance).toMatchObject({ modelId: DEFAULT_LESION_MODEL_ID, executionProvider: 'cpu' });
    expect(Math.abs(found.measurement.longAxis.lengthMm - 12)).toBeLessThanOrEqual(LONG_AXIS_TOLERANCE_MM);
    found.propagation.shiftMm.forEach((v: number) => expect(Math.abs(v)).toBeLessThan(2)); // same table position
    const fk = patientToVoxel(geometryOf[1], KEPT.centerMm).map(Math.round);
    expect(decodeMaskRle(found.mask)[fk[0] + fk[1] * geometryOf[1].dims[0] + fk[2] * geometryOf[1].dims[0] * geometryOf[1].dims[1]]).toBe(1);

    const lost = await follow(gone);
    console.log(`propagation of the vanished nodule: ${lost.outcome} (${lost.propagation.reason})`);
    expect(lost).toMatchObject({ outcome: 'not-found', confidence: 0, mask: null, measurement: null });
    expect(lost.propagation.reason).toMatch(/gone/);
    expect((await p.request('GET', url(`/segmentations/${lost.id}/thumbnail.png`), { token })).status).toBe(409);

    // the signed read names the baseline segmentations: the biostatistician may now see their thumbnails, not others
    expect((await p.request('GET', url(`/segmentations/${kept.id}/thumbnail.png`), { token: biostatToken })).status).toBe(200);
    expect((await p.request('GET', url(`/segmentations/${found.id}/thumbnail.png`), { token: biostatToken })).status).toBe(404);
    expect((await p.request('GET', url(`/segmentations/${found.id}`), { token: biostatToken })).status).toBe(403);

    const events = await p.ctx.db.selectFrom('audit_events').select(['action', 'entity_id', 'after_json']).where('entity_id', 'in', [found.id, lost.id]).orderBy('seq').execute();
    expect(events.map((e) => [e.action, e.entity_id])).toEqual([
      ['segmentation.request', found.id],
      ['segmentation.complete', found.id],
      ['segmentation.request', lost.id],
      ['segmentation.complete', lost.id],
    ]);
    expect(JSON.parse(events[3].after_json!)).toMatchObject({ outcome: 'not-found', kind: 'propagation', sourceSegmentationId: gone.id });
  });

  it('refuses propagation from a segmentation without a lesion, to the same series, or to another subject\'s series', async () => {
    const token = as(r1);
    const sameSeries = await p.request('POST', url(`/segmentations/${kept.id}/propagations`), { token, body: { seriesId: seriesOf[0] } });
    expect(sameSeries.status).toBe(422);
    const lost = (await (await p.request('GET', url(`/series/${seriesOf[1]}/segmentations`), { token })).json()).find((s: any) => s.outcome === 'not-found');
    const fromNothing = await p.request('POST', url(`/segmentations/${lost.id}/propagations`), { token: qcToken, body: { seriesId: seriesOf[0] } });
    expect(fromNothing.status).toBe(409);
    expect((await fromNothing.json()).detail).toMatch(/nothing to follow/);
    const unknownSeries = await p.request('POST', url(`/segmentations/${kept.id}/propagations`), { token, body: { seriesId: '00000000-0000-4000-8000-000000000000' } });
    expect(unknownSeries.status).toBe(404);
  });

  it('cancels a queued segmentation (DELETE /jobs/{id}) and answers 429 when the segmentation queue is full', async () => {
    await p.runner.stop();
    try {
      const token = as(r1);
      const before = await count('segmentations');
      const queued: any[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await segment(token, seriesOf[0], { prompt: { kind: 'point', pointMm: KEPT.centerMm } });
        expect(res.status).toBe(202);
        queued.push(await res.json());
      }
      const full = await segment(token, seriesOf[0], { prompt: { kind: 'point', pointMm: KEPT.centerMm } });
      expect(full.status).toBe(429);
      expect(full.headers.get('retry-after')).toBe('30');
      expect((await full.json()).detail).toMatch(/segmentation\.lesion queue is full/);
      expect(await count('segmentations')).toBe(before + 3);
      // other readers cannot cancel reader 1's job (they do not see it); reader 1 can
      expect((await p.request('DELETE', `/jobs/${queued[0].jobId}`, { token: as(r2) })).status).toBe(404);
      for (const q of queued) {
        const cancel = await p.request('DELETE', `/jobs/${q.jobId}`, { token });
        expect(cancel.status).toBe(202);
        expect((await cancel.json()).state).toBe('cancelled');
        const view = await (await p.request('GET', url(`/segmentations/${q.id}`), { token })).json();
        expect(view).toMatchObject({ state: 'cancelled', error: 'cancelled on request', mask: null, measurement: null });
      }
      expect((await p.request('GET', url(`/segmentations/${queued[0].id}/thumbnail.png`), { token })).status).toBe(409);
      // the queue has room again
      const again = await segment(token, seriesOf[0], { prompt: { kind: 'point', pointMm: KEPT.centerMm } });
      expect(again.status).toBe(202);
      expect((await p.request('DELETE', `/jobs/${(await again.json()).jobId}`, { token })).status).toBe(202);
    } finally {
      p.runner.start();
    }
  });

  it('shows a failure on the job and on the segmentation alike: the series changed under a queued request', async () => {
    await p.runner.stop();
    const token = as(r1);
    const res = await segment(token, seriesOf[0], { prompt: { kind: 'point', pointMm: KEPT.centerMm } });
    expect(res.status).toBe(202);
    const queued = await res.json();
    // QC quarantines one of the series' instances after the request: the stored volume no longer matches its images
    const instance = await p.ctx.db.selectFrom('instances').select('id').where('series_id', '=', seriesOf[0]).orderBy('instance_number').executeTakeFirstOrThrow();
    await p.ctx.db.updateTable('instances').set({ quarantine_reason: 'quarantined after the request (test)' }).where('id', '=', instance.id).execute();
    try {
      p.runner.start();
      const job = await waitForJob(token, queued.jobId);
      expect(job).toMatchObject({ state: 'failed', attempts: 1 });
      expect(job.error).toMatch(/the series changed since it was assembled/);
      const view = await (await p.request('GET', url(`/segmentations/${queued.id}`), { token })).json();
      expect(view).toMatchObject({ state: 'failed', error: job.error, outcome: null, mask: null, measurement: null, provenance: null });
      const events = await p.ctx.db.selectFrom('audit_events').select(['action', 'after_json']).where('entity_id', '=', queued.id).orderBy('seq').execute();
      expect(events.map((e) => e.action)).toEqual(['segmentation.request', 'segmentation.fail']);
      expect(JSON.parse(events[1].after_json!).error).toBe(job.error);
    } finally {
      await p.ctx.db.updateTable('instances').set({ quarantine_reason: null }).where('id', '=', instance.id).execute();
    }
  });
});
