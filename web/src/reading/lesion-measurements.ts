import type { Measurement, ReadContent } from './model.js';

// Which lesions of a read the viewer can measure, and how a measurement taken in the viewer (an AI proposal
// accepted, edited or rejected) goes into the read: the lesion's measurement, and at follow-up the target's status
// "measured" (a diameter is only counted for a measured target). Pure: the editor applies it through its edit.

export interface MeasurableLesion {
  id: string;
  nodal: boolean;
  /** "T1 · liver" */
  label: string;
}

const labelled = (id: string, organ: string | undefined) => (organ ? `${id} · ${organ}` : id);

/**
 * Targets (at follow-up those not given another status; organ and node from baseline) and new lesions: the
 * lesions that take a diameter. Non-targets are assessed, not measured.
 */
export function measurableLesions(content: ReadContent, baseline: ReadContent | null): MeasurableLesion[] {
  const targets = content.targets
    .filter((t) => !baseline || t.status === undefined || t.status === 'measured')
    .map((t) => {
      const b = baseline?.targets.find((x) => x.id === t.id);
      return { id: t.id, nodal: (b ?? t).nodal === true, label: labelled(t.id, (b ?? t).organ) };
    });
  const fresh = (content.newLesions ?? []).map((n) => ({ id: n.id, nodal: n.nodal, label: labelled(n.id, n.organ || 'new lesion') }));
  return [...targets, ...fresh];
}

export function measurementOf(content: ReadContent, lesionId: string): Measurement | undefined {
  return content.targets.find((t) => t.id === lesionId)?.measurement ?? content.newLesions?.find((n) => n.id === lesionId)?.measurement;
}

/** The read with the lesion's measurement replaced; a follow-up target becomes "measured". Unknown ids change nothing. */
export function withMeasurement(content: ReadContent, lesionId: string, m: Measurement, followup: boolean): ReadContent {
  return {
    ...content,
    targets: content.targets.map((t) => (t.id === lesionId ? { ...t, measurement: m, ...(followup ? { status: 'measured' as const } : {}) } : t)),
    newLesions: content.newLesions?.map((n) => (n.id === lesionId ? { ...n, measurement: m } : n)),
  };
}
