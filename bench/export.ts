// bench/export: seconds and peak memory to export a generated trial of 1,000 subjects x 6 visits x 2 readers
// (30 % adjudicated) through writeExport (build TU/TR/RS, XPT, define.xml, CSV, conformance check with the
// response engine re-run on every reader's TR, workbook, manifest), against the same rows written as plain CSV
// in the same run (the baseline). The readers' evaluations are produced by the engine when the trial is generated.
// Run: npx tsx bench/export.ts [subjects]   (prints a final one-line JSON)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type FollowupInput,
  type SubjectEvaluation,
  type SubjectResponseInput,
  evaluateSubjectResponse,
} from '../src/domain/response/index.js';
import type { ExportInput, ExportSubject, SubjectAssessment } from '../src/exports/sdtm/assessment.js';
import { buildSdtm } from '../src/exports/sdtm/build-sdtm.js';
import { writeExport } from '../src/exports/write-export.js';

const SUBJECTS = Number(process.argv[2] ?? 1000);
const VISITS = 6; // baseline + 5 follow-ups
const ORGANS = ['LIVER', 'LUNG', 'LYMPH NODE', 'KIDNEY', 'ADRENAL GLAND'] as const;

/** Deterministic PRNG (mulberry32) so every run exports the same trial. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const addDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
/** One reader's read, and the response engine's evaluation of it (as the reading workflow stores it). */
function read(rand: () => number, start: string, treatmentStart: string): { input: SubjectResponseInput; evaluation: SubjectEvaluation } {
  const nTargets = 1 + Math.floor(rand() * 3);
  const targets = Array.from({ length: nTargets }, (_, i) => {
    const nodal = ORGANS[i % ORGANS.length] === 'LYMPH NODE';
    return { id: `T${i + 1}`, organ: ORGANS[i % ORGANS.length].toLowerCase(), nodal, diameterMm: Math.round((nodal ? 15 : 10) * 10 + rand() * 400) / 10, method: 'CT' as const };
  });
  const nonTargets = [{ id: 'NT1', organ: 'bone', nodal: false }];
  const followups: FollowupInput[] = [];
  const trend = 0.6 + rand() * 0.7;
  for (let v = 1; v < VISITS; v++) {
    const f = Math.pow(trend, v / 3);
    const fts = targets.map((t) => ({ id: t.id, status: 'measured' as const, diameterMm: Math.round(t.diameterMm * f * (0.95 + rand() * 0.1) * 10) / 10 }));
    followups.push({ label: `TP${v}`, date: addDays(start, 56 * v), assessed: true, targets: fts, nonTargets: [{ id: 'NT1', status: 'present' }], newLesions: [] });
  }
  const input: SubjectResponseInput = {
    criteria: ['RECIST1.1'],
    protocol: { sdReferenceDate: treatmentStart },
    baseline: { date: start, modality: 'CT', sliceThicknessMm: 5, targets, nonTargets },
    followups,
  };
  return { input, evaluation: evaluateSubjectResponse(input) };
}

function generateTrial(n: number): ExportInput {
  const rand = prng(20240801);
  const subjects: ExportSubject[] = [];
  for (let s = 1; s <= n; s++) {
    const usubjid = `BENCH-01-${String(100 + (s % 37)).padStart(3, '0')}-${String(s).padStart(5, '0')}`;
    const start = addDays('2024-01-01', Math.floor(rand() * 200));
    const rfstdtc = addDays(start, 3);
    const r1 = read(rand, start, rfstdtc);
    const r2 = read(rand, start, rfstdtc);
    const locations = Object.fromEntries([...r1.input.baseline.targets, ...r1.input.baseline.nonTargets].map((l) => [l.id, { loc: l.organ.toUpperCase() }]));
    const assessments: SubjectAssessment[] = [
      { assessor: { eval: 'INDEPENDENT ASSESSOR', evalId: 'RADIOLOGIST 1' }, ...r1, locations },
      { assessor: { eval: 'INDEPENDENT ASSESSOR', evalId: 'RADIOLOGIST 2' }, ...r2, locations: Object.fromEntries([...r2.input.baseline.targets, ...r2.input.baseline.nonTargets].map((l) => [l.id, { loc: l.organ.toUpperCase() }])) },
    ];
    if (rand() < 0.3) assessments.push({ assessor: { eval: 'ADJUDICATOR', evalId: 'ADJUDICATOR 1' }, ...r1, locations, selectedEvalId: 'RADIOLOGIST 1' });
    subjects.push({
      usubjid,
      rfstdtc,
      visits: Array.from({ length: VISITS }, (_, v) => ({ visitNum: v + 1, visit: v === 0 ? 'BASELINE' : `WEEK ${8 * v}`, epoch: v === 0 ? 'SCREENING' : 'TREATMENT', timepointLabel: v === 0 ? null : `TP${v}` })),
      assessments,
    });
  }
  return { study: { studyId: 'BENCH-01', cutoff: '2025-06-30', primaryEvalId: 'RADIOLOGIST 1' }, subjects };
}

/** Baseline: the same rows as plain CSV, naively (no quoting rules beyond commas, no metadata, no checks). */
function plainCsv(dir: string, rows: Record<string, readonly Record<string, string | number | null>[]>): void {
  for (const [name, rs] of Object.entries(rows)) {
    const cols = Object.keys(rs[0] ?? {});
    const lines = [cols.join(',')];
    for (const r of rs) lines.push(cols.map((c) => (r[c] === null ? '' : String(r[c]))).join(','));
    writeFileSync(path.join(dir, `${name}.csv`), `${lines.join('\n')}\n`);
  }
}

const peakMb = () => process.resourceUsage().maxRSS / 1024;

async function main(): Promise<void> {
  const input = generateTrial(SUBJECTS);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-export-'));
  try {
    const datasets = buildSdtm(input);
    const rows = { tu: datasets.TU.rows, tr: datasets.TR.rows, rs: datasets.RS.rows };
    const counts = `TU ${rows.tu.length}, TR ${rows.tr.length}, RS ${rows.rs.length} rows`;
    const b0 = performance.now();
    plainCsv(dir, rows);
    const baselineS = (performance.now() - b0) / 1000;
    const baselinePeak = peakMb();

    const e0 = performance.now();
    const result = await writeExport(input, { dir: path.join(dir, 'export'), generatedAt: new Date(), generatedBy: 'bench', platformVersion: '0.1.0' });
    const exportS = (performance.now() - e0) / 1000;
    const exportPeak = peakMb();
    const errors = result.findings.filter((f) => f.severity === 'error');
    console.log(`trial: ${SUBJECTS} subjects x ${VISITS} visits x 2 readers: ${counts}`);
    console.log(`plain CSV (baseline): ${baselineS.toFixed(3)} s, peak RSS so far ${baselinePeak.toFixed(0)} MB`);
    console.log(`writeExport (XPT + define.xml + CSV + conformance + workbook + manifest): ${exportS.toFixed(3)} s, peak RSS ${exportPeak.toFixed(0)} MB, status ${result.manifest.status} (${errors.length} errors)`);
    for (const f of result.manifest.files) console.log(`  ${f.name.padEnd(20)} ${String(f.sizeBytes).padStart(10)} bytes`);
    if (errors.length > 0) console.log(`first finding: ${JSON.stringify(errors[0])}`);
    console.log(JSON.stringify({ bench: 'export', unit: 's', value: Number(exportS.toFixed(3)), baseline: { name: 'plain-csv', value: Number(baselineS.toFixed(3)) }, ratio: Number((exportS / baselineS).toFixed(1)), peakRssMb: Math.round(exportPeak) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
