// Piscina entry: writes one SDTM data cut (XPT, define.xml, CSV, workbook), runs the conformance check and writes
// the manifest, and renders read reports, off the API's event loop. The caller assembled the input from the database.
import { renderReadReport } from '../reports/read-report/render.js';
import type { ReadReportData } from '../reports/read-report/report-data.js';
import type { Finding } from '../src/exports/conformance/findings.js';
import type { ExportManifest } from '../src/exports/manifest.js';
import type { ExportInput } from '../src/exports/sdtm/assessment.js';
import { writeExport } from '../src/exports/write-export.js';

export interface ExportTask {
  input: ExportInput;
  dir: string;
  /** ISO instant */
  generatedAt: string;
  generatedBy: string;
  platformVersion: string;
  workbook: boolean;
}

export interface ExportTaskResult {
  manifest: ExportManifest;
  findings: readonly Finding[];
}

export default async function writeDataCut(task: ExportTask): Promise<ExportTaskResult> {
  const { manifest, findings } = await writeExport(task.input, {
    dir: task.dir,
    generatedAt: new Date(task.generatedAt),
    generatedBy: task.generatedBy,
    platformVersion: task.platformVersion,
    workbook: task.workbook,
  });
  return { manifest, findings };
}

/** A subject's read report as PDF (pdfkit), rendered here rather than on the API's event loop. */
export async function readReport(data: ReadReportData): Promise<Uint8Array> {
  // thumbnails arrive as Uint8Array (structured clone); pdfkit recognises image data by Buffer
  const pdf = await renderReadReport({ ...data, thumbnails: data.thumbnails.map((t) => ({ ...t, png: Buffer.from(t.png) })) });
  return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
}
