// Builds the engine's input from one reader's reads (their own only: two readers are never merged; each read
// is evaluated on its own target selection, response-criteria note §11) and reads the engine's answer back.
import { type EngineFollowup, type EngineInput, type EngineOutput, criteriaKey } from './engine-contract.js';
import type { ResponseCriteria } from './paradigm.js';
import type { ReadContent, ResponseOverride } from './read-content.js';

export interface DatedRead {
  /** blinded label (BASELINE, TP1, ...): what the engine and readers see */
  label: string;
  /** scan date, server side only: readers never see it unless the charter reveals it */
  date: string;
  content: ReadContent;
}

export function buildEngineInput(opts: {
  criteria: ResponseCriteria[];
  protocol: Record<string, unknown>;
  baseline: DatedRead;
  followups: DatedRead[];
}): EngineInput {
  const b = opts.baseline.content;
  const modality = b.imaging?.modality ?? 'CT';
  return {
    criteria: opts.criteria,
    protocol: opts.protocol,
    baseline: {
      date: opts.baseline.date,
      modality,
      sliceThicknessMm: b.imaging?.sliceThicknessMm ?? 0,
      targets: b.targets.map((t) => ({
        id: t.id,
        organ: t.organ ?? '',
        nodal: t.nodal ?? false,
        diameterMm: t.measurement?.finalMm ?? 0,
        method: t.method ?? modality,
      })),
      nonTargets: b.nonTargets.map((n) => ({ id: n.id, organ: n.organ ?? '', nodal: n.nodal ?? false })),
    },
    followups: opts.followups.map((f): EngineFollowup => ({
      label: f.label,
      date: f.date,
      assessed: f.content.assessed !== false,
      targets: f.content.targets.map((t) => ({
        id: t.id,
        status: t.status ?? 'not_evaluated',
        ...(t.status === 'measured' && t.measurement ? { diameterMm: t.measurement.finalMm } : {}),
        ...(t.status === 'split' ? { fragmentsMm: t.fragmentsMm ?? [] } : {}),
        ...(t.status === 'coalesced' && t.coalescedInto ? { coalescedInto: t.coalescedInto } : {}),
      })),
      nonTargets: f.content.nonTargets.map((n) => ({
        id: n.id,
        status: n.status ?? 'not_evaluated',
        ...(n.increasedSincePrevious !== undefined ? { increasedSincePrevious: n.increasedSincePrevious } : {}),
      })),
      newLesions: (f.content.newLesions ?? []).map((n) => ({
        id: n.id,
        organ: n.organ,
        nodal: n.nodal,
        irecistType: n.irecistType,
        status: n.status,
        ...(n.measurement ? { diameterMm: n.measurement.finalMm } : {}),
      })),
    })),
  };
}

export interface CriteriaResponse {
  criteria: ResponseCriteria;
  /** what the engine computed */
  engine: string | null;
  /** what the reader stated instead, if they disagree */
  override: string | null;
  reason: string | null;
  /** the response of record: the override when there is one, else the engine's */
  effective: string | null;
}

export interface TimepointEvaluation {
  label: string;
  responses: CriteriaResponse[];
  bestOverallResponse: Partial<Record<ResponseCriteria, string | null>>;
  baseline: EngineOutput['baseline'];
}

/** The engine's answer for one timepoint with the reader's overrides applied; lists overrides lacking a reason. */
export function timepointEvaluation(
  output: EngineOutput,
  label: string,
  criteria: ResponseCriteria[],
  overrides: ResponseOverride[] = [],
): { evaluation: TimepointEvaluation; overridesWithoutReason: ResponseCriteria[] } {
  const tp = output.timepoints.find((t) => t.label === label);
  const missing: ResponseCriteria[] = [];
  const responses = tp
    ? criteria.map((c): CriteriaResponse => {
        const engine = (tp[criteriaKey(c)] as { overall?: string } | null | undefined)?.overall ?? null;
        const o = overrides.find((x) => x.criteria === c);
        const disagrees = o !== undefined && o.response !== engine;
        if (disagrees && !o.reason?.trim()) missing.push(c);
        return { criteria: c, engine, override: disagrees ? o.response : null, reason: disagrees ? (o.reason ?? null) : null, effective: disagrees ? o.response : engine };
      })
    : [];
  const bor = Object.fromEntries(criteria.map((c) => [c, (output.bestOverallResponse[criteriaKey(c)] as string | null | undefined) ?? null]));
  return { evaluation: { label, responses, bestOverallResponse: bor, baseline: output.baseline }, overridesWithoutReason: missing };
}
