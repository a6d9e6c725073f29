// The reader's own caliper, web side, against the server's rules: what a hand-drawn line records passes the
// server's caliper check (measured axis = finalMm, endpoints on the slice) and its read rules (manual without a
// proposal, rejected keeping one); a node needs its short axis; a line placed from the keyboard lies on the slice
// and inside the image; a recorded hand-drawn caliper is read back to draw and edit, an AI one is not.
import { describe, expect, it } from 'vitest';
import { caliperProblems } from '../../src/domain/reading/measurement-caliper.js';
import { type ReadContent as ServerReadContent, readContentProblems } from '../../src/domain/reading/read-content.js';
import type { VolumeGeometry } from '../../src/domain/volume.js';
import type { Measurement } from '../../web/src/reading/model.js';
import { chooseOnAi, typedFinal } from '../../web/src/reading/read-form.js';
import { type Caliper, acceptedMeasurement, caliperMm, measurementCaliper, moveEnd, roundMm } from '../../web/src/viewer/ai-proposal.js';
import { handMeasurement, keyboardLine, measuredLine, recordedHandCaliper } from '../../web/src/viewer/manual-caliper.js';
import { type SeriesGeometry, distanceMm, onSlice, patientToVoxel, pointOnSlice, voxelToPatient } from '../../web/src/viewer/series-geometry.js';

// an oblique series (rotated about the slice axis), 160 x 140 pixels of 0.7 x 0.8 mm, 30 slices of 3 mm
const c = Math.cos(0.3);
const s = Math.sin(0.3);
const G: VolumeGeometry & SeriesGeometry = { dims: [160, 140, 30], spacingMm: [0.7, 0.8, 3], originMm: [-60, -50, 20], rowDir: [c, s, 0], colDir: [-s, c, 0], sliceDir: [0, 0, 1] };
const at = (i: number, j: number, k: number) => voxelToPatient(G, [i, j, k]);
const ai = { modelId: 'lesion-seg-v1', version: '1.0.0', sha256: 'c'.repeat(64) };
const content = (m: Measurement, nodal: boolean) => ({ imaging: { modality: 'CT', sliceThicknessMm: 3 }, targets: [{ id: 'T1', organ: nodal ? 'lymph_node' : 'lung', location: 'RUL', nodal, measurement: m }], nonTargets: [] }) as ServerReadContent;
const serverProblems = (m: Measurement, nodal = false) => [...caliperProblems(content(m, nodal), new Map([['S1', G]])), ...readContentProblems('baseline', content(m, nodal))];

describe('web: a caliper drawn by hand', () => {
  // a drag from one pointer position to another, each taken onto slice 12 as the viewer does (pointOnSlice)
  const long: Caliper = { from: pointOnSlice(G, at(40.3, 70.2, 12.4), 12)!, to: pointOnSlice(G, at(77.9, 81.6, 11.7), 12)! };

  it('records manual, its length rounded to 0.1 mm as finalMm, and the caliper the server accepts', () => {
    const m = handMeasurement(undefined, { seriesId: 'S1', k: 12, long, short: null }, false)!;
    expect(m).toEqual({ finalMm: caliperMm(long), decision: 'manual', caliper: measurementCaliper('S1', 12, long, null) });
    expect(m.finalMm).toBe(roundMm(distanceMm(long.from, long.to)));
    expect(m.finalMm).toBeGreaterThan(25);
    expect(serverProblems(m)).toEqual([]);
    // the same line moved by a handle is measured again
    const moved = moveEnd(long, 'to', pointOnSlice(G, at(90, 60, 12), 12)!);
    const again = handMeasurement(m, { seriesId: 'S1', k: 12, long: moved, short: null }, false)!;
    expect(again.finalMm).toBe(caliperMm(moved));
    expect(again.finalMm).not.toBe(m.finalMm);
    expect(serverProblems(again)).toEqual([]);
  });

  it('measures a node on its short axis and records nothing until it is drawn', () => {
    const short: Caliper = { from: pointOnSlice(G, at(60, 66, 12), 12)!, to: pointOnSlice(G, at(57, 84, 12), 12)! };
    expect(measuredLine({ long, short: null }, true)).toBeNull();
    expect(handMeasurement(undefined, { seriesId: 'S1', k: 12, long, short: null }, true)).toBeNull();
    const m = handMeasurement(undefined, { seriesId: 'S1', k: 12, long, short }, true)!;
    expect(m.finalMm).toBe(caliperMm(short));
    expect(m.caliper?.shortAxis).toEqual({ fromMm: short.from, toMm: short.to });
    expect(serverProblems(m, true)).toEqual([]);
    // the server would refuse the long axis's length as a node's value
    expect(serverProblems({ ...m, finalMm: caliperMm(long) }, true).map((p) => p.pointer)).toEqual(['/targets/0/measurement/caliper/shortAxis']);
  });

  it('over an AI proposal on record keeps the proposal and records the reader\'s value as a rejection', () => {
    const proposal = acceptedMeasurement(31.5, ai);
    const m = handMeasurement(proposal, { seriesId: 'S1', k: 12, long, short: null }, false)!;
    expect(m).toMatchObject({ finalMm: caliperMm(long), aiProposalMm: 31.5, aiSource: ai, decision: 'rejected' });
    expect(serverProblems(m)).toEqual([]);
    expect(recordedHandCaliper(m)?.long).toEqual(long);
  });

  it('reads back the hand-drawn caliper a read records, and not an AI one or one dropped by typing', () => {
    const m = handMeasurement(undefined, { seriesId: 'S1', k: 12, long, short: null }, false)!;
    expect(recordedHandCaliper(m)).toEqual({ seriesId: 'S1', k: 12, long, short: null });
    expect(recordedHandCaliper(acceptedMeasurement(20, ai, measurementCaliper('S1', 12, long, null)))).toBeNull();
    expect(recordedHandCaliper(typedFinal(m, 40))).toBeNull();
    expect(recordedHandCaliper(chooseOnAi({ ...acceptedMeasurement(20, ai, measurementCaliper('S1', 12, long, null)), aiProposalMm: 20 }, 'reject'))).toBeNull();
    expect(recordedHandCaliper(undefined)).toBeNull();
  });

  it('places a line from the keyboard through the slice centre, on the slice and inside the image', () => {
    for (const axis of ['long', 'short'] as const) {
      const line = keyboardLine(G, 7, axis);
      for (const p of [line.from, line.to]) {
        expect(onSlice(G, p, 7)).toBe(true);
        const [i, j] = patientToVoxel(G, p);
        expect(i > -1e-9 && i < G.dims[0] - 1 + 1e-9 && j > -1e-9 && j < G.dims[1] - 1 + 1e-9).toBe(true);
      }
      expect(distanceMm(line.from, line.to)).toBeCloseTo(16 * G.spacingMm[axis === 'long' ? 0 : 1], 6);
    }
    const node = handMeasurement(undefined, { seriesId: 'S1', k: 7, long: keyboardLine(G, 7, 'long'), short: keyboardLine(G, 7, 'short') }, true)!;
    expect(node.finalMm).toBe(12.8);
    expect(serverProblems(node, true)).toEqual([]);
    // a tiny image still gets a line inside it
    const tiny: SeriesGeometry = { ...G, dims: [5, 5, 1] };
    const [i] = patientToVoxel(tiny, keyboardLine(tiny, 0, 'long').to);
    expect(i).toBeCloseTo(4, 9);
  });
});
