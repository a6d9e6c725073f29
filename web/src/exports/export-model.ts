import type { components } from '../api/schema.js';

// What the export screens decide from the contract's Export, Job and ExportFile objects: whether a cut can be
// downloaded (and, if not, why in words), its findings in reading order, the job's progress, and whether bytes
// that came down the wire are the bytes the manifest lists. Pure (no DOM, no client), tested in Node.

export type Export = components['schemas']['Export'];
export type ExportFile = components['schemas']['ExportFile'];
export type ExportManifest = components['schemas']['ExportManifest'];
export type ConformanceFinding = components['schemas']['ConformanceFinding'];
export type Job = components['schemas']['Job'];

/** The manifest's own file name (src/exports/write-export.ts MANIFEST_FILE_NAME): served beside the listed files. */
export const MANIFEST_FILE = 'manifest.json';

/** The optional deliverables and the assessments a cut may hold (openapi.yaml requestExport). */
export const ALWAYS_DELIVERED = ['XPT (SAS transport v5)', 'define.xml', 'CSV copies'] as const;
export const ASSESSMENTS = [
  { value: 'reader1', label: 'Reader 1' },
  { value: 'reader2', label: 'Reader 2' },
  { value: 'adjudicator', label: 'Adjudicator (needs both readers)' },
] as const;
export type Assessment = (typeof ASSESSMENTS)[number]['value'];

export const isBuilding = (e: Pick<Export, 'state'>): boolean => e.state === 'queued' || e.state === 'running';

/**
 * Whether the server will hand out this cut's files, and if not, why (the server's rule: a manifest that
 * passed its conformance check; everything else is 409).
 */
export function downloadability(e: Export): { downloadable: true } | { downloadable: false; why: string } {
  if (isBuilding(e)) return { downloadable: false, why: `The cut is ${e.state}: its files can be downloaded once it has been built and has passed its conformance check.` };
  if (e.state === 'passed' && e.manifest?.status === 'passed') return { downloadable: true };
  if (e.manifest?.status === 'failed') {
    const n = e.manifest.findings?.errors ?? 0;
    return { downloadable: false, why: `This cut failed its conformance check with ${n} error${n === 1 ? '' : 's'}, so it cannot be downloaded. The findings below say what to correct; then start a new cut.` };
  }
  return { downloadable: false, why: `This cut could not be built${e.error ? `: ${e.error}` : ''}. It has no files to download; start a new cut.` };
}

/** One line for the list: passed, failed with N errors, or what keeps it from being built. */
export function conformanceSummary(e: Export): string {
  if (isBuilding(e)) return 'not checked yet';
  const f = e.manifest?.findings;
  if (!e.manifest || !f) return e.error ? `not built: ${e.error}` : 'not built';
  const errors = f.errors ?? 0;
  const warnings = f.warnings ?? 0;
  return `${e.manifest.status}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}

/** Errors before warnings, then by domain, subject and row, so a failed cut reads from its causes. */
export function findingsInOrder(findings: readonly ConformanceFinding[]): ConformanceFinding[] {
  const sev = (f: ConformanceFinding) => (f.severity === 'error' ? 0 : 1);
  return [...findings].sort(
    (a, b) => sev(a) - sev(b) || (a.domain ?? '').localeCompare(b.domain ?? '') || (a.usubjid ?? '').localeCompare(b.usubjid ?? '') || (a.row ?? 0) - (b.row ?? 0) || a.code.localeCompare(b.code),
  );
}

/** The job's progress as a whole percentage (the server reports a fraction 0..1). */
export const progressPercent = (job: Pick<Job, 'progress' | 'state'>): number => (job.state === 'succeeded' ? 100 : Math.round(Math.max(0, Math.min(1, job.progress ?? 0)) * 100));

/** The cut-off date of a cut started today: today's date in UTC, as the server reads YYYY-MM-DD. */
export const todayUtc = (now = new Date()): string => now.toISOString().slice(0, 10);

/** A real calendar date YYYY-MM-DD (the server refuses 2024-02-30 with 400; the form says so first). */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** Hex SHA-256 of bytes, with the platform's Web Crypto (the browser's crypto.subtle, or Node's). */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes instanceof Uint8Array ? bytes.slice().buffer : bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** JSON with object keys sorted: two documents with the same content compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

export interface Verification {
  /** SHA-256 of the bytes received, computed here */
  computed: string;
  /** what they should hash to: the manifest's entry, or (for the manifest itself) the server's X-Content-SHA256 */
  expected: string;
  verified: boolean;
  /** each way the download differs from the record, in words (empty when verified) */
  problems: string[];
}

/**
 * Checks downloaded bytes: a listed file against its manifest entry (hash and size) and the X-Content-SHA256 the
 * server sent; the manifest itself against that header and, parsed, against the manifest of the export record.
 */
export async function verifyDownload(
  bytes: ArrayBuffer,
  against: { kind: 'file'; entry: ExportFile; header: string | null } | { kind: 'manifest'; manifest: ExportManifest; header: string | null },
): Promise<Verification> {
  const computed = await sha256Hex(bytes);
  const problems: string[] = [];
  let expected: string;
  if (against.kind === 'file') {
    expected = against.entry.sha256;
    if (computed !== expected) problems.push(`SHA-256 of the downloaded bytes (${computed}) differs from the manifest (${expected})`);
    if (bytes.byteLength !== against.entry.sizeBytes) problems.push(`size ${bytes.byteLength} bytes differs from the manifest (${against.entry.sizeBytes} bytes)`);
    if (against.header !== null && against.header !== expected) problems.push(`the server's X-Content-SHA256 (${against.header}) differs from the manifest`);
  } else {
    if (against.header === null) problems.push('the server sent no X-Content-SHA256 for the manifest');
    expected = against.header ?? '';
    if (against.header !== null && computed !== against.header) problems.push(`SHA-256 of the downloaded bytes (${computed}) differs from the server's X-Content-SHA256 (${against.header})`);
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      problems.push('the manifest is not valid JSON');
    }
    if (parsed !== undefined && canonicalJson(parsed) !== canonicalJson(against.manifest)) problems.push("the manifest's content differs from the export's record");
  }
  return { computed, expected, verified: problems.length === 0, problems };
}
