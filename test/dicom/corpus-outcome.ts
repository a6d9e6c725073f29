// Computes the ingest outcome of every file under the corpus's dicom/ folder with the library layer only
// (used by corpus-outcomes.test.ts; run directly with `npx tsx test/dicom/corpus-outcome.ts` to print the table).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDomainError } from '../../src/domain/errors.js';
import { readZipArchive } from '../../src/dicom/archive.js';
import type { TrialContext } from '../../src/dicom/deidentify.js';
import { ingestInstance } from '../../src/dicom/ingest-instance.js';
import { DEFAULT_DEIDENTIFICATION_OPTIONS, type DeidentificationOptions } from '../../src/dicom/profile.js';
import { corpusDir } from '../corpus.js';

export const TEST_TRIAL: TrialContext = {
  trialKey: 'corelab-test-trial-key',
  sponsorName: 'ACME ONCOLOGY',
  protocolId: 'ACME-001',
  protocolName: 'ACME first-in-human',
  siteId: 'S01',
  siteName: 'SITE 01',
  subjectId: 'S01-0001',
  timepointId: 'BL',
  timepointDescription: 'Baseline',
};

export const TEST_OPTIONS: DeidentificationOptions = {
  ...DEFAULT_DEIDENTIFICATION_OPTIONS,
  retainLongitudinalTemporalInformationModifiedDates: true,
  retainPatientCharacteristics: true,
};

export function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((n) => {
      const p = path.join(dir, n);
      return statSync(p).isDirectory() ? listFiles(p) : [p];
    })
    .sort();
}

function refused(e: unknown): string {
  if (isDomainError(e)) return `refused ${e.code}: ${e.detail}`;
  throw e;
}

/** The outcome of one DICOM buffer: parse, de-identify, decode the first and last frame. */
export async function outcomeOf(bytes: Uint8Array): Promise<string> {
  try {
    const result = await ingestInstance(bytes, TEST_TRIAL, TEST_OPTIONS, { decodePixels: true, framesToCheck: 'first-and-last' });
    const q = result.deidentified.quarantine;
    return q ? `quarantined ${q.reasons.join('+')}` : 'ingested';
  } catch (e) {
    return refused(e);
  }
}

async function archiveOutcome(file: string): Promise<string> {
  const counts = new Map<string, number>();
  try {
    await readZipArchive(file, async (_entry, content) => {
      const chunks: Buffer[] = [];
      for await (const c of content) chunks.push(c as Buffer);
      const o = (await outcomeOf(Buffer.concat(chunks))).split(':')[0];
      counts.set(o, (counts.get(o) ?? 0) + 1);
    });
  } catch (e) {
    return refused(e);
  }
  return `archive ${[...counts.entries()].map(([k, v]) => `${v} ${k}`).join(', ')}`;
}

export async function corpusOutcomes(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of listFiles(root)) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    out[rel] = file.endsWith('.zip') ? await archiveOutcome(file) : await outcomeOf(readFileSync(file));
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = corpusDir();
  if (!dir) throw new Error('corpus not found');
  console.log(JSON.stringify(await corpusOutcomes(path.join(dir, 'dicom')), null, 1));
}
