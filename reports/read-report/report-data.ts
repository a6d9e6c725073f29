// What a read report shows for one subject: the final assessment per visit (whose read, and why), its lesion table,
// responses and best overall response, measured-slice thumbnails where there are any, and every signature with its
// 21 CFR 11.50 manifestation and whether it still verifies. Built by src/services/exports/read-report.ts.
export interface ReportLesionRow {
  /** the reader's lesion id */
  id: string;
  kind: 'target' | 'non-target' | 'new';
  organ: string;
  location: string;
  /** e.g. "32 mm", "too small (5 mm)", "present", "disappeared (0 mm)" */
  result: string;
  /** how the value was obtained: manual, AI accepted, AI edited... */
  method: string;
}

export interface ReportResponse {
  criteria: string;
  response: string;
  /** the engine's value when the reader overrode it, with the reason */
  note?: string;
}

export interface ReportVisit {
  visitNum: number;
  visit: string;
  scanDate: string | null;
  /** concordant, adjudicated, pending adjudication, not read */
  source: string;
  readerLabel: string | null;
  readVersion: number | null;
  lesions: ReportLesionRow[];
  sumMm: number | null;
  responses: ReportResponse[];
}

export interface ReportSignature {
  /** §11.50 manifestation: printed name, date and time with zone, meaning */
  manifestation: string;
  /** what was signed, e.g. "Reader 1 read, Week 8, version 1" */
  record: string;
  /** "verified", or why not */
  status: string;
  valid: boolean;
}

export interface ReportThumbnail {
  caption: string;
  png: Buffer;
}

export interface ReadReportData {
  trial: { code: string; title: string };
  subject: { code: string; site: string };
  visits: ReportVisit[];
  bestOverallResponse: ReportResponse[];
  signatures: ReportSignature[];
  thumbnails: ReportThumbnail[];
  generatedAt: string;
  generatedBy: string;
  platformVersion: string;
}
