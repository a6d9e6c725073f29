// Writes every file of one data cut to a directory: tu/tr/rs.xpt, define.xml, tu/tr/rs.csv, the workbook, the
// conformance findings and the manifest; then reports whether the cut may be released. Same data and cut-off
// give byte-identical data files (XPT, define.xml, CSV, findings): the clock (`generatedAt`) is used only by
// the workbook cover sheet and the manifest.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError, isDomainError } from '../domain/errors.js';
import { checkConformance } from './conformance.js';
import { type Finding, hasErrors } from './conformance/findings.js';
import { csvLines } from './csv.js';
import { DEFINE_FILE_NAME, DEFINE_VERSION, buildDefineXml, xptFileName } from './define-xml.js';
import { type ExportManifest, type ManifestFile, describeFile, manifestJson } from './manifest.js';
import type { ExportInput } from './sdtm/assessment.js';
import { buildSdtm } from './sdtm/build-sdtm.js';
import { type SdtmDataset, toXptDataset } from './sdtm/dataset.js';
import { cutoffInstant } from './sdtm/iso-date.js';
import { CT_VERSION, SDTMIG_VERSION } from './sdtm/terminology.js';
import { DOMAINS, type Domain } from './sdtm/variables.js';
import { writeWorkbook } from './workbook.js';
import { XptWriteError, xptChunks } from './xpt/xpt-writer.js';

export const WORKBOOK_FILE_NAME = 'tumor-response.xlsx';
export const FINDINGS_FILE_NAME = 'conformance.json';
export const MANIFEST_FILE_NAME = 'manifest.json';
export const csvFileName = (d: Domain) => `${d.toLowerCase()}.csv`;

export interface WriteExportOptions {
  /** Directory to write into (created if absent). */
  readonly dir: string;
  readonly generatedAt: Date;
  readonly generatedBy: string;
  readonly platformVersion: string;
  /** Skip the workbook (e.g. a machine-only export); default true. */
  readonly workbook?: boolean;
}

export interface ExportResult {
  readonly manifest: ExportManifest;
  readonly findings: readonly Finding[];
  readonly datasets?: Readonly<Record<Domain, SdtmDataset>>;
}

export async function writeExport(input: ExportInput, opts: WriteExportOptions): Promise<ExportResult> {
  await mkdir(opts.dir, { recursive: true });
  let createdAt: Date;
  try {
    createdAt = cutoffInstant(input.study.cutoff);
  } catch {
    throw new DomainError('VALIDATION_FAILED', `data cut-off ${JSON.stringify(input.study.cutoff)} is not an ISO 8601 date or datetime`);
  }
  const findings: Finding[] = [];
  const files: ManifestFile[] = [];
  let datasets: Record<Domain, SdtmDataset> | undefined;
  try {
    datasets = buildSdtm(input);
  } catch (e) {
    if (!isDomainError(e)) throw e;
    findings.push({ code: 'BUILD_FAILED', severity: 'error', item: 0, message: e.detail });
  }

  if (datasets) {
    const ds = datasets;
    const xptFiles = [];
    for (const d of DOMAINS) {
      const name = xptFileName(d);
      try {
        await pipeline(Readable.from(xptChunks(toXptDataset(ds[d]), { createdAt })), createWriteStream(path.join(opts.dir, name)));
        xptFiles.push({ domain: d, fileName: name, bytes: await readFile(path.join(opts.dir, name)) });
        files.push(await describeFile(opts.dir, name, 'xpt'));
      } catch (e) {
        if (!(e instanceof XptWriteError)) throw e;
        findings.push({ code: 'XPT_WRITE_FAILED', severity: 'error', item: 10, domain: d, variable: e.where.variable, row: e.where.row, message: e.message });
      }
    }
    const defineXml = buildDefineXml(ds, { study: input.study, createdAt });
    await writeFile(path.join(opts.dir, DEFINE_FILE_NAME), defineXml, 'utf8');
    files.push(await describeFile(opts.dir, DEFINE_FILE_NAME, 'define'));
    for (const d of DOMAINS) {
      await pipeline(Readable.from(csvLines(ds[d])), createWriteStream(path.join(opts.dir, csvFileName(d))));
      files.push(await describeFile(opts.dir, csvFileName(d), 'csv'));
    }
    findings.push(...checkConformance({ datasets: ds, source: input, xptFiles, define: { xml: defineXml, fileNameOf: xptFileName } }));
  }

  await writeFile(path.join(opts.dir, FINDINGS_FILE_NAME), `${JSON.stringify(findings, null, 2)}\n`, 'utf8');
  files.push(await describeFile(opts.dir, FINDINGS_FILE_NAME, 'findings'));
  const generatedAt = opts.generatedAt.toISOString();
  if (datasets && opts.workbook !== false) {
    await writeWorkbook(path.join(opts.dir, WORKBOOK_FILE_NAME), datasets, {
      studyId: input.study.studyId,
      studyName: input.study.studyName,
      cutoff: input.study.cutoff,
      generatedAt,
      generatedBy: opts.generatedBy,
      platformVersion: opts.platformVersion,
      files: [...files],
    });
    files.push(await describeFile(opts.dir, WORKBOOK_FILE_NAME, 'workbook'));
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  const manifest: ExportManifest = {
    manifestVersion: 1,
    status: hasErrors(findings) ? 'failed' : 'passed',
    generatedAt,
    generatedBy: opts.generatedBy,
    platformVersion: opts.platformVersion,
    parameters: {
      studyId: input.study.studyId,
      cutoff: input.study.cutoff,
      sdtmigVersion: SDTMIG_VERSION,
      ctVersion: CT_VERSION,
      defineVersion: DEFINE_VERSION,
      subjects: input.subjects.length,
    },
    files,
    findings: { errors, warnings: findings.length - errors },
  };
  await writeFile(path.join(opts.dir, MANIFEST_FILE_NAME), manifestJson(manifest), 'utf8');
  return { manifest, findings, datasets };
}

/** Guard for the download route: a failed export cannot be downloaded (the findings can). */
export function assertDownloadable(manifest: ExportManifest): void {
  if (manifest.status !== 'passed') {
    throw new DomainError('CONFLICT', `export failed its conformance check (${manifest.findings.errors} errors) and cannot be downloaded`);
  }
}
