// The RECIST 1.1 table check reads OVRLRESP from the category responses, but two outcomes of the engine cannot
// be seen in the categories: PD on reappearance after an overall CR (primer 6, Table 1 row) and a continuing PR
// under prPersistence sticky (primer 7.4). The table check must accept them; the engine check verifies them.
import { describe, expect, it } from 'vitest';
import { type SubjectResponseInput, evaluateSubjectResponse } from '../../../src/domain/response/index.js';
import { checkConformance } from '../../../src/exports/conformance.js';
import type { ExportInput } from '../../../src/exports/sdtm/assessment.js';
import { buildSdtm } from '../../../src/exports/sdtm/build-sdtm.js';

function oneReader(input: SubjectResponseInput): ExportInput {
  return {
    study: { studyId: 'ONC-IMG-01', cutoff: '2024-12-31', primaryEvalId: 'RADIOLOGIST 1' },
    subjects: [{
      usubjid: 'ONC-IMG-01-101-0009',
      rfstdtc: '2024-01-15',
      visits: [{ visitNum: 1, visit: 'BASELINE', timepointLabel: null }, ...input.followups.map((f, i) => ({ visitNum: i + 2, visit: `WEEK ${8 * (i + 1)}`, timepointLabel: f.label }))],
      assessments: [{
        assessor: { eval: 'INDEPENDENT ASSESSOR', evalId: 'RADIOLOGIST 1' }, input, evaluation: evaluateSubjectResponse(input),
        locations: Object.fromEntries(input.baseline.targets.map((t) => [t.id, { loc: 'LIVER' }])),
      }],
    }],
  };
}
const rs = (input: ExportInput) => buildSdtm(input).RS.rows.filter((r) => r.VISITNUM !== null).map((r) => [r.VISITNUM, r.RSTESTCD, r.RSSTRESC]);
const base = { criteria: ['RECIST1.1'] as const, baseline: { date: '2024-01-10', targets: [] as { id: string; organ: string; nodal: boolean; diameterMm: number }[], nonTargets: [] } };

describe('RECIST table check and rule-based outcomes', () => {
  it('accepts PD on reappearance after an overall CR (target node back at 12 mm: target SD, overall PD)', () => {
    const input: SubjectResponseInput = {
      ...base, protocol: { confirmation: { required: false }, sdReferenceDate: '2024-01-15' },
      baseline: { ...base.baseline, targets: [{ id: 'T1', organ: 'lymph node', nodal: true, diameterMm: 15 }] },
      followups: [
        { label: 'TP1', date: '2024-03-06', targets: [{ id: 'T1', status: 'measured', diameterMm: 8 }] },
        { label: 'TP2', date: '2024-05-01', targets: [{ id: 'T1', status: 'measured', diameterMm: 12 }] },
      ],
    };
    const trial = oneReader(input);
    expect(rs(trial).filter((r) => r[0] === 3 && r[1] !== 'NTRGRESP')).toEqual([[3, 'TRGRESP', 'SD'], [3, 'OVRLRESP', 'PD']]);
    expect(checkConformance({ datasets: buildSdtm(trial), source: trial })).toEqual([]);
  });

  it('accepts a continuing PR where the numbers say SD (prPersistence sticky)', () => {
    const input: SubjectResponseInput = {
      ...base, protocol: { confirmation: { required: false }, prPersistence: 'sticky', sdReferenceDate: '2024-01-15' },
      baseline: { ...base.baseline, targets: [{ id: 'T1', organ: 'liver', nodal: false, diameterMm: 50 }, { id: 'T2', organ: 'lung', nodal: false, diameterMm: 50 }] },
      followups: [
        { label: 'TP1', date: '2024-03-06', targets: [{ id: 'T1', status: 'measured', diameterMm: 35 }, { id: 'T2', status: 'measured', diameterMm: 35 }] },
        { label: 'TP2', date: '2024-05-01', targets: [{ id: 'T1', status: 'measured', diameterMm: 40 }, { id: 'T2', status: 'measured', diameterMm: 40 }] },
      ],
    };
    const trial = oneReader(input);
    expect(rs(trial).filter((r) => r[0] === 3 && r[1] !== 'NTRGRESP')).toEqual([[3, 'TRGRESP', 'SD'], [3, 'OVRLRESP', 'PR']]);
    expect(checkConformance({ datasets: buildSdtm(trial), source: trial })).toEqual([]);
  });

  it('still flags PR where the table says SD when no PR came before', () => {
    const input: SubjectResponseInput = {
      ...base, protocol: { confirmation: { required: false }, sdReferenceDate: '2024-01-15' },
      baseline: { ...base.baseline, targets: [{ id: 'T1', organ: 'liver', nodal: false, diameterMm: 50 }] },
      followups: [{ label: 'TP1', date: '2024-03-06', targets: [{ id: 'T1', status: 'measured', diameterMm: 45 }] }],
    };
    const trial = oneReader(input);
    const ds = buildSdtm(trial);
    const rows = ds.RS.rows.map((r) => (r.RSTESTCD === 'OVRLRESP' ? { ...r, RSORRES: 'PR', RSSTRESC: 'PR' } : r));
    const codes = checkConformance({ datasets: { ...ds, RS: { ...ds.RS, rows } }, source: trial }).map((f) => f.code);
    expect(codes).toEqual(expect.arrayContaining(['OVRLRESP_TABLE', 'ENGINE_MISMATCH']));
  });
});
