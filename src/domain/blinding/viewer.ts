// Who is looking, for the blinding view layer. A reader sees their own work; an adjudicator sees the locked
// reads of the subjects they adjudicate; core-lab staff (qc, admin) see everything (FDA 2018 imaging endpoint
// standards; BL-01..BL-05).
import type { RevealableField } from '../reading/paradigm.js';

export const VIEWER_KINDS = ['reader', 'adjudicator', 'core_lab'] as const;
export type ViewerKind = (typeof VIEWER_KINDS)[number];

export interface Viewer {
  kind: ViewerKind;
  /** the charter's allowlist (BL-04, default deny); ignored for core-lab staff */
  reveal: readonly RevealableField[];
}

export const isBlinded = (v: Viewer): boolean => v.kind !== 'core_lab';
export const reveals = (v: Viewer, f: RevealableField): boolean => !isBlinded(v) || v.reveal.includes(f);
