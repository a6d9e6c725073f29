// Primer section 9 item 25 (relations of section 5): target sums and changes, the RECIST 1.1 overall response
// table, response coverage of visits, best response among observed responses, adjudicator agreement, accepted
// assessor agreement; and the response engine itself (src/domain/response/, not a re-implementation), re-run on
// inputs rebuilt from TU/TR: every RS response of a reader must be what the engine gives on that reader's TR.
import {
  RESPONSE_RULESET_VERSION,
  type SubjectEvaluation,
  type ValidatedSubject,
  evaluateSubjectResponse,
} from '../../domain/response/index.js';
import type { ExportInput } from '../sdtm/assessment.js';
import { rsResponses } from '../sdtm/build-rs.js';
import type { SdtmDataset, SdtmRow } from '../sdtm/dataset.js';
import { percentChangeTenths, toTenths } from '../sdtm/result-format.js';
import { validatedRead } from '../sdtm/subject-plan.js';
import { NOT_DONE, rsOutcomeText } from '../sdtm/terminology.js';
import type { Domain } from '../sdtm/variables.js';
import { engineInputFromTr } from './engine-input-from-tr.js';
import type { FindingSink } from './findings.js';

const groupBy = <T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> => {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const l = m.get(k);
    if (l) l.push(it);
    else m.set(k, [it]);
  }
  return m;
};
const who = (r: SdtmRow, d: Domain) => JSON.stringify([r.USUBJID, r[`${d}EVAL`], r[`${d}EVALID`]]);

export function checkResponses(sink: FindingSink, datasets: Readonly<Record<Domain, SdtmDataset>>, source: ExportInput): void {
  const { TU, TR, RS } = datasets;
  const subjects = new Map(source.subjects.map((s) => [s.usubjid, s] as const));
  const baselineOf = (usubjid: string) => subjects.get(usubjid)?.visits.find((v) => v.timepointLabel === null)?.visitNum;

  // --- sums and changes, per assessor in visit order
  for (const [, rows] of groupBy(TR.rows, (r) => who(r, 'TR'))) {
    const usubjid = String(rows[0].USUBJID);
    const byVisit = [...groupBy(rows, (r) => String(r.VISITNUM)).values()].sort((a, b) => Number(a[0].VISITNUM) - Number(b[0].VISITNUM));
    const sums: number[] = [];
    for (const vr of byVisit) {
      const targetRows = vr.filter((r) => r.TRGRPID === 'TARGET' && r.TRLNKID !== null);
      const test = (cd: string) => vr.find((r) => r.TRTESTCD === cd);
      const sumRow = test('SUMDIAM');
      const at = { domain: 'TR' as const, usubjid, message: '' };
      const complete = targetRows.length > 0 && targetRows.every((r) => typeof r.TRSTRESN === 'number');
      if (!complete) {
        if (sumRow) sink.error({ ...at, code: 'SUMDIAM_MISMATCH', item: 25, message: `SUMDIAM at VISITNUM ${vr[0].VISITNUM} although not every target has a result` });
        continue;
      }
      const sum = targetRows.reduce((s, r) => s + toTenths(r.TRSTRESN as number), 0);
      if (!sumRow || toTenths(Number(sumRow.TRSTRESN)) !== sum) {
        sink.error({ ...at, code: 'SUMDIAM_MISMATCH', item: 25, message: `${vr[0].TREVALID} VISITNUM ${vr[0].VISITNUM}: SUMDIAM ${sumRow?.TRSTRESN ?? 'missing'}, lesions add up to ${sum / 10}` });
        continue;
      }
      if (sums.length > 0) {
        const base = sums[0];
        const nadir = Math.min(...sums);
        const expect = (cd: string, tenths: number | undefined) => {
          const r = test(cd);
          const got = r ? toTenths(Number(r.TRSTRESN)) : undefined;
          if (got !== tenths) sink.error({ ...at, code: 'SUMMARY_ARITHMETIC', item: 25, message: `${vr[0].TREVALID} VISITNUM ${vr[0].VISITNUM}: ${cd} ${got === undefined ? 'missing' : got / 10}, expected ${tenths === undefined ? 'none' : tenths / 10}` });
        };
        expect('PCBSD', base > 0 ? percentChangeTenths(sum, base) : undefined);
        expect('ACNSD', sum - nadir);
        expect('PCNSD', nadir > 0 ? percentChangeTenths(sum, nadir) : undefined);
      } else if (vr[0].VISITNUM !== baselineOf(usubjid)) {
        sink.error({ ...at, code: 'SUMMARY_ARITHMETIC', item: 25, message: `${vr[0].TREVALID}: first target sum is not at the baseline visit` });
      }
      sums.push(sum);
    }
  }

  // --- RECIST 1.1 overall response table (readers' category responses present), visits in order per reader
  const rsByVisit = groupBy(RS.rows, (r) => JSON.stringify([who(r, 'RS'), r.RSCAT, r.VISITNUM]));
  const earlierOverall = new Map<string, string[]>(); // reader -> OVRLRESP at the earlier RECIST 1.1 visits
  const tableVisits = [...rsByVisit.values()]
    .filter((rows) => rows[0].RSCAT === 'RECIST 1.1' && rows[0].VISITNUM !== null)
    .sort((a, b) => Number(a[0].VISITNUM) - Number(b[0].VISITNUM));
  for (const rows of tableVisits) {
    // A NOT DONE category record means the subject has no lesions of that category (engine NA): Table 2 or
    // "no non-targets" in Table 1. Absent and NOT DONE both read as undefined here.
    const val = (cd: string) => {
      const r = rows.find((x) => x.RSTESTCD === cd);
      return r && r.RSSTAT !== NOT_DONE && typeof r.RSSTRESC === 'string' ? r.RSSTRESC : undefined;
    };
    const overall = val('OVRLRESP');
    const t = val('TRGRESP');
    const n = val('NTRGRESP');
    const reader = who(rows[0], 'RS');
    const earlier = earlierOverall.get(reader) ?? [];
    const lastEvaluable = earlier.filter((x) => x !== 'NE').at(-1);
    if (overall !== undefined) earlierOverall.set(reader, [...earlier, overall]);
    if (overall === undefined || (t === undefined && n === undefined)) continue;
    const expected = recistOverallFromCategories(t, n, val('NEWLPROG') === 'UNEQUIVOCAL');
    // Outcomes the categories alone cannot show, which the engine gives by rule and the engine check verifies:
    // PD on reappearance when the previous evaluable visit was an overall CR (primer 6, Table 1), and a
    // continuing PR where the numbers say SD (option prPersistence sticky, primer 7.4).
    const byRule = (overall === 'PD' && lastEvaluable === 'CR') || (overall === 'PR' && expected === 'SD' && earlier.includes('PR'));
    if (expected !== undefined && expected !== overall && !byRule) {
      sink.error({ code: 'OVRLRESP_TABLE', item: 25, domain: 'RS', usubjid: String(rows[0].USUBJID), message: `${rows[0].RSEVALID} VISITNUM ${rows[0].VISITNUM}: OVRLRESP ${overall} but target ${t ?? '-'}, non-target ${n ?? '-'}, new ${val('NEWLPROG') ?? 'no'} give ${expected}` });
    }
  }

  // --- coverage and best response, per assessor and criterion
  const selectedReader = new Map<string, string>(); // subject -> the reader an adjudication by selection chose
  for (const subject of source.subjects) for (const a of subject.assessments) if (a.selectedEvalId !== undefined) selectedReader.set(subject.usubjid, a.selectedEvalId);
  const trVisits = new Map<string, Set<number>>();
  for (const r of TR.rows) if (typeof r.VISITNUM === 'number' && r.VISITNUM !== baselineOf(String(r.USUBJID))) trVisits.set(who(r, 'TR'), (trVisits.get(who(r, 'TR')) ?? new Set()).add(r.VISITNUM));
  for (const [key, rows] of groupBy(RS.rows, (r) => JSON.stringify([who(r, 'RS'), r.RSCAT]))) {
    const first = rows[0];
    const usubjid = String(first.USUBJID);
    const overall = rows.filter((r) => r.RSTESTCD === 'OVRLRESP').sort((a, b) => Number(a.VISITNUM) - Number(b.VISITNUM));
    const at = { domain: 'RS' as const, usubjid };
    const visits = trVisits.get(who(first, 'RS'));
    if (visits) {
      // Reader with TR: one OVRLRESP per post-baseline TR visit (RECIST 1.1 up to the first PD, iRECIST up to the
      // first iCPD: primer 7.3, 9.8), none elsewhere.
      const stop = first.RSCAT === 'RECIST 1.1' ? 'PD' : 'iCPD';
      const firstPd = overall.find((r) => r.RSSTRESC === stop)?.VISITNUM;
      const expectedVisits = [...visits].filter((v) => firstPd === undefined || v <= Number(firstPd)).sort((a, b) => a - b);
      const got = overall.map((r) => Number(r.VISITNUM));
      if (JSON.stringify(got) !== JSON.stringify(expectedVisits)) {
        sink.error({ ...at, code: 'RESPONSE_COVERAGE', item: 25, message: `${first.RSEVALID} ${first.RSCAT}: OVRLRESP at visits [${got.join(', ')}], TR data expects [${expectedVisits.join(', ')}]` });
      }
    } else if (first.RSEVAL !== 'ADJUDICATOR') {
      sink.error({ ...at, code: 'RESPONSE_COVERAGE', item: 25, message: `${first.RSEVALID} has responses but no TR data` });
    }
    const best = rows.find((r) => r.RSTESTCD === 'BESTRESP')?.RSSTRESC;
    if (typeof best === 'string') {
      const observed = new Set(overall.map((r) => String(r.RSSTRESC)));
      // An adjudication by selection rules on some visits only (charter scope `timepoint`) and reports the selected
      // reader's best response, which may come from another of that reader's visits (primer 3.2).
      const selected = first.RSEVAL === 'ADJUDICATOR' ? selectedReader.get(usubjid) : undefined;
      if (selected) for (const r of RS.rows) if (r.USUBJID === usubjid && r.RSEVALID === selected && r.RSCAT === first.RSCAT && r.RSTESTCD === 'OVRLRESP') observed.add(String(r.RSSTRESC));
      // An unconfirmed response counts as stable disease (or non-CR/non-PD) for the best response (primer 8.1,
      // 8.3; iRECIST likewise, 9.8).
      const downgraded =
        first.RSCAT === 'iRECIST'
          ? (best === 'iSD' || best === 'NON-iCR/NON-iUPD') && (observed.has('iPR') || observed.has('iCR'))
          : (best === 'SD' || best === 'NON-CR/NON-PD') && (observed.has('PR') || observed.has('CR'));
      if (best !== 'NE' && !observed.has(best) && !downgraded) {
        sink.error({ ...at, code: 'BESTRESP_NOT_OBSERVED', item: 25, message: `${first.RSEVALID} ${first.RSCAT}: BESTRESP ${best} is not among the time-point responses [${[...observed].join(', ')}] (${key})` });
      }
    }
  }

  // --- adjudicator agreement and accepted assessor agreement
  const readerValue = new Map<string, Map<string, string>>(); // [subject, cat, test, visit] -> evalid -> value
  for (const r of RS.rows) {
    if (r.RSEVAL !== 'INDEPENDENT ASSESSOR') continue;
    const k = JSON.stringify([r.USUBJID, r.RSCAT, r.RSTESTCD, r.VISITNUM]);
    readerValue.set(k, (readerValue.get(k) ?? new Map()).set(String(r.RSEVALID), String(r.RSSTRESC)));
  }
  const trAccepted = new Map<string, string>(); // [subject, visit] -> evalid
  for (const r of TR.rows) if (r.TRACPTFL === 'Y') trAccepted.set(JSON.stringify([r.USUBJID, r.VISITNUM]), String(r.TREVALID));
  for (const r of RS.rows) {
    const at = { domain: 'RS' as const, usubjid: String(r.USUBJID) };
    if (r.RSEVAL === 'ADJUDICATOR' && !trVisits.has(who(r, 'RS'))) {
      const values = readerValue.get(JSON.stringify([r.USUBJID, r.RSCAT, r.RSTESTCD, r.VISITNUM]));
      if (!values || ![...values.values()].includes(String(r.RSSTRESC))) {
        sink.error({ ...at, code: 'ADJUDICATOR_DISAGREES', item: 25, message: `adjudicator ${r.RSCAT} ${r.RSTESTCD} at VISITNUM ${r.VISITNUM ?? '-'} is ${r.RSSTRESC}, which no reader gave` });
      } else if (r.VISITNUM !== null) {
        const accepted = trAccepted.get(JSON.stringify([r.USUBJID, r.VISITNUM]));
        if (accepted !== undefined && values.get(accepted) !== r.RSSTRESC) {
          sink.error({ ...at, code: 'ACCEPTED_MISMATCH', item: 25, message: `adjudicator ${r.RSTESTCD} at VISITNUM ${r.VISITNUM} differs from the accepted reader ${accepted}` });
        }
      }
    }
    if (r.RSACPTFL === 'Y' && r.RSEVAL === 'INDEPENDENT ASSESSOR' && ['TRGRESP', 'NTRGRESP', 'NEWLPROG'].includes(String(r.RSTESTCD))) {
      const accepted = trAccepted.get(JSON.stringify([r.USUBJID, r.VISITNUM]));
      if (accepted !== undefined && accepted !== r.RSEVALID) {
        sink.error({ ...at, code: 'ACCEPTED_MISMATCH', item: 25, message: `RS accepts ${r.RSEVALID} at VISITNUM ${r.VISITNUM}, TR accepts ${accepted}` });
      }
    }
  }

  // --- the response engine on inputs rebuilt from TU/TR
  const tuBy = groupBy(TU.rows, (r) => who(r, 'TU'));
  const trBy = groupBy(TR.rows, (r) => who(r, 'TR'));
  const rsBy = groupBy(RS.rows, (r) => who(r, 'RS'));
  for (const subject of source.subjects) {
    for (const a of subject.assessments) {
      if (a.selectedEvalId !== undefined) continue;
      const k = JSON.stringify([subject.usubjid, a.assessor.eval, a.assessor.evalId]);
      const at = { domain: 'RS' as const, usubjid: subject.usubjid };
      let out: SubjectEvaluation;
      try {
        const read: ValidatedSubject = validatedRead(subject.usubjid, a);
        out = evaluateSubjectResponse(engineInputFromTr(a, read, subject.visits, tuBy.get(k) ?? [], trBy.get(k) ?? []));
      } catch (e) {
        sink.error({ ...at, code: 'ENGINE_FAILED', item: 25, message: `${a.assessor.evalId}: the response engine failed on the exported TR: ${(e as Error).message}` });
        continue;
      }
      // TR target sums and changes = the engine's measurement facts of that timepoint (RECIST 1.1, or iRECIST
      // after the first PD: primer 10), when the engine has a complete sum.
      const tr = trBy.get(k) ?? [];
      for (const t of out.timepoints) {
        const facts = t.recist11 ?? t.irecist;
        const visitNum = subject.visits.find((v) => v.timepointLabel === t.label)?.visitNum;
        if (!facts || visitNum === undefined) continue;
        const complete = facts.targetSumComplete && facts.targetSumMm !== null;
        const engineValues: Record<string, number | null> = {
          SUMDIAM: complete ? facts.targetSumMm : null,
          PCBSD: complete ? facts.percentChangeFromBaseline : null,
          PCNSD: complete ? facts.percentChangeFromNadir : null,
          ACNSD: complete ? facts.changeFromNadirMm : null,
        };
        for (const [testcd, value] of Object.entries(engineValues)) {
          const row = tr.find((r) => r.VISITNUM === visitNum && r.TRTESTCD === testcd && r.TRLNKID === null);
          const got = typeof row?.TRSTRESN === 'number' ? row.TRSTRESN : null;
          if (got !== value) {
            sink.error({ ...at, domain: 'TR', code: 'ENGINE_MISMATCH', item: 25, message: `${a.assessor.evalId} ${testcd} at VISITNUM ${visitNum}: TR has ${got ?? 'nothing'}, the engine on TR gives ${value ?? 'nothing'}` });
          }
        }
      }
      const visitOf = (label: string | null) => (label === null ? null : (subject.visits.find((v) => v.timepointLabel === label)?.visitNum ?? null));
      const key = (cat: unknown, cd: unknown, visitNum: unknown) => JSON.stringify([cat, cd, visitNum]);
      const expected = new Map(rsResponses(out, true).map((r) => [key(r.category, r.testcd, visitOf(r.label)), rsOutcomeText(r.outcome)] as const));
      const actual = new Map((rsBy.get(k) ?? []).map((r) => [key(r.RSCAT, r.RSTESTCD, r.VISITNUM), rsRowText(r)] as const));
      // A stored evaluation from another rule-set version may differ from today's engine for that reason alone.
      const version = a.evaluation.ruleSetVersion !== RESPONSE_RULESET_VERSION ? ` (the assessment was evaluated under ${a.evaluation.ruleSetVersion})` : '';
      for (const rk of new Set([...expected.keys(), ...actual.keys()])) {
        if (expected.get(rk) !== actual.get(rk)) {
          sink.error({ ...at, code: 'ENGINE_MISMATCH', item: 25, message: `${a.assessor.evalId} ${rk}: RS has ${actual.get(rk) ?? 'nothing'}, the engine on TR gives ${expected.get(rk) ?? 'nothing'}${version}` });
        }
      }
    }
  }
}

/** An RS row as rsOutcomeText writes an engine response: the result, or `NOT DONE (reason)`. */
function rsRowText(r: SdtmRow): string {
  return r.RSSTAT === NOT_DONE ? `${NOT_DONE} (${String(r.RSREASND)})` : String(r.RSSTRESC);
}

/** RECIST 1.1 time-point response from the category responses (Eisenhauer 2009, tables 1-2). */
export function recistOverallFromCategories(target: string | undefined, nonTarget: string | undefined, newLesion: boolean): string | undefined {
  if (newLesion || target === 'PD' || nonTarget === 'PD') return 'PD';
  if (target !== undefined) {
    switch (target) {
      case 'CR':
        return nonTarget === undefined || nonTarget === 'CR' ? 'CR' : 'PR';
      case 'PR':
        return 'PR';
      case 'SD':
        return 'SD';
      case 'NE':
        return 'NE';
      default:
        return undefined;
    }
  }
  switch (nonTarget) {
    case 'CR':
      return 'CR';
    case 'NON-CR/NON-PD':
      return 'NON-CR/NON-PD';
    case 'NE':
      return 'NE';
    default:
      return undefined;
  }
}
