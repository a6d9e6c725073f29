// iRECIST through to a confirmed progression: the engine gives no iRECIST response after the first iCPD
// (irecist null) and none for RECIST 1.1 after its first PD (recist11 null); RS stops accordingly, TR carries
// the NLNT / non-target increases the engine confirmed with, and the conformance check, re-running the engine
// on TR, agrees. Evaluations are produced by the engine.
import { describe, expect, it } from 'vitest';
import { type SubjectResponseInput, evaluateSubjectResponse } from '../../../src/domain/response/index.js';
import { checkConformance } from '../../../src/exports/conformance.js';
import type { ExportInput } from '../../../src/exports/sdtm/assessment.js';
import { buildSdtm } from '../../../src/exports/sdtm/build-sdtm.js';
import type { SdtmRow } from '../../../src/exports/sdtm/dataset.js';

const USUBJID = 'ONC-IMG-01-101-0004';
const protocol = { confirmation: { required: false }, sdReferenceDate: '2024-01-15' };
const criteria = ['RECIST1.1', 'iRECIST'] as const;

// Reader 1: a new non-measurable lesion opens iUPD (RECIST 1.1 PD); it increases 8 weeks later: iCPD (primer 9.4).
const r1: SubjectResponseInput = {
  criteria, protocol,
  baseline: { date: '2024-01-10', targets: [{ id: 'T1', organ: 'liver', nodal: false, diameterMm: 40 }], nonTargets: [{ id: 'NT1', organ: 'bone', nodal: false }] },
  followups: [
    { label: 'TP1', date: '2024-03-06', targets: [{ id: 'T1', status: 'measured', diameterMm: 30 }], nonTargets: [{ id: 'NT1', status: 'present' }], newLesions: [{ id: 'N1', organ: 'liver', nodal: false, irecistType: 'NLNT', status: 'present' }] },
    { label: 'TP2', date: '2024-05-01', targets: [{ id: 'T1', status: 'measured', diameterMm: 30 }], nonTargets: [{ id: 'NT1', status: 'present' }], newLesions: [{ id: 'N1', irecistType: 'NLNT', status: 'present', increasedSincePrevious: true }] },
    { label: 'TP3', date: '2024-06-26', targets: [{ id: 'T1', status: 'measured', diameterMm: 35 }], nonTargets: [{ id: 'NT1', status: 'present' }], newLesions: [{ id: 'N1', irecistType: 'NLNT', status: 'present', increasedSincePrevious: true, unequivocalProgression: true }] },
  ],
};
// Reader 2: unequivocal non-target progression opens iUPD; at week 16 it is still unequivocal and has increased
// further: iCPD. TUMSTATE can say UNEQUIVOCAL only; the increase comes from the read (engine-input-from-tr.ts),
// without it the engine would keep iUPD.
const r2: SubjectResponseInput = {
  criteria, protocol,
  baseline: { date: '2024-01-10', targets: [{ id: 'T1', organ: 'liver', nodal: false, diameterMm: 38 }], nonTargets: [{ id: 'NT1', organ: 'bone', nodal: false }] },
  followups: [
    { label: 'TP1', date: '2024-03-06', targets: [{ id: 'T1', status: 'measured', diameterMm: 30 }], nonTargets: [{ id: 'NT1', status: 'unequivocal_progression' }] },
    { label: 'TP2', date: '2024-05-01', targets: [{ id: 'T1', status: 'measured', diameterMm: 29 }], nonTargets: [{ id: 'NT1', status: 'unequivocal_progression', increasedSincePrevious: true }] },
    { label: 'TP3', date: '2024-06-26', targets: [{ id: 'T1', status: 'measured', diameterMm: 29 }], nonTargets: [{ id: 'NT1', status: 'unequivocal_progression' }] },
  ],
};

const trial = (reader2: SubjectResponseInput = r2): ExportInput => ({
  study: { studyId: 'ONC-IMG-01', cutoff: '2024-08-01', primaryEvalId: 'RADIOLOGIST 1' },
  subjects: [{
    usubjid: USUBJID,
    rfstdtc: '2024-01-15',
    visits: [
      { visitNum: 1, visit: 'BASELINE', timepointLabel: null },
      { visitNum: 2, visit: 'WEEK 8', timepointLabel: 'TP1' },
      { visitNum: 3, visit: 'WEEK 16', timepointLabel: 'TP2' },
      { visitNum: 4, visit: 'WEEK 24', timepointLabel: 'TP3' },
    ],
    assessments: [
      { assessor: { eval: 'INDEPENDENT ASSESSOR', evalId: 'RADIOLOGIST 1' }, input: r1, evaluation: evaluateSubjectResponse(r1), locations: { T1: { loc: 'LIVER' }, NT1: { loc: 'BONE' }, N1: { loc: 'LIVER' } } },
      { assessor: { eval: 'INDEPENDENT ASSESSOR', evalId: 'RADIOLOGIST 2' }, input: reader2, evaluation: evaluateSubjectResponse(r2), locations: { T1: { loc: 'LIVER' }, NT1: { loc: 'BONE' } } },
    ],
  }],
});
const pick = (rows: readonly SdtmRow[], cols: string[]) => rows.map((r) => cols.map((c) => r[c] ?? null));

describe('iRECIST up to iCPD', () => {
  const source = trial();
  const sdtm = buildSdtm(source);

  it('stops RECIST 1.1 at its first PD and iRECIST at its first iCPD', () => {
    const rs = sdtm.RS.rows.filter((r) => r.RSEVALID === 'RADIOLOGIST 1');
    expect(pick(rs, ['RSCAT', 'RSTESTCD', 'RSSTRESC', 'VISITNUM'])).toEqual([
      ['RECIST 1.1', 'TRGRESP', 'SD', 2],
      ['RECIST 1.1', 'NTRGRESP', 'NON-CR/NON-PD', 2],
      ['RECIST 1.1', 'NEWLPROG', 'UNEQUIVOCAL', 2],
      ['RECIST 1.1', 'OVRLRESP', 'PD', 2],
      ['RECIST 1.1', 'BESTRESP', 'PD', null],
      ['iRECIST', 'TRGRESP', 'iSD', 2],
      ['iRECIST', 'NTRGRESP', 'NON-iCR/NON-iUPD', 2],
      ['iRECIST', 'NEWLPROG', 'UNEQUIVOCAL', 2],
      ['iRECIST', 'OVRLRESP', 'iUPD', 2],
      // the new lesion's increase confirms: targets and non-targets stay iSD / NON-iCR/NON-iUPD in their categories
      ['iRECIST', 'TRGRESP', 'iSD', 3],
      ['iRECIST', 'NTRGRESP', 'NON-iCR/NON-iUPD', 3],
      ['iRECIST', 'NEWLPROG', 'UNEQUIVOCAL', 3],
      ['iRECIST', 'OVRLRESP', 'iCPD', 3],
      ['iRECIST', 'BESTRESP', 'iCPD', null],
    ]);
  });

  it('writes the increases and unequivocal progression the engine read into TR, and NEW NON-TARGET into TU', () => {
    const states = (evalid: string, link: string) =>
      sdtm.TR.rows.filter((r) => r.TREVALID === evalid && r.TRLNKID === link).map((r) => [r.VISITNUM, r.TRSTRESC]);
    expect(states('RADIOLOGIST 1', 'R1-NEW01')).toEqual([[2, 'PRESENT'], [3, 'INCREASED'], [4, 'UNEQUIVOCAL']]);
    expect(states('RADIOLOGIST 2', 'R2-NT01')).toEqual([[1, 'PRESENT'], [2, 'UNEQUIVOCAL'], [3, 'UNEQUIVOCAL'], [4, 'UNEQUIVOCAL']]);
    expect(sdtm.TU.rows.filter((r) => r.TULNKID === 'R1-NEW01').map((r) => [r.TUSTRESC, r.VISITNUM])).toEqual([['NEW NON-TARGET', 2]]);
  });

  it('passes the conformance check, the engine re-run on TR included', () => {
    expect(checkConformance({ datasets: sdtm, source })).toEqual([]);
  });

  it('catches an iCPD that the reads do not support', () => {
    // The stored evaluation (and so RS) says iCPD at week 16, but the read sent with it has no increase.
    const withoutIncrease: SubjectResponseInput = {
      ...r2,
      followups: r2.followups.map((f) => (f.label === 'TP2' ? { ...f, nonTargets: [{ id: 'NT1', status: 'unequivocal_progression' }] } : f)),
    };
    const source2 = trial(withoutIncrease);
    const found = checkConformance({ datasets: buildSdtm(source2), source: source2 }).filter((f) => f.code === 'ENGINE_MISMATCH');
    expect(found.map((f) => f.message)).toEqual(expect.arrayContaining([
      'RADIOLOGIST 2 ["iRECIST","OVRLRESP",3]: RS has iCPD, the engine on TR gives iUPD',
    ]));
  });
});
