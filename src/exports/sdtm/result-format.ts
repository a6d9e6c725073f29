// Numeric results as SDTM writes them: 0.1 precision (mm and %), rounded half away from zero, as text without
// trailing zeros (`-21.3`, `32`; primer 2.2). Sums are added in integer tenths so that SUMDIAM equals the sum of
// the exported lesion values exactly (primer section 5).

/** Rounds to an integer, halves away from zero. */
export function roundHalfAway(x: number): number {
  const r = Math.round(Math.abs(x));
  return r === 0 ? 0 : Math.sign(x) * r;
}

export function toTenths(x: number): number {
  return roundHalfAway(x * 10);
}

export function fromTenths(tenths: number): number {
  return tenths / 10;
}

/** `12.0` -> `12`, `-21.30` -> `-21.3`, `-0` -> `0`. */
export function formatNumber(x: number): string {
  return Object.is(x, -0) || x === 0 ? '0' : String(x);
}

/** Percent change of `tenths` against `referenceTenths`, in tenths of a percent (reference > 0). */
export function percentChangeTenths(tenths: number, referenceTenths: number): number {
  return roundHalfAway(((tenths - referenceTenths) * 1000) / referenceTenths);
}
