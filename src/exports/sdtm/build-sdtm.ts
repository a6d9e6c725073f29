// Builds TU, TR and RS for a data cut: subjects in USUBJID order, each subject's records in assessor, visit and
// lesion order, --SEQ numbered from 1 within USUBJID (primer 9 item 11), then lengths fixed (primer 6.6).
import type { ExportInput } from './assessment.js';
import { buildRsRows } from './build-rs.js';
import { buildTrRows } from './build-tr.js';
import { buildTuRows } from './build-tu.js';
import { type SdtmDataset, type SdtmRow, finaliseDatasets } from './dataset.js';
import { planSubject } from './subject-plan.js';
import type { Domain } from './variables.js';

const numbered = (rows: SdtmRow[], seqName: string): SdtmRow[] => rows.map((r, i) => ({ ...r, [seqName]: i + 1 }));

export function buildSdtm(input: ExportInput): Record<Domain, SdtmDataset> {
  const subjects = [...input.subjects].sort((a, b) => (a.usubjid < b.usubjid ? -1 : a.usubjid > b.usubjid ? 1 : 0));
  const tu: SdtmRow[] = [];
  const tr: SdtmRow[] = [];
  const rs: SdtmRow[] = [];
  for (const subject of subjects) {
    const plan = planSubject(input.study, subject);
    tu.push(...numbered(buildTuRows(input.study, plan), 'TUSEQ'));
    tr.push(...numbered(buildTrRows(input.study, plan), 'TRSEQ'));
    rs.push(...numbered(buildRsRows(input.study, plan), 'RSSEQ'));
  }
  return finaliseDatasets({ TU: tu, TR: tr, RS: rs });
}
