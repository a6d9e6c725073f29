// Builders for the engine's tests and fixtures: a subject described by its sizes per timepoint, with dates as
// days after baseline. Produces the CLI's input shape, so tests go through validation like any caller.
import type {
  BaselineNonTargetInput,
  BaselineTargetInput,
  FollowupInput,
  NewLesionReadingInput,
  NonTargetReadingInput,
  SubjectResponseInput,
  TargetReadingInput,
} from './response-input.js';
import type { NonTargetStatus } from './response-values.js';

export type TargetSpec =
  | number
  | 'too_small'
  | 'disappeared'
  | 'not_evaluated'
  | { readonly split: readonly number[] }
  | { readonly coalescedInto: string };

export interface TimepointSpec {
  /** Days after the baseline scan; default (index + 1) x 42. */
  readonly day?: number;
  readonly assessed?: boolean;
  /** One entry per baseline target, in order. */
  readonly targets?: readonly TargetSpec[];
  /** One status per baseline non-target, in order; default all 'present'. */
  readonly nt?: readonly NonTargetStatus[];
  readonly ntIncreased?: boolean;
  readonly newLesions?: readonly NewLesionReadingInput[];
  readonly tumourMarkersNormal?: boolean;
}

export interface SubjectSpec {
  /** Baseline targets: a size (non-nodal liver/lung alternating organs) or a full lesion. */
  readonly targets?: readonly (number | Partial<BaselineTargetInput>)[];
  /** Number of non-targets, or the lesions. */
  readonly nonTargets?: number | readonly Partial<BaselineNonTargetInput>[];
  readonly timepoints: readonly TimepointSpec[];
  readonly protocol?: SubjectResponseInput['protocol'];
  readonly criteria?: SubjectResponseInput['criteria'];
  readonly baselineDate?: string;
}

const ORGANS = ['liver', 'lung', 'kidney', 'adrenal', 'spleen'];

export function isoPlusDays(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d) + days * 86_400_000).toISOString().slice(0, 10);
}

export function buildSubject(spec: SubjectSpec): SubjectResponseInput {
  const baselineDate = spec.baselineDate ?? '2024-01-01';
  const targets: BaselineTargetInput[] = (spec.targets ?? []).map((t, i) =>
    typeof t === 'number'
      ? { id: `T${i + 1}`, organ: ORGANS[i % ORGANS.length], nodal: false, diameterMm: t }
      : { id: `T${i + 1}`, organ: t.nodal ? 'lymph_node' : ORGANS[i % ORGANS.length], nodal: false, diameterMm: 20, ...t },
  );
  const ntSpec = spec.nonTargets ?? 0;
  const nonTargets: BaselineNonTargetInput[] = (typeof ntSpec === 'number' ? Array.from({ length: ntSpec }, (): Partial<BaselineNonTargetInput> => ({})) : ntSpec).map(
    (n, i) => ({ id: `NT${i + 1}`, organ: n.nodal ? 'lymph_node' : 'bone', nodal: false, ...n }),
  );
  const followups: FollowupInput[] = spec.timepoints.map((tp, k) => {
    const date = isoPlusDays(baselineDate, tp.day ?? (k + 1) * 42);
    if (tp.assessed === false) return { label: `TP${k + 1}`, date, assessed: false };
    const tReadings: TargetReadingInput[] = targets.map((t, i) => targetReading(t.id, tp.targets?.[i] ?? t.diameterMm));
    const ntReadings: NonTargetReadingInput[] = nonTargets.map((n, i) => ({
      id: n.id as string,
      status: tp.nt?.[i] ?? 'present',
      ...(tp.ntIncreased !== undefined && (tp.nt?.[i] ?? 'present') !== 'absent' && (tp.nt?.[i] ?? 'present') !== 'not_evaluated'
        ? { increasedSincePrevious: tp.ntIncreased }
        : {}),
    }));
    return {
      label: `TP${k + 1}`,
      date,
      assessed: true,
      targets: tReadings,
      nonTargets: ntReadings,
      newLesions: tp.newLesions ?? [],
      ...(tp.tumourMarkersNormal !== undefined && { tumourMarkersNormal: tp.tumourMarkersNormal }),
    };
  });
  return {
    ...(spec.criteria && { criteria: spec.criteria }),
    ...(spec.protocol && { protocol: spec.protocol }),
    baseline: { date: baselineDate, modality: 'CT', sliceThicknessMm: 5, targets, nonTargets },
    followups,
  };
}

function targetReading(id: string, s: TargetSpec): TargetReadingInput {
  if (typeof s === 'number') return { id, status: 'measured', diameterMm: s };
  if (s === 'too_small' || s === 'disappeared' || s === 'not_evaluated') return { id, status: s };
  if ('split' in s) return { id, status: 'split', fragmentsMm: s.split };
  return { id, status: 'coalesced', coalescedInto: s.coalescedInto };
}

/** An NLT (measured new lesion) reading. */
export function nlt(id: string, diameterMm: number | 'absent' | 'not_evaluated', organ = 'lung'): NewLesionReadingInput {
  return typeof diameterMm === 'number'
    ? { id, organ, nodal: false, irecistType: 'NLT', status: 'present', diameterMm }
    : { id, organ, nodal: false, irecistType: 'NLT', status: diameterMm };
}

/** An NLNT (qualitative new lesion) reading. */
export function nlnt(
  id: string,
  status: 'present' | 'absent' | 'not_evaluated' = 'present',
  extra: { increasedSincePrevious?: boolean; unequivocalProgression?: boolean } = {},
): NewLesionReadingInput {
  return { id, organ: 'peritoneum', nodal: false, irecistType: 'NLNT', status, ...extra };
}
