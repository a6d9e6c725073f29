// Export manifest: every file with its size and SHA-256, the export parameters, the platform version and the
// conformance outcome. Timestamps live here and on the workbook cover sheet only, so the data files of the same
// data and cut-off are byte-identical.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

export interface ManifestFile {
  readonly name: string;
  readonly role: 'xpt' | 'define' | 'csv' | 'workbook' | 'findings';
  readonly sizeBytes: number;
  readonly sha256: string;
}

export interface ExportParameters {
  readonly studyId: string;
  readonly cutoff: string;
  readonly sdtmigVersion: string;
  readonly ctVersion: string;
  readonly defineVersion: string;
  readonly subjects: number;
}

export const EXPORT_STATUSES = ['passed', 'failed'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

export interface ExportManifest {
  readonly manifestVersion: 1;
  readonly status: ExportStatus;
  readonly generatedAt: string;
  readonly generatedBy: string;
  readonly platformVersion: string;
  readonly parameters: ExportParameters;
  readonly files: readonly ManifestFile[];
  readonly findings: { readonly errors: number; readonly warnings: number };
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function describeFile(dir: string, name: string, role: ManifestFile['role']): Promise<ManifestFile> {
  const full = path.join(dir, name);
  const [info, sha256] = await Promise.all([stat(full), sha256File(full)]);
  return { name, role, sizeBytes: info.size, sha256 };
}

/** Stable JSON (2-space indent, trailing newline). */
export function manifestJson(m: ExportManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
