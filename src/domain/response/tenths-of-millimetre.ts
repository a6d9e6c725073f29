// Exact size arithmetic (primer 4.2): sizes are integers in tenths of a millimetre, converted once at the edge of
// the engine, and thresholds are compared in cross-multiplied form. Percentages are for display only.

/** An integer number of tenths of a millimetre. */
export type Tenths = number;

export const TOO_SMALL_TENTHS: Tenths = 50; // primer 3: "too small to measure" counts 5 mm
export const NORMAL_NODE_BELOW_TENTHS: Tenths = 100; // primer 4.4: a node is normal when its short axis < 10 mm
export const NODAL_TARGET_MIN_TENTHS: Tenths = 150; // primer 2.1: nodal target short axis >= 15 mm
export const PD_ABSOLUTE_TENTHS: Tenths = 50; // primer 4.1: PD needs at least +5 mm
export const ICPD_GROWTH_TENTHS: Tenths = 50; // primer 9.4: confirmation by +5 mm

export function toTenths(mm: number): Tenths {
  // Measurements are non-negative; Math.round is half-up for them. 12.34 mm -> 123 tenths.
  return Math.round(mm * 10);
}

export function tenthsToMm(t: Tenths): number {
  return t / 10;
}

export function formatMm(t: Tenths): string {
  return `${formatTenthsNumber(t)} mm`;
}

/** Primer 4.1: S - N >= 5 mm and S >= 1.2 N, i.e. 5 S >= 6 N. Both inclusive. */
export function meetsProgression(sum: Tenths, nadir: Tenths): boolean {
  return sum - nadir >= PD_ABSOLUTE_TENTHS && 5 * sum >= 6 * nadir;
}

/** Primer 4.1: S <= 0.7 B, i.e. 10 S <= 7 B. Inclusive. */
export function meetsPartialResponse(sum: Tenths, baseline: Tenths): boolean {
  return 10 * sum <= 7 * baseline;
}

/** Percent change rounded half away from zero to 0.1 %, or null when the reference is 0. Display only. */
export function percentChange(from: Tenths, to: Tenths): number | null {
  if (from === 0) return null;
  const perMille = ((to - from) * 1000) / from;
  const rounded = Math.sign(perMille) * Math.round(Math.abs(perMille));
  return rounded / 10 + 0; // + 0 turns -0 into 0
}

export function formatPercent(p: number | null): string {
  if (p === null) return 'n/a %';
  const sign = p < 0 ? '-' : '+';
  return `${sign}${formatTenthsNumber(Math.abs(Math.round(p * 10)))}%`;
}

export function formatSignedMm(t: Tenths): string {
  const sign = t < 0 ? '-' : '+';
  return `${sign}${formatMm(Math.abs(t))}`;
}

function formatTenthsNumber(t: Tenths): string {
  const whole = Math.trunc(t / 10);
  const tenth = Math.abs(t % 10);
  const sign = t < 0 && whole === 0 ? '-' : '';
  return tenth === 0 ? `${sign}${whole}` : `${sign}${whole}.${tenth}`;
}
