// Agreement between the two independent readers on time-point and best overall responses, per criterion and
// test: pairs, agreements, percent agreement and Cohen's kappa; plus the list of disagreements with the
// adjudicator's value. Computed from the RS rows as exported.
import type { SdtmRow } from './sdtm/dataset.js';

export interface AgreementSummary {
  readonly rscat: string;
  readonly rstestcd: string;
  readonly pairs: number;
  readonly agreements: number;
  readonly percentAgreement: number | null;
  readonly kappa: number | null;
}

export interface Disagreement {
  readonly usubjid: string;
  readonly rscat: string;
  readonly rstestcd: string;
  readonly visit: string | null;
  readonly reader1: string;
  readonly reader2: string;
  readonly adjudicator: string | null;
}

export interface ReaderAgreement {
  readonly summaries: readonly AgreementSummary[];
  readonly disagreements: readonly Disagreement[];
}

/** Cohen's kappa for paired categorical ratings; null when chance agreement is 1 (one category only). */
export function cohensKappa(pairs: readonly (readonly [string, string])[]): number | null {
  const n = pairs.length;
  if (n === 0) return null;
  const observed = pairs.filter(([a, b]) => a === b).length / n;
  const cats = new Set(pairs.flat());
  let chance = 0;
  for (const c of cats) chance += (pairs.filter(([a]) => a === c).length / n) * (pairs.filter(([, b]) => b === c).length / n);
  return chance === 1 ? null : (observed - chance) / (1 - chance);
}

export function readerAgreement(rs: readonly SdtmRow[]): ReaderAgreement {
  const cell = new Map<string, { r1?: string; r2?: string; adj?: string; usubjid: string; rscat: string; rstestcd: string; visit: string | null; visitNum: number }>();
  for (const r of rs) {
    if (r.RSTESTCD !== 'OVRLRESP' && r.RSTESTCD !== 'BESTRESP') continue;
    const k = JSON.stringify([r.USUBJID, r.RSCAT, r.RSTESTCD, r.VISITNUM]);
    const c = cell.get(k) ?? { usubjid: String(r.USUBJID), rscat: String(r.RSCAT), rstestcd: String(r.RSTESTCD), visit: (r.VISIT as string | null) ?? null, visitNum: typeof r.VISITNUM === 'number' ? r.VISITNUM : Number.MAX_SAFE_INTEGER };
    const v = String(r.RSSTRESC);
    if (r.RSEVALID === 'RADIOLOGIST 1') c.r1 = v;
    else if (r.RSEVALID === 'RADIOLOGIST 2') c.r2 = v;
    else if (r.RSEVAL === 'ADJUDICATOR') c.adj = v;
    cell.set(k, c);
  }
  const cells = [...cell.values()].sort((a, b) => (a.usubjid < b.usubjid ? -1 : a.usubjid > b.usubjid ? 1 : a.rscat.localeCompare(b.rscat) || a.rstestcd.localeCompare(b.rstestcd) || a.visitNum - b.visitNum));
  const byTest = new Map<string, [string, string][]>();
  const disagreements: Disagreement[] = [];
  for (const c of cells) {
    if (c.r1 === undefined || c.r2 === undefined) continue;
    const k = JSON.stringify([c.rscat, c.rstestcd]);
    byTest.set(k, [...(byTest.get(k) ?? []), [c.r1, c.r2]]);
    if (c.r1 !== c.r2) disagreements.push({ usubjid: c.usubjid, rscat: c.rscat, rstestcd: c.rstestcd, visit: c.visit, reader1: c.r1, reader2: c.r2, adjudicator: c.adj ?? null });
  }
  const summaries = [...byTest.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, pairs]) => {
    const [rscat, rstestcd] = JSON.parse(k) as [string, string];
    const agreements = pairs.filter(([a, b]) => a === b).length;
    return { rscat, rstestcd, pairs: pairs.length, agreements, percentAgreement: pairs.length ? (100 * agreements) / pairs.length : null, kappa: cohensKappa(pairs) };
  });
  return { summaries, disagreements };
}
