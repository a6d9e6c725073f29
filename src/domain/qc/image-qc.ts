// Image QC against the trial charter: each received timepoint gets pass, pass with findings, or fail. Pure: the
// charter's requirements and what was received go in, coded findings come out.

export interface AcquisitionRequirement {
  modality: string;
  /** visit codes this applies to; absent means every visit */
  visits?: string[];
  maxSliceThicknessMm?: number;
  kvp?: { min?: number; max?: number };
  /** reconstruction kernels accepted (case-insensitive, exact) */
  kernels?: string[];
  contrast?: 'required' | 'forbidden' | 'any';
  /** minimum cranio-caudal coverage of the series, mm */
  minCoverageMm?: number;
}

export interface VisitSchedule {
  code: string;
  visitNum: number;
  label: string;
  /** days after baseline */
  dayOffset: number;
  /** allowed deviation, days */
  windowDays: number;
}

export interface ImagingCharter {
  requirements: AcquisitionRequirement[];
  visits: VisitSchedule[];
}

export interface ReceivedSeries {
  seriesId: string;
  modality: string | null;
  sliceThicknessMm: number | null;
  kvp: number | null;
  kernel: string | null;
  contrast: boolean | null;
  coverageMm: number | null;
  /** problems found when the series was assembled into a volume (missing slices, tilt, ...) */
  volumeProblems: Array<{ code: string; detail: string; severity: 'error' | 'warning' }>;
  quarantined: number;
  instances: number;
}

export interface QcFinding {
  code:
    | 'NO_IMAGES'
    | 'NO_SERIES_MEETS_REQUIREMENT'
    | 'SLICE_TOO_THICK'
    | 'KVP_OUT_OF_RANGE'
    | 'KERNEL_NOT_ALLOWED'
    | 'CONTRAST_MISSING'
    | 'CONTRAST_NOT_ALLOWED'
    | 'COVERAGE_TOO_SHORT'
    | 'VISIT_OUT_OF_WINDOW'
    | 'VOLUME_PROBLEM'
    | 'INSTANCES_QUARANTINED';
  severity: 'error' | 'warning';
  detail: string;
  seriesId?: string;
}

export type QcOutcome = 'pass' | 'pass_with_findings' | 'fail';

export interface QcInput {
  charter: ImagingCharter;
  visitCode: string;
  /** study date of this visit and of baseline (both shifted by the same per-subject offset, so intervals hold) */
  studyDate: string | null;
  baselineStudyDate: string | null;
  series: ReceivedSeries[];
}

const DAY_MS = 86_400_000;

function seriesChecks(req: AcquisitionRequirement, s: ReceivedSeries): QcFinding[] {
  const f: QcFinding[] = [];
  const id = s.seriesId;
  if (req.maxSliceThicknessMm !== undefined && s.sliceThicknessMm !== null && s.sliceThicknessMm > req.maxSliceThicknessMm + 1e-6) {
    f.push({ code: 'SLICE_TOO_THICK', severity: 'error', seriesId: id, detail: `slice thickness ${s.sliceThicknessMm} mm exceeds ${req.maxSliceThicknessMm} mm` });
  }
  if (req.kvp && s.kvp !== null && ((req.kvp.min !== undefined && s.kvp < req.kvp.min) || (req.kvp.max !== undefined && s.kvp > req.kvp.max))) {
    f.push({ code: 'KVP_OUT_OF_RANGE', severity: 'error', seriesId: id, detail: `${s.kvp} kVp outside ${req.kvp.min ?? '-'}-${req.kvp.max ?? '-'} kVp` });
  }
  if (req.kernels && s.kernel !== null && !req.kernels.some((k) => k.toLowerCase() === s.kernel!.toLowerCase())) {
    f.push({ code: 'KERNEL_NOT_ALLOWED', severity: 'warning', seriesId: id, detail: `reconstruction kernel ${s.kernel} is not one of ${req.kernels.join(', ')}` });
  }
  if (req.contrast === 'required' && s.contrast === false) {
    f.push({ code: 'CONTRAST_MISSING', severity: 'error', seriesId: id, detail: 'the charter requires a contrast-enhanced acquisition' });
  }
  if (req.contrast === 'forbidden' && s.contrast === true) {
    f.push({ code: 'CONTRAST_NOT_ALLOWED', severity: 'error', seriesId: id, detail: 'the charter requires a non-contrast acquisition' });
  }
  if (req.minCoverageMm !== undefined && s.coverageMm !== null && s.coverageMm < req.minCoverageMm) {
    f.push({ code: 'COVERAGE_TOO_SHORT', severity: 'error', seriesId: id, detail: `series covers ${s.coverageMm.toFixed(1)} mm, the charter asks for ${req.minCoverageMm} mm` });
  }
  for (const p of s.volumeProblems) f.push({ code: 'VOLUME_PROBLEM', severity: p.severity, seriesId: id, detail: `${p.code}: ${p.detail}` });
  return f;
}

export function evaluateImageQc(input: QcInput): { outcome: QcOutcome; findings: QcFinding[] } {
  const findings: QcFinding[] = [];
  const imaged = input.series.filter((s) => s.instances - s.quarantined > 0);
  if (imaged.length === 0) {
    findings.push({ code: 'NO_IMAGES', severity: 'error', detail: 'no releasable images were received for this visit' });
  }
  for (const s of input.series) {
    if (s.quarantined > 0) {
      findings.push({ code: 'INSTANCES_QUARANTINED', severity: 'warning', seriesId: s.seriesId, detail: `${s.quarantined} of ${s.instances} instances quarantined (burned-in annotation or secondary capture); they are not shown to readers` });
    }
  }
  const applicable = input.charter.requirements.filter((r) => !r.visits || r.visits.includes(input.visitCode));
  for (const req of applicable) {
    const candidates = imaged.filter((s) => (s.modality ?? '').toUpperCase() === req.modality.toUpperCase());
    if (candidates.length === 0) {
      findings.push({ code: 'NO_SERIES_MEETS_REQUIREMENT', severity: 'error', detail: `no ${req.modality} series received` });
      continue;
    }
    // The requirement is met when at least one series satisfies it without errors; report the best series' findings.
    const perSeries = candidates.map((s) => seriesChecks(req, s));
    const clean = perSeries.find((f) => !f.some((x) => x.severity === 'error'));
    if (clean) findings.push(...clean);
    else {
      findings.push({ code: 'NO_SERIES_MEETS_REQUIREMENT', severity: 'error', detail: `no ${req.modality} series meets the charter's acquisition requirements` });
      findings.push(...perSeries.flat());
    }
  }
  const visit = input.charter.visits.find((v) => v.code === input.visitCode);
  if (visit && visit.dayOffset > 0 && input.studyDate && input.baselineStudyDate) {
    const days = Math.round((Date.parse(input.studyDate) - Date.parse(input.baselineStudyDate)) / DAY_MS);
    if (Math.abs(days - visit.dayOffset) > visit.windowDays) {
      findings.push({ code: 'VISIT_OUT_OF_WINDOW', severity: 'warning', detail: `acquired on day ${days} after baseline; ${visit.label} is scheduled on day ${visit.dayOffset} ± ${visit.windowDays}` });
    }
  }
  const outcome: QcOutcome = findings.some((f) => f.severity === 'error') ? 'fail' : findings.length > 0 ? 'pass_with_findings' : 'pass';
  return { outcome, findings };
}
