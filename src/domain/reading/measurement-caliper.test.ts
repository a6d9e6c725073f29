import { describe, expect, it } from 'vitest';
import type { VolumeGeometry } from '../volume.js';
import { type MeasurementCaliper, caliperProblems } from './measurement-caliper.js';
import type { Measurement, ReadContent } from './read-content.js';

// 100 x 100 pixels of 0.8 mm, 20 slices of 2.5 mm; axial, origin at (-40, -40, 0)
const GRID: VolumeGeometry = { dims: [100, 100, 20], spacingMm: [0.8, 0.8, 2.5], originMm: [-40, -40, 0], rowDir: [1, 0, 0], colDir: [0, 1, 0], sliceDir: [0, 0, 1] };
const SERIES = new Map([['S1', GRID]]);
const ai = { modelId: 'seg', version: '1', sha256: 'f'.repeat(64) };
// on slice 4 (z = 10): long axis 30 mm along x, short axis 12.34 mm along y
const caliper = (over: Partial<MeasurementCaliper> = {}): MeasurementCaliper => ({
  seriesId: 'S1',
  k: 4,
  longAxis: { fromMm: [-15, 0, 10], toMm: [15, 0, 10] },
  shortAxis: { fromMm: [0, -6.17, 10], toMm: [0, 6.17, 10] },
  ...over,
});
const read = (m: Measurement, nodal = false): ReadContent => ({ targets: [{ id: 'T1', organ: 'liver', location: 'segment VII', nodal, measurement: m }], nonTargets: [] });
const pointers = (c: ReadContent, baseline?: ReadContent) => caliperProblems(c, SERIES, baseline).map((p) => p.pointer);

describe(caliperProblems.name, () => {
  it.each([
    ['accepted, exact', { finalMm: 30, aiProposalMm: 30, aiSource: ai, decision: 'accepted', caliper: caliper() }, []],
    ['edited, rounded to 0.1 mm', { finalMm: 30, aiProposalMm: 28, aiSource: ai, decision: 'edited', caliper: caliper({ longAxis: { fromMm: [-15, 0, 10], toMm: [15.049, 0, 10] } }) }, []],
    ['manual, no short axis', { finalMm: 30, decision: 'manual', caliper: caliper({ shortAxis: undefined }) }, []],
    ['no caliper', { finalMm: 30, decision: 'manual' }, []],
    ['length off by more than rounding', { finalMm: 30.1, aiProposalMm: 30.1, aiSource: ai, decision: 'accepted', caliper: caliper() }, ['/targets/0/measurement/caliper/longAxis']],
    ['rejected, caliper not the typed value', { finalMm: 41, aiProposalMm: 30, aiSource: ai, decision: 'rejected', caliper: caliper() }, ['/targets/0/measurement/caliper/longAxis']],
    ['unknown series', { finalMm: 30, decision: 'manual', caliper: caliper({ seriesId: 'S2' }) }, ['/targets/0/measurement/caliper/seriesId']],
    ['slice out of range', { finalMm: 30, decision: 'manual', caliper: caliper({ k: 20 }) }, ['/targets/0/measurement/caliper/k']],
    ['endpoint on another slice', { finalMm: 30, decision: 'manual', caliper: caliper({ longAxis: { fromMm: [-15, 0, 10], toMm: [15, 0, 12] } }) }, ['/targets/0/measurement/caliper/longAxis/toMm']],
    ['endpoint off the image', { finalMm: 30, decision: 'manual', caliper: caliper({ longAxis: { fromMm: [-45, 0, 10], toMm: [-15, 0, 10] } }) }, ['/targets/0/measurement/caliper/longAxis/fromMm']],
    ['not finite', { finalMm: 30, decision: 'manual', caliper: caliper({ longAxis: { fromMm: [Number.POSITIVE_INFINITY, 0, 10], toMm: [15, 0, 10] } }) }, ['/targets/0/measurement/caliper/longAxis/fromMm']],
  ] as Array<[string, Measurement, string[]]>)('%s', (_, m, want) => {
    expect(pointers(read(m))).toEqual(want);
  });

  it('measures a lymph node on its short axis, which it then requires', () => {
    expect(pointers(read({ finalMm: 12.3, decision: 'manual', caliper: caliper() }, true))).toEqual([]);
    expect(pointers(read({ finalMm: 30, decision: 'manual', caliper: caliper() }, true))).toEqual(['/targets/0/measurement/caliper/shortAxis']);
    expect(caliperProblems(read({ finalMm: 30, decision: 'manual', caliper: caliper({ shortAxis: undefined }) }, true), SERIES)).toEqual([
      { pointer: '/targets/0/measurement/caliper/shortAxis', detail: 'a lymph node is measured on its short axis: give its endpoints' },
    ]);
  });

  it('takes nodal from the baseline for a follow-up target, and checks new lesions', () => {
    const followup: ReadContent = {
      targets: [{ id: 'T1', status: 'measured', measurement: { finalMm: 12.3, decision: 'manual', caliper: caliper() } }],
      nonTargets: [],
      newLesions: [{ id: 'N1', organ: 'lung', nodal: false, irecistType: 'NLT', status: 'present', measurement: { finalMm: 29, decision: 'manual', caliper: caliper() } }],
    };
    expect(pointers(followup, read({ finalMm: 20, decision: 'manual' }, true))).toEqual(['/newLesions/0/measurement/caliper/longAxis']);
    expect(pointers(followup, read({ finalMm: 20, decision: 'manual' }, false))).toEqual(['/targets/0/measurement/caliper/longAxis', '/newLesions/0/measurement/caliper/longAxis']);
  });
});
