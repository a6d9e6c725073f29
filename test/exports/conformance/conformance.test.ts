// Each primer section 9 check, shown to fire on a dataset broken in exactly one way, and to stay silent on the
// clean export. The RS-from-TR check runs the real response engine (src/domain/response/).
import { describe, expect, it } from 'vitest';
import { checkConformance } from '../../../src/exports/conformance.js';
import type { Finding, FindingCode } from '../../../src/exports/conformance/findings.js';
import { buildDefineXml, xptFileName } from '../../../src/exports/define-xml.js';
import { buildSdtm } from '../../../src/exports/sdtm/build-sdtm.js';
import type { SdtmDataset, SdtmRow, SdtmValue } from '../../../src/exports/sdtm/dataset.js';
import { toXptDataset } from '../../../src/exports/sdtm/dataset.js';
import type { Domain } from '../../../src/exports/sdtm/variables.js';
import { encodeXpt } from '../../../src/exports/xpt/xpt-writer.js';
import { smallTrial } from '../fixtures/trial.js';

type Datasets = Record<Domain, SdtmDataset>;
const source = smallTrial();
const clean = buildSdtm(source);
const S1 = 'ONC-IMG-01-101-0001';
const S2 = 'ONC-IMG-01-101-0002';
const S3 = 'ONC-IMG-01-101-0003';
const CUT = new Date(Date.UTC(2024, 7, 1));

function patchRows(ds: Datasets, d: Domain, where: (r: SdtmRow) => boolean, patch: Record<string, SdtmValue>, onlyFirst = true): Datasets {
  let done = false;
  const rows = ds[d].rows.map((r) => {
    if ((onlyFirst && done) || !where(r)) return r;
    done = true;
    return { ...r, ...patch };
  });
  if (!done) throw new Error('mutation matched no row');
  return { ...ds, [d]: { ...ds[d], rows } };
}
const is = (o: Record<string, SdtmValue>) => (r: SdtmRow) => Object.entries(o).every(([k, v]) => r[k] === v);
const codes = (fs: readonly Finding[]) => [...new Set(fs.filter((f) => f.severity === 'error').map((f) => f.code))];
const run = (datasets: Datasets) => checkConformance({ datasets, source });

describe('conformance on the clean export', () => {
  it('finds nothing, XPT and define.xml included', () => {
    const xptFiles = (['TU', 'TR', 'RS'] as const).map((d) => ({ domain: d, fileName: xptFileName(d), bytes: encodeXpt(toXptDataset(clean[d]), { createdAt: CUT }) }));
    const define = { xml: buildDefineXml(clean, { study: source.study, createdAt: CUT }), fileNameOf: xptFileName };
    expect(checkConformance({ datasets: clean, source, xptFiles, define })).toEqual([]);
  });
});

describe('record, link and response checks fire on one fault each', () => {
  const r1 = { USUBJID: S1, TREVALID: 'RADIOLOGIST 1' };
  const cases: [string, () => Datasets, FindingCode[]][] = [
    ['SUMDIAM off by one', () => patchRows(clean, 'TR', is({ ...r1, TRTESTCD: 'SUMDIAM', VISITNUM: 2 }), { TRORRES: '33', TRSTRESC: '33', TRSTRESN: 33 }), ['SUMDIAM_MISMATCH']],
    ['PCBSD wrong', () => patchRows(clean, 'TR', is({ ...r1, TRTESTCD: 'PCBSD', VISITNUM: 3 }), { TRORRES: '-41', TRSTRESC: '-41', TRSTRESN: -41 }), ['SUMMARY_ARITHMETIC']],
    ['lesion value changed (RS no longer follows from TR)', () => patchRows(clean, 'TR', is({ USUBJID: S2, TREVALID: 'RADIOLOGIST 2', TRLNKID: 'R2-T02', VISITNUM: 4 }), { TRORRES: '50', TRSTRESC: '50', TRSTRESN: 50 }), ['SUMDIAM_MISMATCH', 'ENGINE_MISMATCH']],
    ['OVRLRESP against the RECIST table', () => patchRows(clean, 'RS', is({ USUBJID: S1, RSEVALID: 'RADIOLOGIST 1', RSTESTCD: 'OVRLRESP', VISITNUM: 2 }), { RSORRES: 'SD', RSSTRESC: 'SD' }), ['OVRLRESP_TABLE', 'ENGINE_MISMATCH', 'ADJUDICATOR_DISAGREES']],
    ['duplicate --SEQ', () => patchRows(clean, 'TR', is({ USUBJID: S1, TRSEQ: 2 }), { TRSEQ: 1 }), ['SEQ_DUPLICATE']],
    ['TRLNKID not in TU', () => patchRows(clean, 'TR', is({ ...r1, TRLNKID: 'R1-NT01', VISITNUM: 2 }), { TRLNKID: 'R1-NT09' }), ['TRLNKID_UNRESOLVED', 'ENGINE_FAILED']],
    ['iRECIST result upper-cased', () => patchRows(clean, 'RS', is({ RSSTRESC: 'iPR' }), { RSORRES: 'IPR', RSSTRESC: 'IPR' }), ['CT_VALUE', 'ENGINE_MISMATCH']],
    ['EVALID without the space', () => patchRows(clean, 'TU', is({ TUEVALID: 'RADIOLOGIST 1' }), { TUEVALID: 'RADIOLOGIST1' }), ['CT_VALUE', 'TRLNKID_UNRESOLVED']],
    ['TRSTRESN differs from TRSTRESC', () => patchRows(clean, 'TR', is({ TRTESTCD: 'LDIAM' }), { TRSTRESN: 31 }), ['STRESN_MISMATCH']],
    ['impossible date', () => patchRows(clean, 'TU', is({ USUBJID: S1 }), { TUDTC: '2024-02-30' }), ['DTC_INVALID']],
    ['study day inconsistent with RFSTDTC', () => patchRows(clean, 'TU', is({ USUBJID: S1 }), { TUDY: -4 }), ['DY_INCONSISTENT']],
    ['study day 0', () => patchRows(clean, 'RS', is({ USUBJID: S1, RSTESTCD: 'OVRLRESP' }), { RSDY: 0 }), ['DY_INVALID']],
    ['VISIT not 1:1 with VISITNUM', () => patchRows(clean, 'RS', is({ VISITNUM: 2 }), { VISIT: 'WEEK 08' }), ['VISIT_NOT_ONE_TO_ONE']],
    ['NOT DONE with a result', () => patchRows(clean, 'TR', is({ TRSTAT: 'NOT DONE' }), { TRORRES: '1', TRSTRESC: '1', TRSTRESN: 1, TRORRESU: 'mm', TRSTRESU: 'mm' }), ['RESULT_WITH_NOT_DONE']],
    ['no result and not NOT DONE', () => patchRows(clean, 'TR', is({ TRSTAT: 'NOT DONE' }), { TRSTAT: null, TRREASND: null }), ['RESULT_MISSING', 'ENGINE_FAILED']],
    ['two accepted assessors in TR', () => patchRows(clean, 'TR', is({ USUBJID: S1, TREVALID: 'RADIOLOGIST 2', VISITNUM: 2 }), { TRACPTFL: 'Y' }), ['ACPTFL_NOT_UNIQUE']],
    ['no accepted OVRLRESP among several', () => patchRows(clean, 'RS', is({ USUBJID: S1, RSEVAL: 'ADJUDICATOR', VISITNUM: 3 }), { RSACPTFL: 'N' }), ['ACPTFL_NOT_UNIQUE']],
    ['adjudicator value no reader gave', () => patchRows(clean, 'RS', is({ USUBJID: S1, RSEVAL: 'ADJUDICATOR', RSTESTCD: 'BESTRESP' }), { RSORRES: 'CR', RSSTRESC: 'CR' }), ['ADJUDICATOR_DISAGREES', 'BESTRESP_NOT_OBSERVED']],
    ['adjudicator agrees with the non-accepted reader', () => patchRows(clean, 'RS', is({ USUBJID: S1, RSEVAL: 'ADJUDICATOR', RSTESTCD: 'OVRLRESP', VISITNUM: 3 }), { RSORRES: 'PD', RSSTRESC: 'PD' }), ['ACCEPTED_MISMATCH']],
    ['RSLNKGRP pointing at another visit', () => patchRows(clean, 'RS', is({ RSLNKGRP: 'R1-A2' }), { RSLNKGRP: 'R1-A3' }), ['RSLNKGRP_UNRESOLVED']],
    ['TRGRPID disagrees with the TU class', () => patchRows(clean, 'TR', is({ TRLNKID: 'R2-NEW01' }), { TRGRPID: 'NON-TARGET' }), ['TRGRPID_CLASS']],
    ['OVRLRESP missing at a TR visit', () => ({ ...clean, RS: { ...clean.RS, rows: clean.RS.rows.filter((r) => !is({ USUBJID: S2, RSEVALID: 'RADIOLOGIST 2', RSCAT: 'iRECIST', VISITNUM: 3 })(r)) } }), ['RESPONSE_COVERAGE', 'ENGINE_MISMATCH']],
    ['BESTRESP never observed', () => patchRows(clean, 'RS', is({ USUBJID: S1, RSEVALID: 'RADIOLOGIST 2', RSTESTCD: 'BESTRESP' }), { RSORRES: 'CR', RSSTRESC: 'CR' }), ['BESTRESP_NOT_OBSERVED', 'ENGINE_MISMATCH']],
    ['NEW lesion identified at baseline', () => patchRows(clean, 'TU', is({ TULNKID: 'R2-NEW01' }), { VISITNUM: 1, VISIT: 'BASELINE' }), ['TU_VISIT_CLASS']],
    ['USUBJID not in DM', () => patchRows(clean, 'RS', is({ USUBJID: S1, RSTESTCD: 'BESTRESP' }), { USUBJID: 'ONC-IMG-01-101-0099' }), ['USUBJID_NOT_IN_DM']],
    ['required value null', () => patchRows(clean, 'RS', is({ USUBJID: S1 }), { RSCAT: null }), ['REQUIRED_VALUE_NULL']],
    ['test name not the CT pair', () => patchRows(clean, 'TR', is({ TRTESTCD: 'LPERP' }), { TRTEST: 'Short Axis' }), ['TEST_PAIR']],
  ];
  it.each(cases)('%s', (_what, mutate, expected) => {
    const found = codes(run(mutate()));
    for (const code of expected) expect(found).toContain(code);
  });
});

describe('metadata checks', () => {
  const withVariables = (d: Domain, f: (vs: SdtmDataset['variables']) => SdtmDataset['variables']): Datasets => ({ ...clean, [d]: { ...clean[d], variables: f(clean[d].variables) } });
  it.each([
    ['label changed', () => withVariables('TR', (vs) => vs.map((v) => (v.name === 'TRLNKGRP' ? { ...v, label: 'Link Group' } : v))), 'VARIABLE_LABEL'],
    ['length not the longest value', () => withVariables('TU', (vs) => vs.map((v) => (v.name === 'TULNKID' ? { ...v, length: 20 } : v))), 'VARIABLE_LENGTH'],
    ['shared length differs between files', () => withVariables('RS', (vs) => vs.map((v) => (v.name === 'VISIT' ? { ...v, length: 7 } : v))), 'VARIABLE_LENGTH'],
    ['required variable dropped', () => withVariables('RS', (vs) => vs.filter((v) => v.name !== 'RSTEST')), 'VARIABLE_MISSING'],
    ['order changed', () => withVariables('TU', (vs) => [vs[0], vs[2], vs[1], ...vs.slice(3)]), 'VARIABLE_ORDER'],
  ] as const)('%s', (_what, mutate, code) => {
    expect(codes(checkConformance({ datasets: mutate(), source }))).toContain(code);
  });
});

describe('XPT bytes and define.xml checks', () => {
  const bytesOf = (d: Domain) => encodeXpt(toXptDataset(clean[d]), { createdAt: CUT });
  const xptCheck = (mutate: (b: Buffer) => void) => {
    const b = bytesOf('TU');
    mutate(b);
    return codes(checkConformance({ datasets: clean, source, xptFiles: [{ domain: 'TU', fileName: 'tu.xpt', bytes: b }] }));
  };
  it('flags a wrong npos, a special missing value, bad padding and a wrong file name', () => {
    expect(xptCheck((b) => b.writeInt32BE(99, 640 + 140 + 84))).toContain('XPT_STRUCTURE');
    const seqAt = 640 + Math.ceil((clean.TU.variables.length * 140) / 80) * 80 + 80 + clean.TU.variables.slice(0, 3).reduce((n, v) => n + v.length, 0);
    expect(xptCheck((b) => b.set([0x41, 0, 0, 0, 0, 0, 0, 0], seqAt))).toContain('XPT_SPECIAL_MISSING');
    expect(xptCheck((b) => (b[b.length - 1] = 0))).toContain('XPT_STRUCTURE');
    expect(codes(checkConformance({ datasets: clean, source, xptFiles: [{ domain: 'TU', fileName: 'TU.XPT', bytes: bytesOf('TU') }] }))).toContain('XPT_FILE_NAME');
  });

  const defineCheck = (edit: (xml: string) => string) =>
    codes(checkConformance({ datasets: clean, source, define: { xml: edit(buildDefineXml(clean, { study: source.study, createdAt: CUT })), fileNameOf: xptFileName } }));
  it.each([
    ['malformed XML', (x: string) => x.replace('</ODM>', ''), 'DEFINE_MALFORMED'],
    ['length differs from the XPT', (x: string) => x.replace(/(<ItemDef OID="IT\.TU\.TULNKID"[^>]*Length=")\d+/, '$199'), 'DEFINE_ATTRIBUTE'],
    ['ItemRef missing', (x: string) => x.replace(/\s*<ItemRef ItemOID="IT\.RS\.RSTEST"[^>]*\/>/, ''), 'DEFINE_VARIABLES'],
    ['codelist value missing', (x: string) => x.replace(/\s*<EnumeratedItem CodedValue="iPR"[^>]*\/>/g, ''), 'DEFINE_CODELIST'],
    ['value-level float over non-numbers', (x: string) => x.replace('<ItemDef OID="IT.TR.TRORRES.LDIAM" Name="TRORRES" DataType="text"', '<ItemDef OID="IT.TR.TRORRES.LDIAM" Name="TRORRES" DataType="float"'), 'DEFINE_ATTRIBUTE'],
    ['leaf names the wrong file', (x: string) => x.replace('xlink:href="tr.xpt"', 'xlink:href="tr.XPT"'), 'DEFINE_DATASET'],
    ['keys that do not identify records', (x: string) => x.replace(/(<ItemRef ItemOID="IT\.TR\.TRLNKID"[^>]*) KeySequence="\d+"/, '$1').replace(/(<ItemRef ItemOID="IT\.TR\.TRGRPID"[^>]*) KeySequence="(\d+)"/, '$1 KeySequence="7"'), 'DEFINE_KEYS'],
  ] as const)('%s', (_what, edit, code) => {
    expect(defineCheck(edit)).toContain(code);
  });
});

describe('RS through the real response engine', () => {
  const errors = (fs: readonly Finding[]) => fs.filter((f) => f.severity === 'error');
  const setTr = (ds: Datasets, where: Record<string, SdtmValue>, value: number) =>
    patchRows(ds, 'TR', is(where), { TRORRES: String(value), TRSTRESC: String(value), TRSTRESN: value });

  it('catches TR that was changed together with its sums, so that only the engine sees RS no longer follows', () => {
    // Reader 1 of the worked example, week 16: liver target 19 -> 29 mm, sums re-derived consistently:
    // 40 mm, +8 mm and +25 % over the nadir 32: target PD, overall PD; RS still says PR.
    const r1w16 = { USUBJID: S1, TREVALID: 'RADIOLOGIST 1', VISITNUM: 3 };
    let ds = setTr(clean, { ...r1w16, TRLNKID: 'R1-T01' }, 29);
    ds = setTr(ds, { ...r1w16, TRTESTCD: 'SUMDIAM' }, 40);
    ds = setTr(ds, { ...r1w16, TRTESTCD: 'PCBSD' }, -20);
    ds = setTr(ds, { ...r1w16, TRTESTCD: 'PCNSD' }, 25);
    ds = setTr(ds, { ...r1w16, TRTESTCD: 'ACNSD' }, 8);
    const found = errors(run(ds));
    expect(found.map((f) => [f.code, f.usubjid])).toEqual([['ENGINE_MISMATCH', S1], ['ENGINE_MISMATCH', S1]]);
    expect(found.map((f) => f.message)).toEqual([
      'RADIOLOGIST 1 ["RECIST 1.1","TRGRESP",3]: RS has PR, the engine on TR gives PD',
      'RADIOLOGIST 1 ["RECIST 1.1","OVRLRESP",3]: RS has PR, the engine on TR gives PD',
    ]);
  });

  it('catches RS responses that agree with the RECIST table but not with TR', () => {
    const r2 = { USUBJID: S2, RSEVALID: 'RADIOLOGIST 2', RSCAT: 'RECIST 1.1', VISITNUM: 3 };
    let ds = patchRows(clean, 'RS', is({ ...r2, RSTESTCD: 'TRGRESP' }), { RSORRES: 'SD', RSSTRESC: 'SD' });
    ds = patchRows(ds, 'RS', is({ ...r2, RSTESTCD: 'OVRLRESP' }), { RSORRES: 'SD', RSSTRESC: 'SD' });
    const found = errors(run(ds));
    expect(codes(found)).toEqual(['ENGINE_MISMATCH']);
    expect(found.map((f) => f.message)).toEqual([
      'RADIOLOGIST 2 ["RECIST 1.1","TRGRESP",3]: RS has SD, the engine on TR gives PR',
      'RADIOLOGIST 2 ["RECIST 1.1","OVRLRESP",3]: RS has SD, the engine on TR gives PR',
    ]);
  });

  it('catches a response for a category the subject does not have (engine NA: a NOT DONE record)', () => {
    const ds = patchRows(clean, 'RS', is({ USUBJID: S3, RSEVALID: 'RADIOLOGIST 1', RSTESTCD: 'NTRGRESP', VISITNUM: 2 }), { RSORRES: 'NON-CR/NON-PD', RSSTRESC: 'NON-CR/NON-PD', RSSTAT: null, RSREASND: null });
    const found = errors(run(ds));
    expect(found.map((f) => [f.code, f.message])).toEqual([
      ['ENGINE_MISMATCH', 'RADIOLOGIST 1 ["RECIST 1.1","NTRGRESP",2]: RS has NON-CR/NON-PD, the engine on TR gives NOT DONE (Subject does not have non-target tumors)'],
    ]);
  });

  it('compares the TR sums and changes with the engine\'s own measurement facts, iRECIST after the first PD included', () => {
    const pcbsd = run(patchRows(clean, 'TR', is({ USUBJID: S1, TREVALID: 'RADIOLOGIST 1', TRTESTCD: 'PCBSD', VISITNUM: 3 }), { TRORRES: '-41', TRSTRESC: '-41', TRSTRESN: -41 }));
    expect(pcbsd.filter((f) => f.code === 'ENGINE_MISMATCH').map((f) => [f.domain, f.message])).toEqual([['TR', 'RADIOLOGIST 1 PCBSD at VISITNUM 3: TR has -41, the engine on TR gives -40']]);
    // Subject 0002 reader 1, week 24: RECIST 1.1 stopped at week 16 (PD); the iRECIST facts still apply.
    const acnsd = run(patchRows(clean, 'TR', is({ USUBJID: S2, TREVALID: 'RADIOLOGIST 1', TRTESTCD: 'ACNSD', VISITNUM: 4 }), { TRORRES: '2', TRSTRESC: '2', TRSTRESN: 2 }));
    expect(acnsd.filter((f) => f.code === 'ENGINE_MISMATCH').map((f) => f.message)).toEqual(['RADIOLOGIST 1 ACNSD at VISITNUM 4: TR has 2, the engine on TR gives 3']);
  });

  it('reports ENGINE_FAILED when TR cannot be read back into an engine input', () => {
    const found = errors(run(patchRows(clean, 'TR', is({ USUBJID: S1, TREVALID: 'RADIOLOGIST 2', TRLNKID: 'R2-NT01', VISITNUM: 2 }), { TRORRES: 'SMALLER', TRSTRESC: 'SMALLER' })));
    expect(found.filter((f) => f.code === 'ENGINE_FAILED').map((f) => f.message)).toEqual([
      'RADIOLOGIST 2: the response engine failed on the exported TR: R2-NT01 at VISITNUM 2: TUMSTATE "SMALLER" is not a state the engine reads',
    ]);
  });

  it('names the rule-set version when the stored evaluation came from another one', () => {
    const older = {
      ...source,
      subjects: source.subjects.map((s) => ({ ...s, assessments: s.assessments.map((a) => ({ ...a, evaluation: { ...a.evaluation, ruleSetVersion: 'corelab-response-0.9.0' } })) })),
    };
    const ds = patchRows(buildSdtm(older), 'RS', is({ USUBJID: S1, RSEVALID: 'RADIOLOGIST 2', RSTESTCD: 'BESTRESP' }), { RSORRES: 'PD', RSSTRESC: 'PD' });
    const mismatch = checkConformance({ datasets: ds, source: older }).filter((f) => f.code === 'ENGINE_MISMATCH');
    expect(mismatch.map((f) => f.message)).toEqual([
      'RADIOLOGIST 2 ["RECIST 1.1","BESTRESP",null]: RS has PD, the engine on TR gives SD (the assessment was evaluated under corelab-response-0.9.0)',
    ]);
  });
});

describe('an adjudicator who re-reads gets full records and is the accepted assessor (primer 3.2)', () => {
  const input = smallTrial();
  const s1 = input.subjects.find((s) => s.usubjid === S1)!;
  const reread = {
    ...input,
    subjects: input.subjects.map((s) => (s !== s1 ? s : { ...s, assessments: s.assessments.map((a) => (a.selectedEvalId ? { ...a, selectedEvalId: undefined } : a)) })),
  };
  const ds = buildSdtm(reread);
  it('writes ADJ1-prefixed TU/TR/RS records, accepted, with the readers not accepted', () => {
    const tu = ds.TU.rows.filter((r) => r.USUBJID === S1 && r.TUEVAL === 'ADJUDICATOR');
    expect(tu.map((r) => [r.TULNKID, r.TUEVALID, r.TUACPTFL])).toEqual([['ADJ1-T01', 'ADJUDICATOR 1', 'Y'], ['ADJ1-T02', 'ADJUDICATOR 1', 'Y'], ['ADJ1-NT01', 'ADJUDICATOR 1', 'Y']]);
    expect(new Set(ds.TR.rows.filter((r) => r.USUBJID === S1 && r.TREVAL === 'INDEPENDENT ASSESSOR').map((r) => r.TRACPTFL))).toEqual(new Set(['N']));
    expect(ds.RS.rows.filter((r) => r.USUBJID === S1 && r.RSEVAL === 'ADJUDICATOR').map((r) => [r.RSTESTCD, r.RSLNKGRP, r.RSACPTFL])).toEqual([
      ['TRGRESP', null, 'Y'], ['NTRGRESP', null, 'Y'], ['OVRLRESP', 'ADJ1-A2', 'Y'], ['TRGRESP', null, 'Y'], ['NTRGRESP', null, 'Y'], ['OVRLRESP', 'ADJ1-A3', 'Y'], ['BESTRESP', null, 'Y'],
    ]);
  });
  it('passes the conformance check', () => {
    expect(checkConformance({ datasets: ds, source: reread })).toEqual([]);
  });
});

describe('an adjudication by selection that covers some visits only (charter scope timepoint, primer 3.2)', () => {
  // The adjudicator's RS gives OVRLRESP at the adjudicated visits only, and the best overall response of the
  // selected reader, which may come from a visit the adjudicator did not rule on. Subject 2's reader 1: PR at TP1,
  // PD at TP2 (best PR); the adjudicator selects that reader at TP2 only.
  const input = smallTrial();
  const s2 = input.subjects.find((s) => s.usubjid === S2)!;
  const r1 = s2.assessments.find((a) => a.assessor.evalId === 'RADIOLOGIST 1')!;
  const selection = {
    ...r1,
    assessor: { eval: 'ADJUDICATOR' as const, evalId: 'ADJUDICATOR 1' as const },
    evaluation: { ...r1.evaluation, timepoints: r1.evaluation.timepoints.filter((t) => t.label === 'TP2') },
    selectedEvalId: 'RADIOLOGIST 1' as const,
  };
  const scoped = { ...input, subjects: input.subjects.map((s) => (s !== s2 ? s : { ...s, assessments: [...s.assessments, selection] })) };
  const ds = buildSdtm(scoped);
  const adjudicator = ds.RS.rows.filter((r) => r.USUBJID === S2 && r.RSEVAL === 'ADJUDICATOR' && r.RSCAT === 'RECIST 1.1');

  it('has a best response that is not among the adjudicated visits', () => {
    expect(adjudicator.map((r) => [r.RSTESTCD, r.VISITNUM === null ? null : 'TP2', r.RSSTRESC])).toEqual([['OVRLRESP', 'TP2', 'PD'], ['BESTRESP', null, 'PR']]);
  });
  it('passes the conformance check: the best response is among the selected reader\'s time-point responses', () => {
    expect(codes(checkConformance({ datasets: ds, source: scoped }))).toEqual([]);
  });
  it('still flags a best response that neither the adjudicator nor the selected reader gave', () => {
    const broken = patchRows(ds, 'RS', is({ USUBJID: S2, RSEVAL: 'ADJUDICATOR', RSCAT: 'RECIST 1.1', RSTESTCD: 'BESTRESP' }), { RSORRES: 'CR', RSSTRESC: 'CR' });
    expect(codes(checkConformance({ datasets: broken, source: scoped }))).toContain('BESTRESP_NOT_OBSERVED');
  });
});
