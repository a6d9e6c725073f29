import { describe, expect, it } from 'vitest';
import { type Measurement, type ReadContent, readContentProblems } from './read-content.js';

const ai = { modelId: 'seg', version: '1', sha256: 'f'.repeat(64) };
const base = (m: Measurement): ReadContent => ({
  imaging: { modality: 'CT', sliceThicknessMm: 5 },
  targets: [{ id: 'T1', organ: 'liver', location: 'segment VII', nodal: false, measurement: m }],
  nonTargets: [{ id: 'NT1', organ: 'bone', location: 'L3', nodal: false }],
});

describe(readContentProblems.name, () => {
  it.each([
    ['manual', { finalMm: 20, decision: 'manual' }, []],
    ['accepted', { finalMm: 20, aiProposalMm: 20, aiSource: ai, decision: 'accepted' }, []],
    ['edited', { finalMm: 21, aiProposalMm: 20, aiSource: ai, decision: 'edited' }, []],
    ['rejected', { finalMm: 35, aiProposalMm: 20, aiSource: ai, decision: 'rejected' }, []],
    ['accepted but changed', { finalMm: 21, aiProposalMm: 20, aiSource: ai, decision: 'accepted' }, ['/targets/0/measurement/finalMm']],
    ['edited but unchanged', { finalMm: 20, aiProposalMm: 20, aiSource: ai, decision: 'edited' }, ['/targets/0/measurement/finalMm']],
    ['manual with a proposal present', { finalMm: 20, aiProposalMm: 20, aiSource: ai, decision: 'manual' }, ['/targets/0/measurement/decision']],
    ['accepted without a proposal', { finalMm: 20, decision: 'accepted' }, ['/targets/0/measurement/decision']],
    ['a proposal without its model', { finalMm: 20, aiProposalMm: 20, decision: 'accepted' }, ['/targets/0/measurement/aiSource']],
  ] as Array<[string, Measurement, string[]]>)('AI decision: %s', (_n, m, pointers) => {
    expect(readContentProblems('baseline', base(m)).map((p) => p.pointer)).toEqual(pointers);
  });

  it('wants every baseline lesion assessed at follow-up, and nothing else', () => {
    const b = base({ finalMm: 20, decision: 'manual' });
    const f: ReadContent = { targets: [{ id: 'T2', status: 'measured', measurement: { finalMm: 3, decision: 'manual' } }], nonTargets: [{ id: 'NT1' }], newLesions: [] };
    expect(readContentProblems('followup', f, b).map((p) => p.detail)).toEqual([
      'target T1 from baseline has no assessment',
      'target T2 is not a baseline target',
      "state the non-target's status",
    ]);
    expect(readContentProblems('followup', { ...f, assessed: false }, b)).toEqual([]);
  });

  it('wants split fragments and the lesion a coalesced target merged into', () => {
    const b: ReadContent = { ...base({ finalMm: 20, decision: 'manual' }), targets: [...base({ finalMm: 20, decision: 'manual' }).targets, { id: 'T2', organ: 'lung', location: 'RUL', nodal: false, measurement: { finalMm: 15, decision: 'manual' } }] };
    const f: ReadContent = { targets: [{ id: 'T1', status: 'split' }, { id: 'T2', status: 'coalesced', coalescedInto: 'T2' }], nonTargets: [{ id: 'NT1', status: 'present' }] };
    expect(readContentProblems('followup', f, b).map((p) => p.pointer)).toEqual(['/targets/0/fragmentsMm', '/targets/1/coalescedInto']);
  });

  it('refuses duplicate lesion ids', () => {
    const c = base({ finalMm: 20, decision: 'manual' });
    c.nonTargets[0].id = 'T1';
    expect(readContentProblems('baseline', c).map((p) => p.detail)).toEqual(['lesion id T1 is used twice']);
  });
});
