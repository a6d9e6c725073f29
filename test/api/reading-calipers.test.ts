// A read's measurement may carry the caliper the reader measured with (series, slice, endpoints in patient mm), so
// the adjudicator can draw it. It is checked on every draft save, signature and correction: a series of the read's
// own timepoint that the reader may view, endpoints on the slice, and the measured axis as long as finalMm
// (to 0.05 mm). Wrong ones are 422 with the pointer of the offending field and nothing is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeasurementCaliper } from '../../src/domain/reading/measurement-caliper.js';
import { type VolumeGeometry, voxelToPatient } from '../../src/domain/volume.js';
import type { StoredVolume } from '../../src/services/ingest/images.js';
import { AI_SOURCE, type ReadingTrial, addSubject, baseline, followup, readIdOf, releaseTimepoint, setupReadingTrial } from '../helpers/reading-fixture.js';
import { DIALECT, TEST_PASSWORD, type TestPlatform, createTestPlatform } from '../helpers/test-platform.js';
import { type PlantedSeries, plantSeries } from './ingest-fixture.js';

describe(`reading: measurement calipers (${DIALECT})`, () => {
  let p: TestPlatform;
  let t: ReadingTrial;
  let tps: string[];
  let images: PlantedSeries[];
  let geometry: VolumeGeometry[];
  let token: string;

  beforeAll(async () => {
    p = await createTestPlatform();
    t = await setupReadingTrial(p, { code: 'CALIPER-1' });
    let subjectId: string;
    ({ subjectId, timepointIds: tps } = await addSubject(p, t, 'CAL-001'));
    images = [];
    geometry = [];
    for (const [i, tp] of tps.slice(0, 2).entries()) {
      const s = await plantSeries(p, { trialId: t.trialId, subjectId, timepointId: tp, createdBy: t.admin.id, label: `cal${i}` });
      images.push(s);
      const row = await p.ctx.db.selectFrom('series').select('volume_json').where('id', '=', s.seriesId).executeTakeFirstOrThrow();
      geometry.push((JSON.parse(row.volume_json!) as StoredVolume).geometry);
    }
    await releaseTimepoint(p, tps[0]);
    const user = await p.ctx.db.selectFrom('reader_assignments').select('user_id').where('subject_id', '=', subjectId).where('reader_no', '=', 1).executeTakeFirstOrThrow();
    token = t.tokens[user.user_id];
  });
  afterAll(async () => p?.dispose());

  /** A caliper on slice k of timepoint tp's series: long axis along the rows, short axis along the columns. */
  function caliper(tp: number, longMm: number, shortMm?: number, k = 1): MeasurementCaliper {
    const g = geometry[tp];
    const at = (i: number, j: number) => [...voxelToPatient(g, [i, j, k])];
    const c = (g.dims[0] - 1) / 2;
    const long = longMm / g.spacingMm[0] / 2;
    const out: MeasurementCaliper = { seriesId: images[tp].seriesId, k, longAxis: { fromMm: at(c - long, c), toMm: at(c + long, c) } };
    if (shortMm !== undefined) out.shortAxis = { fromMm: at(c, c - shortMm / g.spacingMm[1] / 2), toMm: at(c, c + shortMm / g.spacingMm[1] / 2) };
    return out;
  }
  const accepted = (mm: number, c: MeasurementCaliper) => ({ finalMm: mm, aiProposalMm: mm, aiSource: AI_SOURCE, decision: 'accepted' as const, caliper: c });
  const url = (readId: string, suffix = '') => `/trials/${t.trialId}/reads/${readId}${suffix}`;
  const put = async (readId: string, body: unknown) => p.request('PUT', url(readId, '/draft'), { token, body });
  async function refused(res: Response, errors: Array<{ pointer: string; detail?: RegExp }>) {
    expect(res.status, await res.clone().text()).toBe(422);
    const body: any = await res.json();
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(body.errors.map((e: any) => e.pointer)).toEqual(errors.map((e) => e.pointer));
    errors.forEach((e, i) => e.detail && expect(body.errors[i].detail).toMatch(e.detail));
  }

  it('stores a valid caliper with the version, and refuses a wrong series, slice, endpoint or length precisely', async () => {
    const readId = await readIdOf(p, tps[0], 1);
    const content = baseline([['T1', 'liver', 24.3], ['T2', 'lymph_node', 16.2]]);
    content.targets[0].measurement = accepted(24.3, caliper(0, 24.3, 11));
    content.targets[1].nodal = true;
    content.targets[1].measurement = { finalMm: 16.2, decision: 'manual', caliper: caliper(0, 20.2, 16.2) };

    const bad = (edit: (c: typeof content) => void) => {
      const copy = structuredClone(content);
      edit(copy);
      return copy;
    };
    // the other timepoint's series (the reader cannot see it yet), the quarantined series (never shown to readers)
    await refused(await put(readId, bad((c) => (c.targets[0].measurement!.caliper!.seriesId = images[1].seriesId))), [{ pointer: '/targets/0/measurement/caliper/seriesId', detail: /not a series of this read's timepoint/ }]);
    await refused(await put(readId, bad((c) => (c.targets[0].measurement!.caliper!.seriesId = images[0].quarantinedSeriesId))), [{ pointer: '/targets/0/measurement/caliper/seriesId' }]);
    await refused(await put(readId, bad((c) => (c.targets[0].measurement!.caliper!.k = 3))), [{ pointer: '/targets/0/measurement/caliper/k', detail: /slices 0 to 2/ }]);
    // the endpoints were taken on slice 1: saying slice 0 puts them off it
    await refused(await put(readId, bad((c) => (c.targets[0].measurement!.caliper!.k = 0))), [{ pointer: '/targets/0/measurement/caliper/longAxis/fromMm' }, { pointer: '/targets/0/measurement/caliper/longAxis/toMm' }, { pointer: '/targets/0/measurement/caliper/shortAxis/fromMm' }, { pointer: '/targets/0/measurement/caliper/shortAxis/toMm' }]);
    // length: 24.3 recorded, 24.4 drawn (accepted); the node's short axis is its measurement and is required
    await refused(await put(readId, bad((c) => (c.targets[0].measurement!.caliper = caliper(0, 24.4, 11)))), [{ pointer: '/targets/0/measurement/caliper/longAxis', detail: /24\.40 mm long, but finalMm is 24\.3/ }]);
    await refused(await put(readId, bad((c) => delete c.targets[1].measurement!.caliper!.shortAxis)), [{ pointer: '/targets/1/measurement/caliper/shortAxis', detail: /short axis/ }]);
    // malformed (not a point) is the contract's 400
    expect((await put(readId, bad((c) => ((c.targets[0].measurement!.caliper!.longAxis as any).fromMm = [1, 2])))).status).toBe(400);
    // nothing of the refused drafts was stored
    expect((await p.ctx.db.selectFrom('read_versions').select('id').where('read_id', '=', readId).execute()).length).toBe(0);

    // within rounding (24.3 recorded, 24.34 drawn) is the same measurement
    const rounded = bad((c) => (c.targets[0].measurement!.caliper = caliper(0, 24.34, 11)));
    const saved = await put(readId, rounded);
    expect(saved.status, await saved.clone().text()).toBe(200);
    expect((await saved.json()).versions.at(-1).content.targets[0].measurement.caliper).toEqual(rounded.targets[0].measurement!.caliper);
    const signed = await p.request('POST', url(readId, '/sign'), { token, body: { password: TEST_PASSWORD } });
    expect(signed.status, await signed.clone().text()).toBe(200);
    const stored = await p.ctx.db.selectFrom('read_versions').select(['content_json', 'state']).where('read_id', '=', readId).executeTakeFirstOrThrow();
    expect(stored.state).toBe('signed');
    expect(JSON.parse(stored.content_json).targets[1].measurement.caliper).toEqual(content.targets[1].measurement!.caliper);

    // a correction is checked the same way
    const corrected = bad((c) => (c.targets[0].measurement = accepted(25, caliper(0, 24.3, 11))));
    const res = await p.request('POST', url(readId, '/corrections'), { token, body: { reason: 'remeasured', content: corrected, password: TEST_PASSWORD } });
    await refused(res, [{ pointer: '/targets/0/measurement/caliper/longAxis' }]);
  });

  it('checks a follow-up caliper against that timepoint and the baseline lesion (a node is measured on its short axis)', async () => {
    await releaseTimepoint(p, tps[1]);
    const readId = await readIdOf(p, tps[1], 1);
    const content = followup([['T1', 20], ['T2', 9.8]]);
    content.targets[0].measurement = { finalMm: 20, decision: 'manual', caliper: caliper(1, 20) };
    content.targets[1].measurement = { finalMm: 9.8, decision: 'manual', caliper: caliper(1, 9.8, 5) };
    // T2 is a node at baseline: its 9.8 mm is the short axis (5 mm drawn), not the long one
    await refused(await put(readId, content), [{ pointer: '/targets/1/measurement/caliper/shortAxis', detail: /short axis is 5\.00 mm/ }]);
    content.targets[1].measurement.caliper = caliper(1, 14, 9.8);
    // the baseline series is not this timepoint's
    const wrong = structuredClone(content);
    wrong.targets[0].measurement!.caliper = caliper(0, 20);
    await refused(await put(readId, wrong), [{ pointer: '/targets/0/measurement/caliper/seriesId' }]);
    const saved = await put(readId, content);
    expect(saved.status, await saved.clone().text()).toBe(200);
  });
});
