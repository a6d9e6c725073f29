// The reading screens' pure rules, run in Node without a browser (they sit with the browser tests because they
// exist for those screens; nothing here needs chromium). What the editor sends is checked with the server's own
// validator for PUT .../draft (loadContract, the ajv schema compiled from openapi.yaml), and the server-side
// content rules (readContentProblems) confirm the AI decisions the form records.
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../src/api/openapi-contract.js';
import { readContentProblems } from '../../src/domain/reading/read-content.js';
import { describeTrigger, timepointPairs } from '../../web/src/reading/compare-reads.js';
import { type AdjudicationView, type Evaluation, type FinalAssessment, type ReadContent, type ReadView, labelOf } from '../../web/src/reading/model.js';
import { type AiChoice, chooseOnAi, contentForSave, describeProblem, explanationParts, nextLesionId, priorMm, startingContent, typedFinal } from '../../web/src/reading/read-form.js';
import { assignmentsFromAudit, readsFromAudit } from '../../web/src/reading/trial-reading-index.js';
import { bestPercentChange, orderBars, readOfRecord } from '../../web/src/reading/waterfall.js';

const AI = { modelId: 'lesion-seg', version: '1.0.0', sha256: 'a'.repeat(64) };
const validateDraft = loadContract().operations.get('put /trials/{trialId}/reads/{readId}/draft')!.validateBody!;
const baselineContent: ReadContent = {
  imaging: { modality: 'CT', sliceThicknessMm: 5 },
  targets: [
    { id: 'T1', organ: 'liver', location: 'segment VII', nodal: false, measurement: { finalMm: 33, aiProposalMm: 31.5, aiSource: AI, decision: 'edited' } },
    { id: 'T2', organ: 'lung', location: 'RUL', nodal: false, measurement: { finalMm: 20, decision: 'manual' } },
  ],
  nonTargets: [{ id: 'NT1', organ: 'bone', location: 'L3', nodal: false }],
};
const readOf = (over: Partial<ReadView>): ReadView => ({
  id: 'r', trialId: 't', subject: { id: 's' }, timepoint: { id: 'tp', label: 'TP1' }, state: 'open', dueOn: '2026-01-01', currentVersion: 0, versions: [], live: null, previous: [], ...over,
});

describe('read editor rules', () => {
  it('starts a follow-up from the baseline lesions by id, a baseline empty, and a saved read from its current version', () => {
    expect(startingContent(readOf({}))).toEqual({ targets: [], nonTargets: [] });
    const followup = readOf({ previous: [{ readId: 'b', timepoint: { id: 'b', label: 'BASELINE' }, version: 1, content: baselineContent }] });
    expect(startingContent(followup)).toEqual({ targets: [{ id: 'T1' }, { id: 'T2' }], nonTargets: [{ id: 'NT1' }], newLesions: [] });
    const saved = readOf({ currentVersion: 2, versions: [1, 2].map((v) => ({ version: v, state: 'draft' as const, content: { targets: [{ id: `X${v}` }], nonTargets: [] }, evaluation: null, reason: null, signature: null, signedAt: null })) });
    expect(startingContent(saved).targets).toEqual([{ id: 'X2' }]);
  });

  it('numbers new lesions with the first id free across all lists', () => {
    expect(nextLesionId(baselineContent, 'T')).toBe('T3');
    expect(nextLesionId(baselineContent, 'NT')).toBe('NT2');
    expect(nextLesionId({ targets: [{ id: 'N1' }], nonTargets: [], newLesions: [{ id: 'N2', organ: 'liver', nodal: false, irecistType: 'NLT', status: 'present' }] }, 'N')).toBe('N3');
  });

  const proposal = { finalMm: 31.5, aiProposalMm: 31.5, aiSource: AI, decision: 'accepted' as const };
  it.each<[string, AiChoice, number | null, { finalMm: number; decision: string }]>([
    ['accepting keeps the proposal', 'accept', null, { finalMm: 31.5, decision: 'accepted' }],
    ['editing to a new value', 'edit', 33, { finalMm: 33, decision: 'edited' }],
    ['rejecting and measuring anew', 'reject', 28, { finalMm: 28, decision: 'rejected' }],
    ['an emptied field keeps the last value', 'edit', null, { finalMm: 31.5, decision: 'edited' }],
  ])('AI proposal: %s, which the server accepts', (_, choice, typed, want) => {
    let m = chooseOnAi(proposal, choice);
    if (typed !== null || choice !== 'accept') m = typedFinal(m, typed)!;
    expect(m).toMatchObject({ ...want, aiProposalMm: 31.5, aiSource: AI });
    const content = { ...baselineContent, targets: [{ ...baselineContent.targets[0], measurement: m }] };
    const problems = readContentProblems('baseline', content).filter((p) => p.pointer.includes('measurement'));
    // "edited" with the proposal's own value is the one combination the server refuses; the form keeps the value.
    expect(problems).toEqual(choice === 'edit' && m.finalMm === 31.5 ? [{ pointer: '/targets/0/measurement/finalMm', detail: 'the value is unchanged; use accepted' }] : []);
  });

  it('records a manual measurement without a proposal, and none when the field is empty', () => {
    expect(typedFinal(undefined, 12)).toEqual({ finalMm: 12, decision: 'manual' });
    expect(typedFinal({ finalMm: 12, decision: 'manual' }, null)).toBeUndefined();
  });

  it.each<[string, ReadContent]>([
    ['a baseline being filled in (empty organ and location, a row without a measurement)', { targets: [{ id: 'T1', organ: '', location: '', nodal: false }, { id: 'T2', organ: 'lung', nodal: true, measurement: { finalMm: 15, decision: 'manual' } }], nonTargets: [{ id: 'NT1', organ: '', nodal: false }], notes: '  ' }],
    ['a complete baseline with an edited AI proposal', baselineContent],
    [
      'a follow-up with every status, a new lesion still without organ, and an override',
      {
        targets: [
          { id: 'T1', status: 'measured', measurement: { finalMm: 15, decision: 'manual' } },
          { id: 'T2', status: 'split', fragmentsMm: [4, 5], measurement: { finalMm: 9, decision: 'manual' } },
          { id: 'T3', status: 'coalesced', coalescedInto: 'T1', fragmentsMm: [1] },
          { id: 'T4', status: 'too_small', coalescedInto: 'T1' },
        ],
        nonTargets: [{ id: 'NT1', status: 'present', increasedSincePrevious: undefined }],
        newLesions: [
          { id: 'N1', organ: 'liver', location: '', nodal: false, irecistType: 'NLT', status: 'present', measurement: { finalMm: 12, decision: 'manual' } },
          { id: 'N2', organ: '', nodal: false, irecistType: 'NLNT', status: 'present' },
        ],
        responseOverrides: [{ criteria: 'RECIST1.1', response: 'SD', reason: 'T2 is post-radiation change' }],
      },
    ],
  ])('sends only what the contract accepts: %s', (_, content) => {
    const body = contentForSave(content);
    expect(validateDraft(body), JSON.stringify(validateDraft.errors)).toBe(true);
    expect(JSON.stringify(body)).not.toContain('""');
  });

  it('leaves out what the form only shows: measurements of unmeasured targets, fragments of unsplit ones, organless new lesions', () => {
    const body = contentForSave({
      targets: [
        { id: 'T1', status: 'split', fragmentsMm: [4, 5], measurement: { finalMm: 9, decision: 'manual' } },
        { id: 'T2', status: 'disappeared', fragmentsMm: [1], coalescedInto: 'T1' },
      ],
      nonTargets: [],
      newLesions: [{ id: 'N1', organ: ' ', nodal: false, irecistType: 'NLT', status: 'present' }],
    });
    expect(body).toEqual({ targets: [{ id: 'T1', status: 'split', fragmentsMm: [4, 5] }, { id: 'T2', status: 'disappeared' }], nonTargets: [], newLesions: [] });
  });

  it.each([
    ['/targets/1/organ', 'organ is required', 'Target T2: organ is required'],
    ['/nonTargets/0/status', "state the non-target's status", "Non-target NT1: state the non-target's status"],
    ['/targets', 'target X from baseline has no assessment', 'Targets: target X from baseline has no assessment'],
    ['/imaging', 'state the baseline modality and slice thickness', 'Imaging: state the baseline modality and slice thickness'],
    ['/responseOverrides', 'give a reason', 'Response: give a reason'],
    ['/', 'the baseline read is not signed', 'the baseline read is not signed'],
  ])('names the lesion a problem points at (%s)', (pointer, detail, shown) => {
    expect(describeProblem(baselineContent, { pointer, detail })).toBe(shown);
  });

  it('splits the engine explanation into one line per category, and reads prior measurements by status', () => {
    expect(explanationParts('PR (Table 1) at TP1; target PR: sum 30 mm is -50% from baseline 60 mm (PR needs <= -30%); no new lesions')).toEqual([
      'PR (Table 1) at TP1',
      'target PR: sum 30 mm is -50% from baseline 60 mm (PR needs <= -30%)',
      'no new lesions',
    ]);
    expect(explanationParts(undefined)).toEqual([]);
    const c: ReadContent = { targets: [{ id: 'A', status: 'too_small' }, { id: 'B', status: 'split', fragmentsMm: [3, 4] }, { id: 'C', status: 'not_evaluated' }], nonTargets: [] };
    expect(['A', 'B', 'C', 'Z'].map((id) => priorMm(c, id))).toEqual([5, 7, null, null]);
    expect(priorMm(baselineContent, 'T1')).toBe(33);
  });
});

const evaluation = (base: number | null, sums: Array<number | null>): Evaluation => ({
  baseline: { valid: true, sumMm: base, violations: [] },
  timepoints: sums.map((s, i) => ({ label: `TP${i + 1}`, recist11: { target: 'SD', nonTarget: null, newLesions: false, overall: 'SD', targetSumMm: s, nadirMm: null } })),
  bestOverallResponse: { recist11: 'SD' },
  responses: [],
  timepoint: `TP${sums.length}`,
});

describe('waterfall', () => {
  it.each<[string, Evaluation, { pct: number; at: string } | null]>([
    ['the deepest shrinkage, not the last', evaluation(53, [26, 40]), { pct: -50.9, at: 'TP1' }],
    ['growth only', evaluation(50, [55, 60]), { pct: 10, at: 'TP1' }],
    ['timepoints without a sum are skipped', evaluation(40, [null, 20]), { pct: -50, at: 'TP2' }],
    ['no baseline sum: no bar', evaluation(null, [20]), null],
    ['no follow-up: no bar', evaluation(40, []), null],
  ])('best change from baseline: %s', (_, e, want) => {
    expect(bestPercentChange(e)).toEqual(want);
  });

  it('takes the read of record at the latest final timepoint that has one, and orders bars from growth to shrinkage', () => {
    const tp = (label: string, source: FinalAssessment['timepoints'][number]['source'], readerNo: number | null, readVersion: number | null) => ({
      timepoint: { id: label, blindedLabel: label, visitCode: label, visitLabel: label, visitNum: 1, scanDate: null, state: 'released' }, source, readerNo, adjudicationId: null, responses: null, bestOverallResponse: null, readVersion,
    });
    const f = (timepoints: FinalAssessment['timepoints']): FinalAssessment => ({ subject: { id: 's', subjectCode: 'S' }, timepoints, adjudications: [] });
    expect(readOfRecord(f([tp('BASELINE', 'concordant', 1, 1), tp('TP1', 'adjudicated', 2, 3), tp('TP2', 'pending_adjudication', null, null)]))).toEqual({ timepointId: 'TP1', label: 'TP1', readerNo: 2, readVersion: 3, source: 'adjudicated' });
    expect(readOfRecord(f([tp('BASELINE', 'concordant', 1, 1), tp('TP1', 'not_read', null, null)]))).toBeNull();
    const bar = (subjectCode: string, pct: number) => ({ subjectId: subjectCode, subjectCode, pct, at: 'TP1', bestOverallResponse: null, source: '' });
    expect(orderBars([bar('B', -50), bar('A', 10), bar('C', -50), bar('D', -80)]).map((b) => b.subjectCode)).toEqual(['A', 'B', 'C', 'D']);
  });
});

describe('adjudication comparison', () => {
  const side = (label: string, content: ReadContent, e: Evaluation | null) => ({ readId: label, timepoint: { id: label, label }, version: 1, content, evaluation: e, signature: null });
  const withResponse = (e: Evaluation, overall: string, newLesions: boolean): Evaluation => ({
    ...e,
    timepoints: e.timepoints.map((t) => ({ ...t, recist11: { ...t.recist11!, overall, newLesions } })),
    responses: [{ criteria: 'RECIST1.1', engine: overall, override: null, reason: null, effective: overall }],
    bestOverallResponse: { recist11: overall },
  });
  const a: AdjudicationView = {
    id: 'a', trialId: 't', subject: { id: 's' }, throughTimepoint: { id: 'TP1', label: 'TP1' }, scope: 'subject', state: 'open', decision: null,
    triggers: [{ trigger: 'best_overall_response_differs', reader1: 'PR', reader2: 'PD' }, { trigger: 'progression_date_differs', reader1: null, reader2: 'TP1', daysApart: null }],
    reads: {
      reader1: [side('BASELINE', baselineContent, evaluation(53, [])), side('TP1', { targets: [{ id: 'T1' }, { id: 'T2' }], nonTargets: [{ id: 'NT1' }], newLesions: [] }, withResponse(evaluation(53, [26]), 'PR', false))],
      reader2: [side('BASELINE', baselineContent, evaluation(57, [])), side('TP1', { targets: [{ id: 'T1' }, { id: 'T2' }], nonTargets: [{ id: 'NT1' }], newLesions: [{ id: 'N1', organ: 'liver', nodal: false, irecistType: 'NLT', status: 'present' }] }, withResponse(evaluation(57, [55]), 'PD', true))],
    },
  };

  it('pairs the two reads per timepoint and marks exactly the facts that differ and the timepoint the trigger names', () => {
    const pairs = timepointPairs(a, labelOf);
    expect(pairs.map((p) => [p.label, [...p.differs].sort(), p.triggered])).toEqual([
      ['BASELINE', ['sumMm'], false],
      ['TP1', ['bestOverall', 'newLesions', 'overall', 'sumMm'], true],
    ]);
    expect(pairs[1].s2).toMatchObject({ overall: 'PD', newLesions: 'N1 liver', sumMm: 55 });
  });

  it.each([
    [{ trigger: 'best_overall_response_differs' as const, reader1: 'PR', reader2: 'SD' }, 'Best overall response differs: reader 1 PR, reader 2 SD'],
    [{ trigger: 'progression_date_differs' as const, reader1: 'TP1', reader2: 'TP3', daysApart: 112 }, 'Progression differs: reader 1 at TP1, reader 2 at TP3 (112 days apart)'],
    [{ trigger: 'progression_date_differs' as const, reader1: null, reader2: 'TP1', daysApart: null }, 'Progression differs: reader 1 no progression, reader 2 at TP1'],
    [{ trigger: 'timepoint_response_differs' as const, label: 'TP2', reader1: 'SD', reader2: null }, 'Response at TP2 differs: reader 1 SD, reader 2 none'],
  ])('says what opened it: %j', (t, text) => {
    expect(describeTrigger(t)).toBe(text);
  });
});

describe('reading index from the audit trail', () => {
  const event = (seq: number, action: string, entityType: string, entityId: string, after: unknown) => ({
    seq, id: `e${seq}`, occurredAt: '2026-01-01T00:00:00.000Z', actorName: 'system', actorRole: 'system', action, entityType, entityId, hash: 'h', prevHash: 'p', after,
  });
  it('finds every read with its timepoint and reader number, and each subject\'s latest readers', () => {
    const events = [
      event(1, 'reading.readers_assign', 'subject', 'S1', [{ readerNo: 1, userId: 'u1' }, { readerNo: 2, userId: 'u2' }]),
      event(2, 'read.create', 'read', 'R1', { timepointId: 'T1', readerNo: 1, readerId: 'u1', state: 'open', dueOn: '2026-01-15' }),
      event(3, 'read.create', 'read', 'R2', { timepointId: 'T1', readerNo: '2', readerId: 'u2', state: 'open', dueOn: '2026-01-15' }),
      event(4, 'read.draft_save', 'read', 'R1', { version: 1 }),
      event(5, 'reading.readers_assign', 'subject', 'S1', [{ readerNo: 1, userId: 'u3' }, { readerNo: 2, userId: 'u2' }]),
    ];
    expect(readsFromAudit(events)).toEqual([
      { readId: 'R1', timepointId: 'T1', readerNo: 1, readerId: 'u1' },
      { readId: 'R2', timepointId: 'T1', readerNo: 2, readerId: 'u2' },
    ]);
    expect([...assignmentsFromAudit(events)]).toEqual([['S1', [{ readerNo: 1, userId: 'u3' }, { readerNo: 2, userId: 'u2' }]]]);
  });
});
