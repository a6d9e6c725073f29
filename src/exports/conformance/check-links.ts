// Primer section 9, items 21-24: one study, subjects in DM, TU/TR/RS links within subject and assessor, lesion
// classes by visit, link groups.
import type { ExportInput } from '../sdtm/assessment.js';
import type { SdtmDataset, SdtmRow } from '../sdtm/dataset.js';
import type { Domain } from '../sdtm/variables.js';
import type { FindingSink } from './findings.js';

const LESION_TESTS = new Set(['LDIAM', 'LPERP', 'TUMSTATE']);

/** TU class (TUSTRESC) -> the TRGRPID its TR rows must carry (item 23). */
function groupOfClass(tuClass: string): string | undefined {
  if (tuClass === 'TARGET' || tuClass === 'NON-TARGET') return tuClass;
  if (tuClass === 'NEW' || tuClass === 'NEW TARGET' || tuClass === 'NEW NON-TARGET') return 'NEW';
  return undefined;
}

const assessorKey = (r: SdtmRow, d: Domain) => JSON.stringify([r.USUBJID, r[`${d}EVAL`], r[`${d}EVALID`]]);

export function checkLinks(sink: FindingSink, datasets: Readonly<Record<Domain, SdtmDataset>>, source: ExportInput): void {
  const { TU, TR, RS } = datasets;
  // item 21
  const studyIds = new Set([...TU.rows, ...TR.rows, ...RS.rows].map((r) => r.STUDYID));
  if (studyIds.size > 1) sink.error({ code: 'STUDYID_NOT_UNIQUE', item: 21, message: `STUDYID values: ${[...studyIds].join(', ')}` });
  const dm = new Set(source.subjects.map((s) => s.usubjid));
  for (const [domain, ds] of [['TU', TU], ['TR', TR], ['RS', RS]] as const) {
    ds.rows.forEach((r, i) => {
      if (!dm.has(String(r.USUBJID))) sink.error({ code: 'USUBJID_NOT_IN_DM', item: 21, p21: 'SD0064', domain, row: i + 1, usubjid: String(r.USUBJID), message: 'USUBJID not in DM' });
    });
  }
  const baselineVisit = new Map(source.subjects.map((s) => [s.usubjid, s.visits.find((v) => v.timepointLabel === null)?.visitNum] as const));

  // items 22-23
  const tuByLink = new Map<string, SdtmRow>();
  TU.rows.forEach((r, i) => {
    const k = JSON.stringify([assessorKey(r, 'TU'), r.TULNKID]);
    if (tuByLink.has(k)) sink.error({ code: 'DUPLICATE_KEY', item: 12, domain: 'TU', row: i + 1, usubjid: String(r.USUBJID), variable: 'TULNKID', message: `${r.TULNKID} identified twice by ${r.TUEVALID}` });
    tuByLink.set(k, r);
    const atBaseline = r.VISITNUM === baselineVisit.get(String(r.USUBJID));
    const cls = String(r.TUSTRESC);
    const isNew = cls.startsWith('NEW');
    if (r.TUTESTCD === 'TUMIDENT' && isNew === atBaseline) {
      sink.error({ code: 'TU_VISIT_CLASS', item: 23, domain: 'TU', row: i + 1, usubjid: String(r.USUBJID), message: `${cls} lesion ${r.TULNKID} identified ${atBaseline ? 'at' : 'after'} baseline` });
    }
  });
  const linked = new Set<string>();
  const groupOwner = new Map<string, string>();
  TR.rows.forEach((r, i) => {
    const at = { domain: 'TR' as const, row: i + 1, usubjid: String(r.USUBJID) };
    const lnk = r.TRLNKID ?? null;
    if (LESION_TESTS.has(String(r.TRTESTCD)) && lnk === null) sink.error({ code: 'LESION_ROW_WITHOUT_LNKID', item: 22, ...at, message: `${r.TRTESTCD} row without TRLNKID` });
    if (lnk !== null) {
      const k = JSON.stringify([assessorKey(r, 'TR'), lnk]);
      const tu = tuByLink.get(k);
      if (!tu) sink.error({ code: 'TRLNKID_UNRESOLVED', item: 22, p21: 'SD1336', ...at, variable: 'TRLNKID', message: `${lnk} not identified in TU by ${r.TREVALID}` });
      else {
        linked.add(k);
        const expected = groupOfClass(String(tu.TUSTRESC));
        if (expected !== r.TRGRPID) sink.error({ code: 'TRGRPID_CLASS', item: 23, ...at, variable: 'TRGRPID', message: `TRGRPID ${r.TRGRPID} for a ${tu.TUSTRESC} lesion` });
      }
    }
    // item 24
    const grp = r.TRLNKGRP;
    if (typeof grp === 'string') {
      const owner = JSON.stringify([assessorKey(r, 'TR'), r.VISITNUM]);
      const gk = JSON.stringify([r.USUBJID, grp]);
      const prev = groupOwner.get(gk);
      if (prev !== undefined && prev !== owner) sink.error({ code: 'LNKGRP_MIXED', item: 24, ...at, variable: 'TRLNKGRP', message: `${grp} spans several assessors or visits` });
      groupOwner.set(gk, owner);
    }
  });
  for (const [k, r] of tuByLink) {
    if (!linked.has(k)) sink.error({ code: 'TU_WITHOUT_TR', item: 22, domain: 'TU', usubjid: String(r.USUBJID), message: `${r.TULNKID} (${r.TUEVALID}) has no TR results` });
  }
  RS.rows.forEach((r, i) => {
    const grp = r.RSLNKGRP ?? null;
    if (grp === null) return;
    const owner = groupOwner.get(JSON.stringify([r.USUBJID, grp]));
    if (owner !== JSON.stringify([assessorKey(r, 'RS'), r.VISITNUM])) {
      sink.error({ code: 'RSLNKGRP_UNRESOLVED', item: 24, p21: 'SD1338', domain: 'RS', row: i + 1, usubjid: String(r.USUBJID), variable: 'RSLNKGRP', message: `${grp} is not a TR group of ${r.RSEVALID} at VISITNUM ${r.VISITNUM}` });
    }
  });
}
