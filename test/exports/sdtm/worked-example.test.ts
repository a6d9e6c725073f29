// The primer's worked example (docs/sdtm-exports.md section 4), tables copied verbatim. TR adds PCNSD rows
// (required by the exports issue) which the example omits; they are compared separately.
import { describe, expect, it } from 'vitest';
import { buildSdtm } from '../../../src/exports/sdtm/build-sdtm.js';
import type { SdtmRow } from '../../../src/exports/sdtm/dataset.js';
import { smallTrial } from '../fixtures/trial.js';

const TU_TABLE = `
| TUSEQ | TULNKID | TUTESTCD | TUTEST | TUORRES | TUSTRESC | TULOC | TUEVAL | TUEVALID | TUACPTFL | VISITNUM | VISIT | EPOCH | TUDTC | TUDY |
| 1 | R1-T01 | TUMIDENT | Tumor Identification | TARGET | TARGET | LIVER | INDEPENDENT ASSESSOR | RADIOLOGIST 1 | Y | 1 | BASELINE | SCREENING | 2024-01-10 | -5 |
| 2 | R1-T02 | TUMIDENT | Tumor Identification | TARGET | TARGET | MEDIASTINAL LYMPH NODE | INDEPENDENT ASSESSOR | RADIOLOGIST 1 | Y | 1 | BASELINE | SCREENING | 2024-01-10 | -5 |
| 3 | R1-NT01 | TUMIDENT | Tumor Identification | NON-TARGET | NON-TARGET | LUNG | INDEPENDENT ASSESSOR | RADIOLOGIST 1 | Y | 1 | BASELINE | SCREENING | 2024-01-10 | -5 |
| 4 | R2-T01 | TUMIDENT | Tumor Identification | TARGET | TARGET | LIVER | INDEPENDENT ASSESSOR | RADIOLOGIST 2 | N | 1 | BASELINE | SCREENING | 2024-01-10 | -5 |
| 5 | R2-T02 | TUMIDENT | Tumor Identification | TARGET | TARGET | MEDIASTINAL LYMPH NODE | INDEPENDENT ASSESSOR | RADIOLOGIST 2 | N | 1 | BASELINE | SCREENING | 2024-01-10 | -5 |
| 6 | R2-NT01 | TUMIDENT | Tumor Identification | NON-TARGET | NON-TARGET | LUNG | INDEPENDENT ASSESSOR | RADIOLOGIST 2 | N | 1 | BASELINE | SCREENING | 2024-01-10 | -5 |
| 7 | R2-NEW01 | TUMIDENT | Tumor Identification | NEW | NEW | LIVER | INDEPENDENT ASSESSOR | RADIOLOGIST 2 | N | 3 | WEEK 16 | TREATMENT | 2024-05-01 | 108 |
`;
const TR_TABLE = `
| TRSEQ | TRGRPID | TRLNKID | TRLNKGRP | TRTESTCD | TRORRES | TRSTRESN | TRSTRESU | TREVALID | TRACPTFL | VISITNUM | VISIT | TRDTC | TRDY |
| 1 | TARGET | R1-T01 | R1-A1 | LDIAM | 32 | 32 | mm | RADIOLOGIST 1 | Y | 1 | BASELINE | 2024-01-10 | -5 |
| 2 | TARGET | R1-T02 | R1-A1 | LPERP | 18 | 18 | mm | RADIOLOGIST 1 | Y | 1 | BASELINE | 2024-01-10 | -5 |
| 3 | NON-TARGET | R1-NT01 | R1-A1 | TUMSTATE | PRESENT | | | RADIOLOGIST 1 | Y | 1 | BASELINE | 2024-01-10 | -5 |
| 4 | TARGET | | R1-A1 | SUMDIAM | 50 | 50 | mm | RADIOLOGIST 1 | Y | 1 | BASELINE | | |
| 5 | TARGET | R1-T01 | R1-A2 | LDIAM | 20 | 20 | mm | RADIOLOGIST 1 | Y | 2 | WEEK 8 | 2024-03-06 | 52 |
| 6 | TARGET | R1-T02 | R1-A2 | LPERP | 12 | 12 | mm | RADIOLOGIST 1 | Y | 2 | WEEK 8 | 2024-03-06 | 52 |
| 7 | NON-TARGET | R1-NT01 | R1-A2 | TUMSTATE | PRESENT | | | RADIOLOGIST 1 | Y | 2 | WEEK 8 | 2024-03-06 | 52 |
| 8 | TARGET | | R1-A2 | SUMDIAM | 32 | 32 | mm | RADIOLOGIST 1 | Y | 2 | WEEK 8 | | |
| 9 | TARGET | | R1-A2 | PCBSD | -36 | -36 | % | RADIOLOGIST 1 | Y | 2 | WEEK 8 | | |
| 10 | TARGET | | R1-A2 | ACNSD | -18 | -18 | mm | RADIOLOGIST 1 | Y | 2 | WEEK 8 | | |
| 11 | TARGET | R1-T01 | R1-A3 | LDIAM | 19 | 19 | mm | RADIOLOGIST 1 | Y | 3 | WEEK 16 | 2024-05-01 | 108 |
| 12 | TARGET | R1-T02 | R1-A3 | LPERP | 11 | 11 | mm | RADIOLOGIST 1 | Y | 3 | WEEK 16 | 2024-05-01 | 108 |
| 13 | NON-TARGET | R1-NT01 | R1-A3 | TUMSTATE | PRESENT | | | RADIOLOGIST 1 | Y | 3 | WEEK 16 | 2024-05-01 | 108 |
| 14 | TARGET | | R1-A3 | SUMDIAM | 30 | 30 | mm | RADIOLOGIST 1 | Y | 3 | WEEK 16 | | |
| 15 | TARGET | | R1-A3 | PCBSD | -40 | -40 | % | RADIOLOGIST 1 | Y | 3 | WEEK 16 | | |
| 16 | TARGET | | R1-A3 | ACNSD | -2 | -2 | mm | RADIOLOGIST 1 | Y | 3 | WEEK 16 | | |
| 17 | TARGET | R2-T01 | R2-A1 | LDIAM | 30 | 30 | mm | RADIOLOGIST 2 | N | 1 | BASELINE | 2024-01-10 | -5 |
| 18 | TARGET | R2-T02 | R2-A1 | LPERP | 17 | 17 | mm | RADIOLOGIST 2 | N | 1 | BASELINE | 2024-01-10 | -5 |
| 19 | NON-TARGET | R2-NT01 | R2-A1 | TUMSTATE | PRESENT | | | RADIOLOGIST 2 | N | 1 | BASELINE | 2024-01-10 | -5 |
| 20 | TARGET | | R2-A1 | SUMDIAM | 47 | 47 | mm | RADIOLOGIST 2 | N | 1 | BASELINE | | |
| 21 | TARGET | R2-T01 | R2-A2 | LDIAM | 24 | 24 | mm | RADIOLOGIST 2 | N | 2 | WEEK 8 | 2024-03-06 | 52 |
| 22 | TARGET | R2-T02 | R2-A2 | LPERP | 13 | 13 | mm | RADIOLOGIST 2 | N | 2 | WEEK 8 | 2024-03-06 | 52 |
| 23 | NON-TARGET | R2-NT01 | R2-A2 | TUMSTATE | PRESENT | | | RADIOLOGIST 2 | N | 2 | WEEK 8 | 2024-03-06 | 52 |
| 24 | TARGET | | R2-A2 | SUMDIAM | 37 | 37 | mm | RADIOLOGIST 2 | N | 2 | WEEK 8 | | |
| 25 | TARGET | | R2-A2 | PCBSD | -21.3 | -21.3 | % | RADIOLOGIST 2 | N | 2 | WEEK 8 | | |
| 26 | TARGET | | R2-A2 | ACNSD | -10 | -10 | mm | RADIOLOGIST 2 | N | 2 | WEEK 8 | | |
| 27 | TARGET | R2-T01 | R2-A3 | LDIAM | 22 | 22 | mm | RADIOLOGIST 2 | N | 3 | WEEK 16 | 2024-05-01 | 108 |
| 28 | TARGET | R2-T02 | R2-A3 | LPERP | 12 | 12 | mm | RADIOLOGIST 2 | N | 3 | WEEK 16 | 2024-05-01 | 108 |
| 29 | NON-TARGET | R2-NT01 | R2-A3 | TUMSTATE | PRESENT | | | RADIOLOGIST 2 | N | 3 | WEEK 16 | 2024-05-01 | 108 |
| 30 | NEW | R2-NEW01 | R2-A3 | TUMSTATE | PRESENT | | | RADIOLOGIST 2 | N | 3 | WEEK 16 | 2024-05-01 | 108 |
| 31 | TARGET | | R2-A3 | SUMDIAM | 34 | 34 | mm | RADIOLOGIST 2 | N | 3 | WEEK 16 | | |
| 32 | TARGET | | R2-A3 | PCBSD | -27.7 | -27.7 | % | RADIOLOGIST 2 | N | 3 | WEEK 16 | | |
| 33 | TARGET | | R2-A3 | ACNSD | -3 | -3 | mm | RADIOLOGIST 2 | N | 3 | WEEK 16 | | |
`;
const RS_TABLE = `
| RSSEQ | RSLNKGRP | RSTESTCD | RSTEST | RSSTRESC | RSEVAL | RSEVALID | RSACPTFL | VISITNUM | VISIT | RSDTC | RSDY |
| 1 | | TRGRESP | Target Response | PR | INDEPENDENT ASSESSOR | RADIOLOGIST 1 | Y | 2 | WEEK 8 | 2024-03-06 | 52 |
| 2 | | NTRGRESP | Non-target Response | NON-CR/NON-PD | INDEPENDENT ASSESSOR | RADIOLOGIST 1 | Y | 2 | WEEK 8 | 2024-03-06 | 52 |
| 3 | R1-A2 | OVRLRESP | Overall Response | PR | INDEPENDENT ASSESSOR | RADIOLOGIST 1 | N | 2 | WEEK 8 | 2024-03-06 | 52 |
| 4 | | TRGRESP | Target Response | PR | INDEPENDENT ASSESSOR | RADIOLOGIST 1 | Y | 3 | WEEK 16 | 2024-05-01 | 108 |
| 5 | | NTRGRESP | Non-target Response | NON-CR/NON-PD | INDEPENDENT ASSESSOR | RADIOLOGIST 1 | Y | 3 | WEEK 16 | 2024-05-01 | 108 |
| 6 | R1-A3 | OVRLRESP | Overall Response | PR | INDEPENDENT ASSESSOR | RADIOLOGIST 1 | N | 3 | WEEK 16 | 2024-05-01 | 108 |
| 7 | | BESTRESP | Best Overall Response | PR | INDEPENDENT ASSESSOR | RADIOLOGIST 1 | N | | | | |
| 8 | | TRGRESP | Target Response | SD | INDEPENDENT ASSESSOR | RADIOLOGIST 2 | N | 2 | WEEK 8 | 2024-03-06 | 52 |
| 9 | | NTRGRESP | Non-target Response | NON-CR/NON-PD | INDEPENDENT ASSESSOR | RADIOLOGIST 2 | N | 2 | WEEK 8 | 2024-03-06 | 52 |
| 10 | R2-A2 | OVRLRESP | Overall Response | SD | INDEPENDENT ASSESSOR | RADIOLOGIST 2 | N | 2 | WEEK 8 | 2024-03-06 | 52 |
| 11 | | TRGRESP | Target Response | SD | INDEPENDENT ASSESSOR | RADIOLOGIST 2 | N | 3 | WEEK 16 | 2024-05-01 | 108 |
| 12 | | NTRGRESP | Non-target Response | NON-CR/NON-PD | INDEPENDENT ASSESSOR | RADIOLOGIST 2 | N | 3 | WEEK 16 | 2024-05-01 | 108 |
| 13 | | NEWLPROG | New Lesion Progression | UNEQUIVOCAL | INDEPENDENT ASSESSOR | RADIOLOGIST 2 | N | 3 | WEEK 16 | 2024-05-01 | 108 |
| 14 | R2-A3 | OVRLRESP | Overall Response | PD | INDEPENDENT ASSESSOR | RADIOLOGIST 2 | N | 3 | WEEK 16 | 2024-05-01 | 108 |
| 15 | | BESTRESP | Best Overall Response | SD | INDEPENDENT ASSESSOR | RADIOLOGIST 2 | N | | | | |
| 16 | | OVRLRESP | Overall Response | PR | ADJUDICATOR | ADJUDICATOR 1 | Y | 2 | WEEK 8 | 2024-03-06 | 52 |
| 17 | | OVRLRESP | Overall Response | PR | ADJUDICATOR | ADJUDICATOR 1 | Y | 3 | WEEK 16 | 2024-05-01 | 108 |
| 18 | | BESTRESP | Best Overall Response | PR | ADJUDICATOR | ADJUDICATOR 1 | Y | | | | |
`;

function parseTable(text: string): Record<string, string>[] {
  const lines = text.trim().split('\n');
  const cells = (l: string) => l.split('|').slice(1, -1).map((c) => c.trim());
  const head = cells(lines[0]);
  return lines.slice(1).map((l) => Object.fromEntries(cells(l).map((c, i) => [head[i], c])));
}
const asText = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : String(v));
const project = (rows: readonly SdtmRow[], columns: string[]) => rows.map((r) => Object.fromEntries(columns.map((c) => [c, asText(r[c])])));

const SUBJECT = 'ONC-IMG-01-101-0001';
const sdtm = buildSdtm(smallTrial());
const of = (rows: readonly SdtmRow[]) => rows.filter((r) => r.USUBJID === SUBJECT);

describe('worked example (primer section 4)', () => {
  it('TU matches row for row', () => {
    const expected = parseTable(TU_TABLE);
    expect(project(of(sdtm.TU.rows), Object.keys(expected[0]))).toEqual(expected);
    for (const r of of(sdtm.TU.rows)) expect([r.STUDYID, r.DOMAIN, r.TUMETHOD]).toEqual(['ONC-IMG-01', 'TU', 'CT SCAN']);
  });

  it('TR matches row for row (PCNSD rows aside), with TRSTRESC = TRORRES, TRORRESU = TRSTRESU and TREVAL set', () => {
    const expected = parseTable(TR_TABLE).map(({ TRSEQ: _seq, ...rest }) => rest);
    const rows = of(sdtm.TR.rows);
    const withoutPcnsd = rows.filter((r) => r.TRTESTCD !== 'PCNSD');
    expect(project(withoutPcnsd, Object.keys(expected[0]))).toEqual(expected);
    expect(rows.map((r) => r.TRSEQ)).toEqual(rows.map((_, i) => i + 1));
    for (const r of rows) {
      expect(r.TRSTRESC).toBe(r.TRORRES);
      expect(r.TRORRESU).toBe(r.TRSTRESU);
      expect(r.TREVAL).toBe('INDEPENDENT ASSESSOR');
      expect(r.TRMETHOD).toBe(r.TRLNKID === null ? null : 'CT SCAN');
      expect(r.EPOCH).toBe(r.VISITNUM === 1 ? 'SCREENING' : 'TREATMENT');
    }
    // PCNSD: reader 1 week 8 vs nadir 50 = -36; week 16 vs nadir 32 = -6.25 -> -6.3; reader 2: -21.3, -8.1
    expect(rows.filter((r) => r.TRTESTCD === 'PCNSD').map((r) => [r.TRLNKGRP, r.TRSTRESN, r.TRSTRESC, r.TRSTRESU])).toEqual([
      ['R1-A2', -36, '-36', '%'], ['R1-A3', -6.3, '-6.3', '%'], ['R2-A2', -21.3, '-21.3', '%'], ['R2-A3', -8.1, '-8.1', '%'],
    ]);
  });

  it('RS matches row for row', () => {
    const expected = parseTable(RS_TABLE);
    const rows = of(sdtm.RS.rows);
    expect(project(rows, Object.keys(expected[0]))).toEqual(expected);
    for (const r of rows) {
      expect(r.RSCAT).toBe('RECIST 1.1');
      expect(r.RSORRES).toBe(r.RSSTRESC);
    }
  });
});
