// Window/level presets for CT (HU), on keys 1-4 of a focused viewport. A window is its centre (level) and width;
// the displayed range is centre ± width / 2.

export interface WindowPreset {
  id: 'lung' | 'soft-tissue' | 'liver' | 'bone';
  label: string;
  center: number;
  width: number;
  key: string;
}

export const WINDOW_PRESETS: readonly WindowPreset[] = [
  { id: 'lung', label: 'Lung', center: -600, width: 1500, key: '1' },
  { id: 'soft-tissue', label: 'Soft tissue', center: 40, width: 400, key: '2' },
  { id: 'liver', label: 'Liver', center: 90, width: 150, key: '3' },
  { id: 'bone', label: 'Bone', center: 400, width: 1800, key: '4' },
];

export const DEFAULT_PRESET = WINDOW_PRESETS[1];

export interface Window {
  center: number;
  width: number;
}

export const voiRangeOf = (w: Window): { lower: number; upper: number } => ({ lower: w.center - w.width / 2, upper: w.center + w.width / 2 });

export const windowOfRange = (r: { lower: number; upper: number }): Window => ({ center: (r.lower + r.upper) / 2, width: Math.max(1, r.upper - r.lower) });

/** The preset a window is (within a unit, after a drag it is usually none). */
export const presetOf = (w: Window): WindowPreset | undefined => WINDOW_PRESETS.find((p) => Math.abs(p.center - w.center) < 1 && Math.abs(p.width - w.width) < 1);

export const describeWindow = (w: Window): string => `W ${Math.round(w.width)} / L ${Math.round(w.center)}${presetOf(w) ? ` (${presetOf(w)!.label})` : ''}`;
