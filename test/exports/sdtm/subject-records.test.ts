// Records the worked example does not show: iRECIST, split and coalesced targets, too small, not assessed,
// measured new targets, locations and references, and acceptance flags without adjudication (primer 3.3).
import { describe, expect, it } from 'vitest';
import { buildSdtm } from '../../../src/exports/sdtm/build-sdtm.js';
import type { SdtmRow } from '../../../src/exports/sdtm/dataset.js';
import { smallTrial } from '../fixtures/trial.js';

const S2 = 'ONC-IMG-01-101-0002';
const sdtm = buildSdtm(smallTrial());
const of = (rows: readonly SdtmRow[]) => rows.filter((r) => r.USUBJID === S2);
const pick = (rows: readonly SdtmRow[], cols: string[]) => rows.map((r) => cols.map((c) => r[c] ?? null));

describe('subject without adjudication, RECIST 1.1 and iRECIST', () => {
  it('identifies split fragments (TUSPLIT) and NEW TARGET lesions at the visit they appear, with locations', () => {
    const tu = of(sdtm.TU.rows).filter((r) => r.TUEVALID === 'RADIOLOGIST 1');
    expect(pick(tu, ['TUSEQ', 'TULNKID', 'TUTESTCD', 'TUTEST', 'TUSTRESC', 'TULOC', 'TULAT', 'TUREFID', 'VISITNUM', 'TUDTC', 'TUDY', 'TUACPTFL'])).toEqual([
      [1, 'R1-T01', 'TUMIDENT', 'Tumor Identification', 'TARGET', 'LUNG', 'RIGHT', '1.2.826.0.1.3680043.2.1125.1', 1, '2024-02-01', -4, 'Y'],
      [2, 'R1-T02', 'TUMIDENT', 'Tumor Identification', 'TARGET', 'LIVER', null, null, 1, '2024-02-01', -4, 'Y'],
      [3, 'R1-NT01', 'TUMIDENT', 'Tumor Identification', 'NON-TARGET', 'BONE', null, null, 1, '2024-02-01', -4, 'Y'],
      [4, 'R1-T02.1', 'TUSPLIT', 'Tumor Split', 'TARGET', 'LIVER', null, null, 3, '2024-05-23', 109, 'Y'],
      [5, 'R1-T02.2', 'TUSPLIT', 'Tumor Split', 'TARGET', 'LIVER', null, null, 3, '2024-05-23', 109, 'Y'],
      [6, 'R1-NEW01', 'TUMIDENT', 'Tumor Identification', 'NEW TARGET', 'LUNG', 'LEFT', null, 3, '2024-05-23', 109, 'Y'],
    ]);
    expect(new Set(of(sdtm.TU.rows).filter((r) => r.TUEVALID === 'RADIOLOGIST 2').map((r) => r.TUACPTFL))).toEqual(new Set(['N']));
  });

  it('measures too small as 5, disappeared and coalesced as 0, fragments separately, and sums them', () => {
    const tr = of(sdtm.TR.rows);
    const at = (evalid: string, visit: number) => pick(tr.filter((r) => r.TREVALID === evalid && r.VISITNUM === visit), ['TRGRPID', 'TRLNKID', 'TRLNKGRP', 'TRTESTCD', 'TRORRES', 'TRORRESU', 'TRSTRESC', 'TRSTRESN', 'TRSTRESU', 'TRSTAT', 'TRREASND', 'TRMETHOD']);
    expect(at('RADIOLOGIST 1', 2)).toEqual([
      ['TARGET', 'R1-T01', 'R1-A2', 'LDIAM', 'TOO SMALL TO MEASURE', null, '5', 5, 'mm', null, null, 'CT SCAN'],
      ['TARGET', 'R1-T02', 'R1-A2', 'LDIAM', '30', 'mm', '30', 30, 'mm', null, null, 'CT SCAN'],
      ['NON-TARGET', 'R1-NT01', 'R1-A2', 'TUMSTATE', 'PRESENT', null, 'PRESENT', null, null, null, null, 'CT SCAN'],
      ['TARGET', null, 'R1-A2', 'SUMDIAM', '35', 'mm', '35', 35, 'mm', null, null, null],
      ['TARGET', null, 'R1-A2', 'PCBSD', '-46.2', '%', '-46.2', -46.2, '%', null, null, null],
      ['TARGET', null, 'R1-A2', 'PCNSD', '-46.2', '%', '-46.2', -46.2, '%', null, null, null],
      ['TARGET', null, 'R1-A2', 'ACNSD', '-30', 'mm', '-30', -30, 'mm', null, null, null],
    ]);
    expect(at('RADIOLOGIST 1', 3)).toEqual([
      ['TARGET', 'R1-T01', 'R1-A3', 'LDIAM', '0', 'mm', '0', 0, 'mm', null, null, 'CT SCAN'],
      ['TARGET', 'R1-T02.1', 'R1-A3', 'LDIAM', '12', 'mm', '12', 12, 'mm', null, null, 'CT SCAN'],
      ['TARGET', 'R1-T02.2', 'R1-A3', 'LDIAM', '8', 'mm', '8', 8, 'mm', null, null, 'CT SCAN'],
      ['NON-TARGET', 'R1-NT01', 'R1-A3', 'TUMSTATE', 'PRESENT', null, 'PRESENT', null, null, null, null, 'CT SCAN'],
      ['NEW', 'R1-NEW01', 'R1-A3', 'TUMSTATE', 'PRESENT', null, 'PRESENT', null, null, null, null, 'CT SCAN'],
      ['NEW', 'R1-NEW01', 'R1-A3', 'LDIAM', '11', 'mm', '11', 11, 'mm', null, null, 'CT SCAN'],
      ['TARGET', null, 'R1-A3', 'SUMDIAM', '20', 'mm', '20', 20, 'mm', null, null, null],
      ['TARGET', null, 'R1-A3', 'PCBSD', '-69.2', '%', '-69.2', -69.2, '%', null, null, null],
      ['TARGET', null, 'R1-A3', 'PCNSD', '-42.9', '%', '-42.9', -42.9, '%', null, null, null],
      ['TARGET', null, 'R1-A3', 'ACNSD', '-15', 'mm', '-15', -15, 'mm', null, null, null],
    ]);
    // Visit not assessed: every lesion NOT DONE, no sum. Non-target not evaluated: NOT DONE, NOT EVALUABLE.
    expect(at('RADIOLOGIST 2', 2).map((r) => [r[1], r[3], r[9], r[10], r[4]])).toEqual([
      ['R2-T01', 'LDIAM', 'NOT DONE', 'SCAN NOT PERFORMED', null],
      ['R2-T02', 'LDIAM', 'NOT DONE', 'SCAN NOT PERFORMED', null],
      ['R2-NT01', 'TUMSTATE', 'NOT DONE', 'SCAN NOT PERFORMED', null],
    ]);
    expect(at('RADIOLOGIST 1', 4).find((r) => r[1] === 'R1-NT01')?.slice(9, 11)).toEqual(['NOT DONE', 'NOT EVALUABLE']);
    // The image reference of a lesion follows it into TR (TRREFID); summary rows have none.
    expect(new Set(tr.filter((r) => r.TRLNKID === 'R1-T01' || r.TRLNKID === 'R2-T01').map((r) => r.TRREFID))).toEqual(new Set(['1.2.826.0.1.3680043.2.1125.1']));
    expect(new Set(tr.filter((r) => r.TRLNKID !== 'R1-T01' && r.TRLNKID !== 'R2-T01').map((r) => r.TRREFID))).toEqual(new Set([null]));
    // Coalesced target: 0 mm; the nadir of reader 2 is 38 (week 16), baseline 67.4 (26.4 + 41).
    expect(at('RADIOLOGIST 2', 4).filter((r) => r[0] === 'TARGET').map((r) => [r[1] ?? r[3], r[7]])).toEqual([
      ['R2-T01', 0], ['R2-T02', 36], ['SUMDIAM', 36], ['PCBSD', -46.6], ['PCNSD', -5.3], ['ACNSD', -2],
    ]);
  });

  it('writes RECIST 1.1 responses up to the first PD, iRECIST category and overall responses at every visit, and flags the primary reader', () => {
    const rs = of(sdtm.RS.rows).filter((r) => r.RSEVALID === 'RADIOLOGIST 1');
    expect(pick(rs, ['RSSEQ', 'RSCAT', 'RSTESTCD', 'RSSTRESC', 'RSLNKGRP', 'VISITNUM', 'RSDTC', 'RSACPTFL'])).toEqual([
      [1, 'RECIST 1.1', 'TRGRESP', 'PR', null, 2, '2024-03-28', 'Y'],
      [2, 'RECIST 1.1', 'NTRGRESP', 'NON-CR/NON-PD', null, 2, '2024-03-28', 'Y'],
      [3, 'RECIST 1.1', 'OVRLRESP', 'PR', 'R1-A2', 2, '2024-03-28', 'Y'],
      [4, 'RECIST 1.1', 'TRGRESP', 'PR', null, 3, '2024-05-23', 'Y'],
      [5, 'RECIST 1.1', 'NTRGRESP', 'NON-CR/NON-PD', null, 3, '2024-05-23', 'Y'],
      [6, 'RECIST 1.1', 'NEWLPROG', 'UNEQUIVOCAL', null, 3, '2024-05-23', 'Y'],
      [7, 'RECIST 1.1', 'OVRLRESP', 'PD', 'R1-A3', 3, '2024-05-23', 'Y'],
      [8, 'RECIST 1.1', 'BESTRESP', 'PR', null, null, null, 'Y'],
      [9, 'iRECIST', 'TRGRESP', 'iPR', null, 2, '2024-03-28', 'Y'],
      [10, 'iRECIST', 'NTRGRESP', 'NON-iCR/NON-iUPD', null, 2, '2024-03-28', 'Y'],
      [11, 'iRECIST', 'OVRLRESP', 'iPR', 'R1-A2', 2, '2024-03-28', 'Y'],
      [12, 'iRECIST', 'TRGRESP', 'iPR', null, 3, '2024-05-23', 'Y'],
      [13, 'iRECIST', 'NTRGRESP', 'NON-iCR/NON-iUPD', null, 3, '2024-05-23', 'Y'],
      [14, 'iRECIST', 'NEWLPROG', 'UNEQUIVOCAL', null, 3, '2024-05-23', 'Y'],
      [15, 'iRECIST', 'OVRLRESP', 'iUPD', 'R1-A3', 3, '2024-05-23', 'Y'],
      // after RECIST 1.1 PD, iRECIST goes on: the non-target not assessed at week 24 is NE in its category
      [16, 'iRECIST', 'TRGRESP', 'iPR', null, 4, '2024-07-18', 'Y'],
      [17, 'iRECIST', 'NTRGRESP', 'NE', null, 4, '2024-07-18', 'Y'],
      [18, 'iRECIST', 'NEWLPROG', 'UNEQUIVOCAL', null, 4, '2024-07-18', 'Y'],
      [19, 'iRECIST', 'OVRLRESP', 'iUPD', 'R1-A4', 4, '2024-07-18', 'Y'],
      [20, 'iRECIST', 'BESTRESP', 'iPR', null, null, null, 'Y'],
    ]);
    expect(new Set(of(sdtm.RS.rows).filter((r) => r.RSEVALID === 'RADIOLOGIST 2').map((r) => r.RSACPTFL))).toEqual(new Set(['N']));
  });

  it('gives shared variables one length in all three files and drops unused optional columns', () => {
    const len = (d: 'TU' | 'TR' | 'RS', n: string) => sdtm[d].variables.find((v) => v.name === n)?.length;
    for (const n of ['STUDYID', 'USUBJID', 'VISIT', 'EPOCH']) expect(new Set([len('TU', n), len('TR', n), len('RS', n)]).size).toBe(1);
    expect(len('RS', 'VISIT')).toBe(8); // 'BASELINE' is only in TU/TR
    expect(sdtm.TU.variables.map((v) => v.name)).not.toContain('TUNAM');
    expect(sdtm.TU.variables.map((v) => v.name)).not.toContain('TUDIR');
    expect(sdtm.RS.variables.map((v) => v.name)).not.toContain('RSNAM');
    expect(sdtm.TR.variables.map((v) => v.name)).toContain('TRSTAT');
    // RSSTAT / RSREASND are present because subject 0003 has categories that do not apply (below).
    expect(sdtm.RS.variables.map((v) => v.name)).toEqual(expect.arrayContaining(['RSSTAT', 'RSREASND']));
  });
});

describe('categories a subject does not have (engine NA): NOT DONE records with the reason (primer 2.3)', () => {
  const S3 = 'ONC-IMG-01-101-0003';
  const rs = sdtm.RS.rows.filter((r) => r.USUBJID === S3);
  const cols = ['RSEVALID', 'RSTESTCD', 'RSORRES', 'RSSTRESC', 'RSSTAT', 'RSREASND', 'RSLNKGRP', 'VISITNUM', 'RSACPTFL'];
  it('reader with targets only: NTRGRESP NOT DONE at every visit, Table 1 with no non-targets (CR)', () => {
    expect(pick(rs.filter((r) => r.RSEVALID === 'RADIOLOGIST 1'), cols)).toEqual([
      ['RADIOLOGIST 1', 'TRGRESP', 'PR', 'PR', null, null, null, 2, 'Y'],
      ['RADIOLOGIST 1', 'NTRGRESP', null, null, 'NOT DONE', 'Subject does not have non-target tumors', null, 2, 'Y'],
      ['RADIOLOGIST 1', 'OVRLRESP', 'PR', 'PR', null, null, 'R1-A2', 2, 'Y'],
      ['RADIOLOGIST 1', 'TRGRESP', 'CR', 'CR', null, null, null, 3, 'Y'],
      ['RADIOLOGIST 1', 'NTRGRESP', null, null, 'NOT DONE', 'Subject does not have non-target tumors', null, 3, 'Y'],
      ['RADIOLOGIST 1', 'OVRLRESP', 'CR', 'CR', null, null, 'R1-A3', 3, 'Y'],
      ['RADIOLOGIST 1', 'BESTRESP', 'CR', 'CR', null, null, null, null, 'Y'],
    ]);
  });
  it('reader with non-target disease only: TRGRESP NOT DONE, Table 2 (NON-CR/NON-PD), no TR sums', () => {
    expect(pick(rs.filter((r) => r.RSEVALID === 'RADIOLOGIST 2'), cols)).toEqual([
      ['RADIOLOGIST 2', 'TRGRESP', null, null, 'NOT DONE', 'Subject does not have target tumors', null, 2, 'N'],
      ['RADIOLOGIST 2', 'NTRGRESP', 'NON-CR/NON-PD', 'NON-CR/NON-PD', null, null, null, 2, 'N'],
      ['RADIOLOGIST 2', 'OVRLRESP', 'NON-CR/NON-PD', 'NON-CR/NON-PD', null, null, 'R2-A2', 2, 'N'],
      ['RADIOLOGIST 2', 'TRGRESP', null, null, 'NOT DONE', 'Subject does not have target tumors', null, 3, 'N'],
      ['RADIOLOGIST 2', 'NTRGRESP', 'NON-CR/NON-PD', 'NON-CR/NON-PD', null, null, null, 3, 'N'],
      ['RADIOLOGIST 2', 'OVRLRESP', 'NON-CR/NON-PD', 'NON-CR/NON-PD', null, null, 'R2-A3', 3, 'N'],
      ['RADIOLOGIST 2', 'BESTRESP', 'NON-CR/NON-PD', 'NON-CR/NON-PD', null, null, null, null, 'N'],
    ]);
    const tr = sdtm.TR.rows.filter((r) => r.USUBJID === S3 && r.TREVALID === 'RADIOLOGIST 2');
    expect(pick(tr, ['TRGRPID', 'TRLNKID', 'TRTESTCD', 'TRSTRESC', 'VISITNUM'])).toEqual([
      ['NON-TARGET', 'R2-NT01', 'TUMSTATE', 'PRESENT', 1], ['NON-TARGET', 'R2-NT02', 'TUMSTATE', 'PRESENT', 1],
      ['NON-TARGET', 'R2-NT01', 'TUMSTATE', 'PRESENT', 2], ['NON-TARGET', 'R2-NT02', 'TUMSTATE', 'PRESENT', 2],
      ['NON-TARGET', 'R2-NT01', 'TUMSTATE', 'ABSENT', 3], ['NON-TARGET', 'R2-NT02', 'TUMSTATE', 'PRESENT', 3],
    ]);
  });
});
