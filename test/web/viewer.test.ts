// The image viewer's pure parts, run in Node against the server's own code: the browser's mask decoder against the
// server's encoder and decoder (corelab-mask-rle v1), the outline drawn from a mask, the series geometry against
// src/domain/volume.ts, linked scrolling, window presets, and what the reader's choice on an AI proposal writes
// into the read, checked with the server's read rules (readContentProblems).
import { describe, expect, it } from 'vitest';
import { decodeMaskRle as serverDecode, encodeMaskRle } from '../../src/domain/mask/mask-rle.js';
import { type ReadContent as ServerReadContent, readContentProblems } from '../../src/domain/reading/read-content.js';
import { type VolumeGeometry, patientToVoxel as serverPatientToVoxel, voxelToPatient as serverVoxelToPatient } from '../../src/domain/volume.js';
import { measurableLesions, measurementOf, withMeasurement } from '../../web/src/reading/lesion-measurements.js';
import type { ReadContent } from '../../web/src/reading/model.js';
import {
  type Segmentation,
  acceptedMeasurement,
  caliperMm,
  editedMeasurement,
  moveEnd,
  proposedMm,
  rejectedMeasurement,
  roundMm,
  sourceSegmentation,
  viewOf,
} from '../../web/src/viewer/ai-proposal.js';
import { type RleMask, decodeMaskRle, maskOutline } from '../../web/src/viewer/mask-rle.js';
import { type SeriesGeometry, geometryOf, linkOffsetMm, linkedSlice, onSlice, patientToVoxel, pointOnSlice, voxelToPatient } from '../../web/src/viewer/series-geometry.js';
import { WINDOW_PRESETS, describeWindow, presetOf, voiRangeOf, windowOfRange } from '../../web/src/viewer/window-presets.js';

/** The server's encoding as the contract types it (JSON: its readonly tuple is a plain array on the wire). */
const asWire = (rle: ReturnType<typeof encodeMaskRle>): RleMask => JSON.parse(JSON.stringify(rle));

function mulberry(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A blobby mask: a few spheres on the grid, plus noise voxels (long and short runs, several slices). */
function randomMask(dims: [number, number, number], seed: number): Uint8Array {
  const rand = mulberry(seed);
  const [nx, ny, nz] = dims;
  const m = new Uint8Array(nx * ny * nz);
  for (let s = 0; s < 3; s++) {
    const c = [rand() * nx, rand() * ny, rand() * nz];
    const r = 1 + rand() * Math.min(nx, ny) * 0.3;
    for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) if ((i - c[0]) ** 2 + (j - c[1]) ** 2 + ((k - c[2]) * 2) ** 2 <= r * r) m[i + j * nx + k * nx * ny] = 1;
  }
  for (let n = 0; n < 10; n++) m[Math.floor(rand() * m.length)] = 1;
  return m;
}

describe('viewer: corelab-mask-rle v1 in the browser', () => {
  it.each([
    [[40, 30, 12], 1],
    [[200, 160, 5], 2],
    [[7, 5, 3], 3],
    [[300, 2, 4], 4],
  ] as Array<[[number, number, number], number]>)('decodes what the server encodes, slice by slice (%j)', (dims, seed) => {
    const mask = randomMask(dims, seed);
    const rle = asWire(encodeMaskRle(mask, dims));
    const decoded = decodeMaskRle(rle);
    const plane = dims[0] * dims[1];
    expect(decoded.voxelCount).toBe(rle.voxelCount);
    for (let k = 0; k < dims[2]; k++) {
      const want = mask.subarray(k * plane, (k + 1) * plane);
      const got = decoded.slice(k) ?? new Uint8Array(plane);
      expect(Buffer.from(got).equals(Buffer.from(want)), `slice ${k}`).toBe(true);
    }
    expect(decoded.slice(-1)).toBeNull();
    expect(decoded.slice(dims[2])).toBeNull();
  });

  it('decodes a mask with runs longer than 127 voxels (multi-byte varints) and an empty mask', () => {
    const dims: [number, number, number] = [300, 300, 2];
    const mask = new Uint8Array(300 * 300 * 2);
    mask.fill(1, 300 * 300 + 1000, 300 * 300 + 50_000);
    expect(Buffer.from(decodeMaskRle(asWire(encodeMaskRle(mask, dims))).slice(1)!).equals(Buffer.from(mask.subarray(90_000)))).toBe(true);
    const empty = decodeMaskRle(asWire(encodeMaskRle(new Uint8Array(8), [2, 2, 2])));
    expect([empty.voxelCount, empty.slice(0), empty.slice(1)]).toEqual([0, null, null]);
  });

  const good = () => asWire(encodeMaskRle(randomMask([20, 10, 6], 9), [20, 10, 6]));
  it.each<[string, (r: RleMask) => unknown]>([
    ['another format', (r) => ({ ...r, format: 'rle' })],
    ['a later version', (r) => ({ ...r, version: 2 })],
    ['bad dims', (r) => ({ ...r, dims: [20, 10] })],
    ['a wrong voxel count', (r) => ({ ...r, voxelCount: r.voxelCount + 1 })],
    ['slices past the grid', (r) => ({ ...r, firstSlice: 6 })],
    ['non-canonical base64 (no padding)', (r) => ({ ...r, slices: r.slices.map((s, i) => (i === 0 ? s.replace(/=+$/, '') : s)) })],
    ['characters outside base64', (r) => ({ ...r, slices: r.slices.map((s, i) => (i === 0 ? `*${s}` : s)) })],
    ['an empty first stored slice', (r) => ({ ...r, firstSlice: r.firstSlice - 1 < 0 ? 0 : r.firstSlice - 1, slices: ['', ...r.slices] })],
    ['a run past the end of the slice', (r) => ({ ...r, slices: r.slices.map((s, i) => (i === 0 ? Buffer.from([0x7f, 0x7f]).toString('base64') : s)) })],
    ['a redundant varint byte', (r) => ({ ...r, slices: r.slices.map((s, i) => (i === 0 ? Buffer.from([0x81, 0x00, 0x01]).toString('base64') : s)) })],
  ])('refuses %s, as the server does', (_, corrupt) => {
    const bad = corrupt(good()) as RleMask;
    expect(() => serverDecode(bad as never)).toThrow(/mask encoding/);
    expect(() => decodeMaskRle(bad)).toThrow(/mask encoding/);
  });

  it('outlines a mask along voxel edges, joined into straight pieces', () => {
    // A 2×2 square at (1..2, 1..2) of a 4×4 slice: four sides of length 2.
    const sq = new Uint8Array(16);
    for (const [i, j] of [[1, 1], [2, 1], [1, 2], [2, 2]]) sq[i + j * 4] = 1;
    expect(maskOutline(sq, 4, 4)).toEqual([
      { from: [0.5, 0.5], to: [2.5, 0.5] },
      { from: [0.5, 2.5], to: [2.5, 2.5] },
      { from: [0.5, 0.5], to: [0.5, 2.5] },
      { from: [2.5, 0.5], to: [2.5, 2.5] },
    ]);
    // An L: every edge between inside and outside is drawn once; the total length is the perimeter (8 for 3 voxels).
    const l = new Uint8Array(9);
    for (const [i, j] of [[0, 0], [0, 1], [1, 1]]) l[i + j * 3] = 1;
    const length = maskOutline(l, 3, 3).reduce((n, e) => n + Math.hypot(e.to[0] - e.from[0], e.to[1] - e.from[1]), 0);
    expect(length).toBe(8);
  });
});

const oblique: SeriesGeometry = {
  dims: [128, 100, 40],
  spacingMm: [0.8, 0.7, 2.5],
  originMm: [-51.2, -30, 12.5],
  rowDir: [Math.SQRT1_2, Math.SQRT1_2, 0],
  colDir: [-Math.SQRT1_2, Math.SQRT1_2, 0],
  sliceDir: [0, 0, 1],
};

describe('viewer: series geometry (patient coordinates, DICOM LPS mm)', () => {
  it('agrees with the server\'s voxel/patient conversion and inverts it', () => {
    const server = oblique as unknown as VolumeGeometry;
    for (const v of [[0, 0, 0], [12.5, 40.25, 7], [127, 99, 39]]) {
      const p = voxelToPatient(oblique, v);
      expect(p.map((x) => +x.toFixed(9))).toEqual(serverVoxelToPatient(server, v as never).map((x) => +x.toFixed(9)));
      expect(patientToVoxel(oblique, p).map((x) => +x.toFixed(9))).toEqual(v.map((x) => +x.toFixed(9)));
      expect(serverPatientToVoxel(server, p).map((x) => +x.toFixed(9))).toEqual(v.map((x) => +x.toFixed(9)));
    }
  });

  it('reads the geometry of a listed series, and none from a series without a volume', () => {
    const listed = { id: 's', geometry: { dims: [128, 100, 40], spacingMm: [0.8, 0.7, 2.5], originMm: [-51.2, -30, 12.5], rowDir: oblique.rowDir, colDir: oblique.colDir, sliceDir: [0, 0, 1], slices: 40, coverageMm: 97.5 } };
    expect(geometryOf(listed)).toEqual(oblique);
    expect(geometryOf({ geometry: null })).toBeNull();
    expect(geometryOf({ geometry: { ...listed.geometry, spacingMm: [0, 1, 1] } })).toBeNull();
  });

  it('puts a pointed-at world point on the slice plane, and refuses one outside the image', () => {
    const world = voxelToPatient(oblique, [30.2, 60.7, 11.9]);
    const p = pointOnSlice(oblique, world, 12)!;
    expect(patientToVoxel(oblique, p).map((x) => +x.toFixed(6))).toEqual([30.2, 60.7, 12]);
    expect(onSlice(oblique, p, 12)).toBe(true);
    expect(onSlice(oblique, p, 13)).toBe(false);
    expect(pointOnSlice(oblique, voxelToPatient(oblique, [-1, 5, 3]), 3)).toBeNull();
    expect(pointOnSlice(oblique, voxelToPatient(oblique, [5, 100, 3]), 3)).toBeNull();
  });

  it('links scrolling by patient position across series of different spacing and start, with the reader\'s offset', () => {
    const baseline: SeriesGeometry = { dims: [64, 64, 80], spacingMm: [1, 1, 1.25], originMm: [0, 0, -20], rowDir: [1, 0, 0], colDir: [0, 1, 0], sliceDir: [0, 0, 1] };
    const followup: SeriesGeometry = { ...baseline, dims: [64, 64, 40], spacingMm: [1, 1, 2.5], originMm: [0, 0, 5] };
    // follow-up slice 10 is at z = 30 mm; baseline z = 30 is slice (30 + 20) / 1.25 = 40
    expect(linkedSlice(followup, 10, baseline)).toBe(40);
    expect(linkedSlice(baseline, 40, followup)).toBe(10);
    // beyond the other series' coverage the nearest end is shown
    expect(linkedSlice(followup, 39, baseline)).toBe(79);
    expect(linkedSlice(baseline, 0, followup)).toBe(0);
    // re-linked with the baseline 4 slices (5 mm) further on: the offset holds both ways
    const offset = linkOffsetMm(followup, 10, baseline, 44);
    expect(offset).toBeCloseTo(5);
    expect(linkedSlice(followup, 12, baseline, offset)).toBe(48);
    expect(linkedSlice(baseline, 48, followup, -offset)).toBe(12);
  });
});

describe('viewer: window presets', () => {
  it('has the four CT presets with their keys, and turns windows into display ranges and back', () => {
    expect(WINDOW_PRESETS.map((p) => [p.label, p.width, p.center, p.key])).toEqual([
      ['Lung', 1500, -600, '1'],
      ['Soft tissue', 400, 40, '2'],
      ['Liver', 150, 90, '3'],
      ['Bone', 1800, 400, '4'],
    ]);
    expect(voiRangeOf({ center: -600, width: 1500 })).toEqual({ lower: -1350, upper: 150 });
    expect(windowOfRange({ lower: -1350, upper: 150 })).toEqual({ center: -600, width: 1500 });
    expect(presetOf({ center: 90.2, width: 150 })?.id).toBe('liver');
    expect(describeWindow({ center: 40, width: 400 })).toBe('W 400 / L 40 (Soft tissue)');
    expect(describeWindow({ center: 55.4, width: 310.6 })).toBe('W 311 / L 55');
  });
});

const SOURCE = { modelId: 'lesion-seg-v1', modelVersion: '1.0.0', modelSha256: 'b'.repeat(64), executionProvider: 'cpu' };
const line = (from: number[], to: number[]) => ({ lengthMm: Math.hypot(to[0] - from[0], to[1] - from[1], to[2] - from[2]), fromPatientMm: from, toPatientMm: to, fromVoxel: [0, 0, 0], toVoxel: [0, 0, 0] });
const done = (id: string, long: [number[], number[]], short: [number[], number[]], extra: Partial<Segmentation> = {}): Segmentation => ({
  id,
  seriesId: 'series-1',
  kind: 'prompt',
  state: 'done',
  outcome: 'segmented',
  jobId: `job-${id}`,
  createdAt: '2026-01-01T00:00:00Z',
  confidence: 0.91,
  measurement: { k: 20, longAxis: line(...long), shortAxis: line(...short), volumeMm3: 1000, voxelCount: 100, boundaryConvention: 'voxel-centres' },
  provenance: SOURCE,
  ...extra,
});

describe('viewer: the reader\'s choice on an AI proposal, as the read records it', () => {
  const seg = done('a', [[10, 0, 100], [40.04, 0, 100]], [[25, -11, 100], [25, 11, 100]]);

  it('reads a segmentation: running, failed, nothing found, or a proposal with both axes', () => {
    expect(viewOf({ ...seg, state: 'running', measurement: null })).toEqual({ kind: 'pending', state: 'running' });
    expect(viewOf({ ...seg, state: 'failed', error: 'model crashed' })).toEqual({ kind: 'failed', detail: 'model crashed' });
    expect(viewOf({ ...seg, outcome: 'nothing-found', measurement: null })).toMatchObject({ kind: 'nothing' });
    expect(viewOf({ ...seg, kind: 'propagation', outcome: 'not-found', measurement: null })).toMatchObject({ kind: 'nothing', detail: expect.stringMatching(/not found/) });
    const v = viewOf(seg);
    expect(v).toMatchObject({ kind: 'proposal', k: 20, longMm: 30, shortMm: 22, confidence: 0.91, source: { modelId: 'lesion-seg-v1', version: '1.0.0', sha256: 'b'.repeat(64) } });
    if (v.kind !== 'proposal') throw new Error('not a proposal');
    expect(proposedMm(v, false)).toBe(30);
    expect(proposedMm(v, true)).toBe(22);
  });

  it('measures an edited caliper again in patient mm (to a tenth of a millimetre)', () => {
    const v = viewOf(seg);
    if (v.kind !== 'proposal') throw new Error('not a proposal');
    expect(caliperMm(v.long)).toBe(30);
    const moved = moveEnd(v.long, 'to', [40, 4, 100]);
    expect(moved.from).toEqual(v.long.from);
    expect(caliperMm(moved)).toBe(roundMm(Math.hypot(30, 4)));
  });

  it('writes accepted, edited and rejected measurements that the server\'s read rules accept', () => {
    const source = { modelId: 'lesion-seg-v1', version: '1.0.0', sha256: 'b'.repeat(64) };
    const base = (m: ReturnType<typeof acceptedMeasurement>): ServerReadContent => ({ imaging: { modality: 'CT', sliceThicknessMm: 5 }, targets: [{ id: 'T1', organ: 'lung', location: 'RUL', nodal: false, measurement: m as never }], nonTargets: [] });
    const accepted = acceptedMeasurement(30, source);
    const edited = editedMeasurement(30, source, 31.27);
    const unchanged = editedMeasurement(30, source, 30.04);
    const rejected = rejectedMeasurement(30, source, 27);
    expect(accepted).toEqual({ finalMm: 30, aiProposalMm: 30, aiSource: source, decision: 'accepted' });
    expect(edited).toEqual({ finalMm: 31.3, aiProposalMm: 30, aiSource: source, decision: 'edited' });
    expect(unchanged.decision).toBe('accepted');
    expect(rejected).toEqual({ finalMm: 27, aiProposalMm: 30, aiSource: source, decision: 'rejected' });
    for (const m of [accepted, edited, unchanged, rejected]) expect(readContentProblems('baseline', base(m))).toEqual([]);
  });

  it('finds the segmentation behind a recorded proposal (for propagation) by its value and model', () => {
    const other = done('b', [[0, 0, 50], [20, 0, 50]], [[10, -5, 50], [10, 5, 50]]);
    const list = [other, seg, { ...seg, id: 'c', kind: 'propagation' as const }];
    const source = { modelId: 'lesion-seg-v1', version: '1.0.0', sha256: 'b'.repeat(64) };
    expect(sourceSegmentation(list, { finalMm: 28, aiProposalMm: 30, aiSource: source, decision: 'rejected' }, false)?.id).toBe('a');
    expect(sourceSegmentation(list, { finalMm: 10, aiProposalMm: 10, aiSource: source, decision: 'accepted' }, true)?.id).toBe('b');
    expect(sourceSegmentation(list, { finalMm: 30, aiProposalMm: 30, aiSource: { ...source, modelId: 'other' }, decision: 'accepted' }, false)).toBeNull();
    expect(sourceSegmentation(list, { finalMm: 30, decision: 'manual' }, false)).toBeNull();
    // Where the read names the segmentation (aiSource.segmentationId in the segmentation branch's contract), it wins.
    expect(sourceSegmentation(list, { finalMm: 9, aiProposalMm: 99, aiSource: { ...source, segmentationId: 'b' } as never, decision: 'edited' }, false)?.id).toBe('b');
  });
});

describe('viewer: measurements into the read', () => {
  const baseline: ReadContent = {
    imaging: { modality: 'CT', sliceThicknessMm: 5 },
    targets: [
      { id: 'T1', organ: 'liver', location: 'VII', nodal: false, measurement: { finalMm: 30, decision: 'manual' } },
      { id: 'T2', organ: 'lymph_node', location: 'hilar', nodal: true, measurement: { finalMm: 18, decision: 'manual' } },
    ],
    nonTargets: [{ id: 'NT1', organ: 'bone', location: 'L3', nodal: false }],
  };

  it('offers the targets (organ and node from baseline at follow-up) and new lesions, not non-targets', () => {
    expect(measurableLesions(baseline, null)).toEqual([
      { id: 'T1', nodal: false, label: 'T1 · liver' },
      { id: 'T2', nodal: true, label: 'T2 · lymph_node' },
    ]);
    const followup: ReadContent = { targets: [{ id: 'T1', status: 'measured' }, { id: 'T2', status: 'disappeared' }], nonTargets: [{ id: 'NT1', status: 'present' }], newLesions: [{ id: 'N1', organ: '', nodal: false, irecistType: 'NLT', status: 'present' }] };
    expect(measurableLesions(followup, baseline)).toEqual([
      { id: 'T1', nodal: false, label: 'T1 · liver' },
      { id: 'N1', nodal: false, label: 'N1 · new lesion' },
    ]);
  });

  it('records a follow-up target measured with the AI as measured, complete by the server\'s rules', () => {
    const source = { modelId: 'lesion-seg-v1', version: '1.0.0', sha256: 'b'.repeat(64) };
    let c: ReadContent = { targets: [{ id: 'T1' }, { id: 'T2', status: 'disappeared' }], nonTargets: [{ id: 'NT1', status: 'present' }], newLesions: [] };
    c = withMeasurement(c, 'T1', acceptedMeasurement(21.5, source), true);
    expect(c.targets[0]).toEqual({ id: 'T1', status: 'measured', measurement: acceptedMeasurement(21.5, source) });
    expect(measurementOf(c, 'T1')?.finalMm).toBe(21.5);
    expect(readContentProblems('followup', c as ServerReadContent, baseline as ServerReadContent)).toEqual([]);
    // A baseline target gets no status; an unknown id changes nothing.
    expect(withMeasurement(baseline, 'T1', acceptedMeasurement(31, source), false).targets[0].status).toBeUndefined();
    expect(withMeasurement(baseline, 'T9', acceptedMeasurement(31, source), false)).toEqual({ ...baseline, newLesions: undefined });
  });
});
