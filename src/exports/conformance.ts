// Conformance check before release (primer section 9). Runs every check on the built datasets and, when given,
// on the written XPT bytes and define.xml. An export with any error finding is failed and cannot be downloaded.
//
// RS-from-TR consistency (item 25) re-runs the response engine itself (src/domain/response/) on each reader's
// input rebuilt from TU/TR and compares its responses with RS.
import type { ExportInput } from './sdtm/assessment.js';
import type { SdtmDataset } from './sdtm/dataset.js';
import type { Domain } from './sdtm/variables.js';
import { checkDefine } from './conformance/check-define.js';
import { checkLinks } from './conformance/check-links.js';
import { checkMetadata } from './conformance/check-metadata.js';
import { checkRecords } from './conformance/check-records.js';
import { checkResponses } from './conformance/check-responses.js';
import { type XptFileToCheck, checkXptFiles } from './conformance/check-xpt-files.js';
import { type Finding, FindingSink } from './conformance/findings.js';

export { type Finding, type FindingCode, type FindingSeverity, hasErrors } from './conformance/findings.js';

export interface ConformanceInput {
  readonly datasets: Readonly<Record<Domain, SdtmDataset>>;
  readonly source: ExportInput;
  readonly xptFiles?: readonly XptFileToCheck[];
  readonly define?: { readonly xml: string; readonly fileNameOf: (d: Domain) => string };
}

export function checkConformance(input: ConformanceInput): Finding[] {
  const sink = new FindingSink();
  if (input.xptFiles) checkXptFiles(sink, input.datasets, input.xptFiles);
  checkMetadata(sink, input.datasets);
  checkRecords(sink, input.datasets, input.source);
  checkLinks(sink, input.datasets, input.source);
  checkResponses(sink, input.datasets, input.source);
  if (input.define) checkDefine(sink, input.datasets, input.define.xml, input.define.fileNameOf);
  return sink.findings;
}
