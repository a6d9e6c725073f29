// Blinded timepoint labels: baseline, then TP1, TP2... by visit order. Visit labels and codes can carry
// schedule or arm information ("C3D1", BL-01) and are shown only where the charter reveals them (BL-04).
export const BASELINE_LABEL = 'BASELINE';

export function blindedLabels(timepoints: ReadonlyArray<{ id: string; visitNum: number }>): Map<string, string> {
  const ordered = [...timepoints].sort((a, b) => a.visitNum - b.visitNum);
  return new Map(ordered.map((t, i) => [t.id, i === 0 ? BASELINE_LABEL : `TP${i}`]));
}
