// Primer section 9, items 11-20: record content (sequence numbers, natural keys, test codes, dates and study
// days, visits, result/unit/status consistency, evaluators, acceptance flags, controlled terminology).
import type { ExportInput } from '../sdtm/assessment.js';
import type { SdtmDataset, SdtmRow } from '../sdtm/dataset.js';
import { isIsoDate, studyDay } from '../sdtm/iso-date.js';
import {
  type CodelistId,
  IRECIST_RESULTS,
  NEW_LESION_PROGRESSION,
  NOT_DONE,
  RECIST_RESULTS,
  RS_TESTS,
  TR_TESTS,
  TU_TESTS,
  isCodelistTerm,
} from '../sdtm/terminology.js';
import type { Domain } from '../sdtm/variables.js';
import type { FindingSink } from './findings.js';

const TEST_PAIRS: Readonly<Record<Domain, Readonly<Record<string, string>>>> = { TU: TU_TESTS, TR: TR_TESTS, RS: RS_TESTS };
const TESTCD_RE = /^[A-Z_][A-Z0-9_]{0,7}$/;
const NUMERIC_RE = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/** Natural keys (primer 9 item 12). */
const NATURAL_KEYS: Readonly<Record<Domain, readonly string[]>> = {
  TU: ['USUBJID', 'TUEVAL', 'TUEVALID', 'TUTESTCD', 'TULNKID', 'VISITNUM', 'TULOC'],
  TR: ['USUBJID', 'TREVAL', 'TREVALID', 'VISITNUM', 'TRTESTCD', 'TRLNKID', 'TRGRPID'],
  RS: ['USUBJID', 'RSEVAL', 'RSEVALID', 'RSCAT', 'VISITNUM', 'RSTESTCD'],
};

/** Codelists whose values must be standard terms (item 20: errors); others are extensible and only warned. */
const STRICT_CODELISTS: ReadonlySet<CodelistId> = new Set<CodelistId>(['EPOCH', 'NY', 'ND', 'METHOD', 'TUSTRESC', 'ONCRSCAT', 'EVAL', 'MEDEVAL', 'TUTESTCD', 'TUTEST', 'TRTESTCD', 'TRTEST', 'RSTESTCD', 'RSTEST', 'UNIT']);

export function checkRecords(sink: FindingSink, datasets: Readonly<Record<Domain, SdtmDataset>>, source: ExportInput): void {
  const rfstdtc = new Map(source.subjects.map((s) => [s.usubjid, s.rfstdtc] as const));
  const visitNames = new Map<number, Set<string>>();
  const visitNums = new Map<string, Set<number>>();

  for (const domain of ['TU', 'TR', 'RS'] as const) {
    const ds = datasets[domain];
    const has = new Set(ds.variables.map((v) => v.name));
    const at = (i: number, r: SdtmRow, variable?: string) => ({ domain, row: i + 1, usubjid: String(r.USUBJID ?? ''), variable });
    const seqs = new Map<string, Set<unknown>>();
    const keys = new Set<string>();
    const pairs = new Map<string, string>();
    const units = new Map<string, Set<string>>();
    const acceptedBy = new Map<string, Set<string>>();
    ds.rows.forEach((r, i) => {
      // item 11
      if (r.DOMAIN !== domain) sink.error({ code: 'DOMAIN_VALUE', item: 11, p21: 'SD0004', ...at(i, r, 'DOMAIN'), message: `DOMAIN is ${r.DOMAIN}` });
      const seq = r[`${domain}SEQ`];
      if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1) sink.error({ code: 'SEQ_INVALID', item: 11, ...at(i, r, `${domain}SEQ`), message: `--SEQ ${seq} is not a positive integer` });
      const subjSeqs = seqs.get(String(r.USUBJID)) ?? new Set();
      if (subjSeqs.has(seq)) sink.error({ code: 'SEQ_DUPLICATE', item: 11, p21: 'SD0005', ...at(i, r, `${domain}SEQ`), message: `--SEQ ${seq} repeated within USUBJID` });
      subjSeqs.add(seq);
      seqs.set(String(r.USUBJID), subjSeqs);
      // item 12
      const key = JSON.stringify(NATURAL_KEYS[domain].map((k) => r[k] ?? null));
      if (keys.has(key)) sink.error({ code: 'DUPLICATE_KEY', item: 12, p21: 'SD1117', ...at(i, r), message: `duplicate natural key ${NATURAL_KEYS[domain].join('/')}` });
      keys.add(key);
      // item 13
      const testcd = String(r[`${domain}TESTCD`] ?? '');
      const test = String(r[`${domain}TEST`] ?? '');
      if (!TESTCD_RE.test(testcd)) sink.error({ code: 'TESTCD_FORMAT', item: 13, p21: 'SD0018', ...at(i, r, `${domain}TESTCD`), message: `invalid test code ${JSON.stringify(testcd)}` });
      if (test.length > 40) sink.error({ code: 'TEST_PAIR', item: 13, ...at(i, r, `${domain}TEST`), message: 'test name longer than 40' });
      const ctTest = TEST_PAIRS[domain][testcd];
      if (ctTest !== test) sink.error({ code: 'TEST_PAIR', item: 13, p21: 'SD1043', ...at(i, r, `${domain}TEST`), message: `${testcd} must be paired with ${JSON.stringify(ctTest)}, not ${JSON.stringify(test)}` });
      const seen = pairs.get(testcd);
      if (seen !== undefined && seen !== test) sink.error({ code: 'TEST_PAIR', item: 13, p21: 'SD0040', ...at(i, r), message: `${testcd} has two test names` });
      pairs.set(testcd, test);
      // item 14
      const dtc = r[`${domain}DTC`];
      if (dtc !== null && dtc !== undefined) {
        if (typeof dtc !== 'string' || !isIsoDate(dtc)) sink.error({ code: 'DTC_INVALID', item: 14, p21: 'SD0003', ...at(i, r, `${domain}DTC`), message: `${JSON.stringify(dtc)} is not an ISO 8601 date` });
        else {
          const dy = r[`${domain}DY`];
          const rf = rfstdtc.get(String(r.USUBJID));
          if (dy !== null && dy !== undefined) {
            if (typeof dy !== 'number' || !Number.isInteger(dy) || dy === 0) sink.error({ code: 'DY_INVALID', item: 14, p21: 'SD0038', ...at(i, r, `${domain}DY`), message: `study day ${dy}` });
            else if (!rf || studyDay(dtc, rf) !== dy) sink.error({ code: 'DY_INCONSISTENT', item: 14, p21: 'SD1086', ...at(i, r, `${domain}DY`), message: `study day ${dy} does not match ${dtc} and RFSTDTC ${rf ?? '(none)'}` });
          }
        }
      }
      // item 15
      const bestresp = domain === 'RS' && r.RSTESTCD === 'BESTRESP';
      const visitnum = r.VISITNUM;
      const visit = r.VISIT;
      if (!bestresp && (visitnum === null || visitnum === undefined)) sink.error({ code: 'VISIT_MISSING', item: 15, ...at(i, r, 'VISITNUM'), message: 'VISITNUM is null' });
      if (!bestresp && (visit === null || visit === undefined)) sink.error({ code: 'VISIT_MISSING', item: 15, ...at(i, r, 'VISIT'), message: 'VISIT is null' });
      if (typeof visitnum === 'number' && typeof visit === 'string') {
        visitNames.set(visitnum, (visitNames.get(visitnum) ?? new Set()).add(visit));
        visitNums.set(visit, (visitNums.get(visit) ?? new Set()).add(visitnum));
      }
      // items 16-17 (TR results; RS results are text)
      const orres = r[`${domain}ORRES`] ?? null;
      const stresc = r[`${domain}STRESC`] ?? null;
      const stat = r[`${domain}STAT`] ?? null;
      const reasnd = r[`${domain}REASND`] ?? null;
      if (orres !== null && stresc === null) sink.error({ code: 'STRESC_MISSING', item: 16, p21: 'SD0036', ...at(i, r, `${domain}STRESC`), message: 'ORRES given but STRESC null' });
      if (domain === 'TR') {
        const stresn = r.TRSTRESN ?? null;
        const numericC = typeof stresc === 'string' && NUMERIC_RE.test(stresc);
        if (numericC !== (stresn !== null) || (numericC && Number(stresc) !== stresn)) {
          sink.error({ code: 'STRESN_MISMATCH', item: 16, p21: 'SD1122', ...at(i, r, 'TRSTRESN'), message: `TRSTRESC ${JSON.stringify(stresc)} vs TRSTRESN ${stresn}` });
        }
        if (stresn !== null && !r.TRSTRESU) sink.error({ code: 'UNIT_MISSING', item: 16, p21: 'SD0029', ...at(i, r, 'TRSTRESU'), message: 'TRSTRESN without TRSTRESU' });
        if (typeof orres === 'string' && NUMERIC_RE.test(orres) && !r.TRORRESU) sink.error({ code: 'UNIT_MISSING', item: 16, p21: 'SD0026', ...at(i, r, 'TRORRESU'), message: 'numeric TRORRES without TRORRESU' });
        if (typeof r.TRSTRESU === 'string') units.set(testcd, (units.get(testcd) ?? new Set()).add(r.TRSTRESU));
      }
      if (stat !== null && stat !== NOT_DONE) sink.error({ code: 'STAT_INVALID', item: 17, ...at(i, r, `${domain}STAT`), message: `--STAT ${JSON.stringify(stat)}` });
      if (stat === NOT_DONE && (orres !== null || stresc !== null || (r.TRSTRESN ?? null) !== null)) sink.error({ code: 'RESULT_WITH_NOT_DONE', item: 17, p21: 'SD1123', ...at(i, r), message: 'NOT DONE with a result' });
      if (reasnd !== null && stat === null) sink.error({ code: 'REASND_WITHOUT_STAT', item: 17, p21: 'SD0023', ...at(i, r, `${domain}REASND`), message: '--REASND without --STAT' });
      if (orres === null && stresc === null && stat === null && domain !== 'TU') sink.error({ code: 'RESULT_MISSING', item: 17, p21: 'SD0047', ...at(i, r), message: 'no result and no NOT DONE' });
      // item 18
      const evalv = r[`${domain}EVAL`] ?? null;
      const evalid = r[`${domain}EVALID`] ?? null;
      if (evalv === null) sink.error({ code: 'EVAL_INVALID', item: 18, ...at(i, r, `${domain}EVAL`), message: '--EVAL is null' });
      if (evalid !== null && evalv === null) sink.error({ code: 'EVAL_INVALID', item: 18, ...at(i, r, `${domain}EVALID`), message: '--EVALID without --EVAL' });
      if (evalv === 'INDEPENDENT ASSESSOR' && evalid === null) sink.error({ code: 'EVAL_INVALID', item: 18, ...at(i, r, `${domain}EVALID`), message: 'independent assessor without --EVALID' });
      if (evalv === 'ADJUDICATOR' && typeof evalid === 'string' && !evalid.startsWith('ADJUDICATOR ')) sink.error({ code: 'EVAL_INVALID', item: 18, ...at(i, r, `${domain}EVALID`), message: `adjudicator with --EVALID ${evalid}` });
      // item 19
      const flag = r[`${domain}ACPTFL`] ?? null;
      if (flag !== null && flag !== 'Y' && flag !== 'N') sink.error({ code: 'ACPTFL_INVALID', item: 19, ...at(i, r, `${domain}ACPTFL`), message: `--ACPTFL ${JSON.stringify(flag)}` });
      if (flag === 'Y') {
        const k = domain === 'RS' ? JSON.stringify([r.USUBJID, r.RSCAT, r.RSTESTCD, r.VISITNUM]) : JSON.stringify([r.USUBJID, r.VISITNUM]);
        acceptedBy.set(k, (acceptedBy.get(k) ?? new Set()).add(String(evalid)));
      }
      // item 20
      for (const v of ds.variables) {
        const value = r[v.name];
        if (!v.codelist || typeof value !== 'string') continue;
        if (!isCodelistTerm(v.codelist, value)) {
          if (STRICT_CODELISTS.has(v.codelist)) sink.error({ code: 'CT_VALUE', item: 20, ...at(i, r, v.name), message: `${JSON.stringify(value)} is not a ${v.codelist} term` });
          else sink.warning({ code: 'CT_VALUE_EXTENDED', item: 20, ...at(i, r, v.name), message: `${JSON.stringify(value)} is not in the embedded ${v.codelist} list (extensible codelist)` });
        }
      }
      if (domain === 'TR' && testcd === 'TUMSTATE' && typeof stresc === 'string' && !isCodelistTerm('TRPROPRS', stresc)) {
        sink.error({ code: 'CT_VALUE', item: 20, ...at(i, r, 'TRSTRESC'), message: `${JSON.stringify(stresc)} is not a TRPROPRS term` });
      }
      if (domain === 'RS' && typeof stresc === 'string') {
        const allowed: readonly string[] = testcd === 'NEWLPROG' ? NEW_LESION_PROGRESSION : r.RSCAT === 'iRECIST' ? IRECIST_RESULTS : RECIST_RESULTS;
        if (!allowed.includes(stresc)) sink.error({ code: 'CT_VALUE', item: 20, ...at(i, r, 'RSSTRESC'), message: `${JSON.stringify(stresc)} is not a ${String(r.RSCAT)} ${testcd} result` });
      }
    });
    for (const [testcd, us] of units) {
      if (us.size > 1) sink.error({ code: 'UNIT_NOT_UNIQUE', item: 16, domain, message: `${testcd} has standard units ${[...us].join(', ')}` });
    }
    for (const [k, who] of acceptedBy) {
      if (who.size > 1) sink.error({ code: 'ACPTFL_NOT_UNIQUE', item: 19, domain, message: `more than one assessor accepted for ${k}: ${[...who].join(', ')}` });
    }
    if (domain === 'RS') checkRsAcceptance(sink, ds);
  }
  for (const [num, names] of visitNames) if (names.size > 1) sink.error({ code: 'VISIT_NOT_ONE_TO_ONE', item: 15, p21: 'SD0051', message: `VISITNUM ${num} has names ${[...names].join(', ')}` });
  for (const [name, nums] of visitNums) if (nums.size > 1) sink.error({ code: 'VISIT_NOT_ONE_TO_ONE', item: 15, p21: 'SD0052', message: `VISIT ${name} has numbers ${[...nums].join(', ')}` });
}

/** Item 19: where several assessors gave OVRLRESP/BESTRESP and the subject uses flags, exactly one Y. */
function checkRsAcceptance(sink: FindingSink, rs: SdtmDataset): void {
  const usesFlags = new Set(rs.rows.filter((r) => r.RSACPTFL !== null).map((r) => String(r.USUBJID)));
  const groups = new Map<string, SdtmRow[]>();
  for (const r of rs.rows) {
    if (r.RSTESTCD !== 'OVRLRESP' && r.RSTESTCD !== 'BESTRESP') continue;
    const k = JSON.stringify([r.USUBJID, r.RSCAT, r.RSTESTCD, r.VISITNUM]);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  for (const [k, rows] of groups) {
    if (rows.length < 2 || !usesFlags.has(String(rows[0].USUBJID))) continue;
    const ys = rows.filter((r) => r.RSACPTFL === 'Y').length;
    if (ys !== 1) sink.error({ code: 'ACPTFL_NOT_UNIQUE', item: 19, domain: 'RS', usubjid: String(rows[0].USUBJID), message: `${ys} accepted records for ${k}; exactly one expected` });
  }
}
