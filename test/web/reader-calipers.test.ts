// The calipers a read records, web side, run in Node against the server's rules: what the read screen writes when
// the reader accepts or edits an AI proposal passes the server's caliper check (measurement-caliper.ts) on the
// series it was seen on, and the adjudication's reading of both reads (which reader, which axis, which slice).
import { describe, expect, it } from 'vitest';
import { caliperProblems } from '../../src/domain/reading/measurement-caliper.js';
import type { ReadContent as ServerReadContent } from '../../src/domain/reading/read-content.js';
import type { VolumeGeometry } from '../../src/domain/volume.js';
import type { ReadContent } from '../../web/src/reading/model.js';
import { READER_LABEL, caliperOf, calipersOfPair, calipersOfRead } from '../../web/src/reading/reader-calipers.js';
import { type Caliper, acceptedMeasurement, caliperMm, editedMeasurement, measurementCaliper, moveEnd, roundMm } from '../../web/src/viewer/ai-proposal.js';
import { type SeriesGeometry, pointOnSlice, voxelToPatient } from '../../web/src/viewer/series-geometry.js';

// an oblique-free axial series: 200 x 180 pixels of 0.78 mm, 60 slices of 2.5 mm
const G: VolumeGeometry & SeriesGeometry = { dims: [200, 180, 60], spacingMm: [0.78, 0.78, 2.5], originMm: [-78, -70, -40], rowDir: [1, 0, 0], colDir: [0, 1, 0], sliceDir: [0, 0, 1] };
const source = { modelId: 'lesion-seg-v1', version: '1.0.0', sha256: 'b'.repeat(64) };
const at = (i: number, j: number, k: number) => voxelToPatient(G, [i, j, k]);
// an AI proposal on slice 23: long axis 31.7 px wide diagonal, short axis across it
const long: Caliper = { from: at(80.5, 60, 23), to: at(110, 72.5, 23) };
const short: Caliper = { from: at(97, 58.5, 23), to: at(92.5, 75, 23) };
const serverCheck = (m: unknown, nodal = false) =>
  caliperProblems({ imaging: { modality: 'CT', sliceThicknessMm: 2.5 }, targets: [{ id: 'T1', organ: 'lung', location: 'RUL', nodal, measurement: m as never }], nonTargets: [] } as ServerReadContent, new Map([['S1', G]]));

describe('web: the caliper a read records', () => {
  it('accepting writes the proposal\'s caliper, and the server agrees that it is the recorded length', () => {
    const proposal = caliperMm(long);
    const m = acceptedMeasurement(proposal, source, measurementCaliper('S1', 23, long, short));
    expect(m.caliper).toEqual({ seriesId: 'S1', k: 23, longAxis: { fromMm: long.from, toMm: long.to }, shortAxis: { fromMm: short.from, toMm: short.to } });
    expect(serverCheck(m)).toEqual([]);
    // a node is measured on the short axis
    expect(serverCheck(acceptedMeasurement(caliperMm(short), source, measurementCaliper('S1', 23, long, short)), true)).toEqual([]);
    // without a caliper (no proposal seen) nothing is added
    expect(acceptedMeasurement(proposal, source)).not.toHaveProperty('caliper');
  });

  it('editing writes the moved caliper with its rounded length, on the slice it was edited on', () => {
    const proposal = caliperMm(long);
    // the reader drags the second end to a point the viewport gives off the slice plane: it is put on slice 23
    const dragged = pointOnSlice(G, [12.34, -5.67, 19.9], 23)!;
    const moved = moveEnd(long, 'to', dragged);
    const m = editedMeasurement(proposal, source, caliperMm(moved), measurementCaliper('S1', 23, moved, short));
    expect(m.decision).toBe('edited');
    expect(m.finalMm).toBe(roundMm(Math.hypot(moved.to[0] - moved.from[0], moved.to[1] - moved.from[1], moved.to[2] - moved.from[2])));
    expect(m.caliper?.longAxis.toMm).toEqual(dragged);
    expect(serverCheck(m)).toEqual([]);
    // the same caliper claimed on another slice or series is refused by the server
    expect(serverCheck({ ...m, caliper: { ...m.caliper, k: 24 } }).map((p) => p.pointer)).toEqual(['/targets/0/measurement/caliper/longAxis/fromMm', '/targets/0/measurement/caliper/longAxis/toMm', '/targets/0/measurement/caliper/shortAxis/fromMm', '/targets/0/measurement/caliper/shortAxis/toMm']);
    expect(serverCheck({ ...m, caliper: { ...m.caliper, seriesId: 'S9' } }).map((p) => p.pointer)).toEqual(['/targets/0/measurement/caliper/seriesId']);
  });
});

describe('web: both readers\' calipers for the adjudicator', () => {
  const c = (k: number) => ({ seriesId: 'S1', k, longAxis: { fromMm: [0, 0, k], toMm: [20, 0, k] }, shortAxis: { fromMm: [10, -4, k], toMm: [10, 4, k] } });
  const r1Base: ReadContent = {
    targets: [
      { id: 'T1', organ: 'liver', location: 'VII', nodal: false, measurement: { finalMm: 20, aiProposalMm: 20, aiSource: source, decision: 'accepted', caliper: c(5) } },
      { id: 'T2', organ: 'lymph_node', location: 'hilar', nodal: true, measurement: { finalMm: 8, aiProposalMm: 8, aiSource: source, decision: 'accepted', caliper: c(9) } },
      { id: 'T3', organ: 'lung', location: 'RUL', nodal: false, measurement: { finalMm: 15, decision: 'manual' } },
    ],
    nonTargets: [],
  };
  const r2Base: ReadContent = { targets: [{ id: 'A', organ: 'liver', location: 'VII', nodal: false, measurement: { finalMm: 21.5, aiProposalMm: 20, aiSource: source, decision: 'edited', caliper: c(6) } }], nonTargets: [] };

  it('reads each reader\'s calipers with the measured axis and the recorded value; a lesion without one is left out', () => {
    const all = calipersOfPair({ 1: r1Base, 2: r2Base }, null);
    expect(all.map((x) => [x.readerNo, x.lesionId, x.k, x.measured, x.finalMm])).toEqual([
      [1, 'T1', 5, 'long', 20],
      [1, 'T2', 9, 'short', 8],
      [2, 'A', 6, 'long', 21.5],
    ]);
    expect(caliperOf(all, 2, 'A')?.k).toBe(6);
    expect(caliperOf(all, 1, 'A')).toBeNull();
    expect(caliperOf(all, 1, 'T3')).toBeNull();
    expect(calipersOfPair({ 1: null, 2: r2Base }, null).map((x) => x.readerNo)).toEqual([2]);
    expect(Object.values(READER_LABEL)).toEqual(['Reader 1', 'Reader 2']);
  });

  it('takes a follow-up target\'s node status from that reader\'s baseline', () => {
    const followup: ReadContent = { targets: [{ id: 'T2', status: 'measured', measurement: { finalMm: 7, decision: 'manual', caliper: c(11) } }], nonTargets: [], newLesions: [{ id: 'N1', organ: 'bone', nodal: false, irecistType: 'NLT', status: 'present', measurement: { finalMm: 20, decision: 'manual', caliper: c(3) } }] };
    expect(calipersOfRead(1, followup, r1Base).map((x) => [x.lesionId, x.measured])).toEqual([['T2', 'short'], ['N1', 'long']]);
    expect(calipersOfRead(2, followup, r2Base).map((x) => [x.lesionId, x.measured])).toEqual([['T2', 'long'], ['N1', 'long']]);
  });
});
