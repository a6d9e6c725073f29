import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cohensKappa } from './agreement.js';

const pairs = (spec: Array<[string, string, number]>) => spec.flatMap(([a, b, n]) => Array.from({ length: n }, () => [a, b] as const));

describe(cohensKappa.name, () => {
  it.each([
    // Textbook 2x2 (yes/yes 20, yes/no 5, no/yes 10, no/no 15): po 0.7, pe 0.5, kappa 0.4.
    ['two raters, 50 items', pairs([['Y', 'Y', 20], ['Y', 'N', 5], ['N', 'Y', 10], ['N', 'N', 15]]), 0.7, 0.5, 0.4],
    // Agreement exactly at chance: kappa 0.
    ['chance agreement', pairs([['A', 'A', 1], ['A', 'B', 1], ['B', 'A', 1], ['B', 'B', 1]]), 0.5, 0.5, 0],
    // Perfect agreement over several categories.
    ['perfect', pairs([['CR', 'CR', 2], ['PR', 'PR', 3], ['PD', 'PD', 1]]), 1, 14 / 36, 1],
    // Systematic disagreement: kappa below 0.
    ['opposite', pairs([['PR', 'SD', 3], ['SD', 'PR', 3]]), 0, 0.5, -1],
  ])('%s', (_name, data, po, pe, kappa) => {
    const a = cohensKappa(data);
    expect(a.n).toBe(data.length);
    expect(a.observed).toBeCloseTo(po, 12);
    expect(a.expected).toBeCloseTo(pe, 12);
    expect(a.kappa).toBeCloseTo(kappa, 12);
  });

  it('is undefined without pairs, or when both readers always give the same single category', () => {
    expect(cohensKappa([])).toEqual({ n: 0, observed: null, expected: null, kappa: null });
    expect(cohensKappa(pairs([['SD', 'SD', 4]]))).toMatchObject({ observed: 1, expected: 1, kappa: null });
  });

  it('is symmetric in the two readers and never above 1', () => {
    const cat = fc.constantFrom('CR', 'PR', 'SD', 'PD', 'NE');
    fc.assert(
      fc.property(fc.array(fc.tuple(cat, cat), { minLength: 1, maxLength: 40 }), (data) => {
        const k = cohensKappa(data).kappa;
        const swapped = cohensKappa(data.map(([a, b]) => [b, a] as const)).kappa;
        if (k === null) return swapped === null;
        return k <= 1 + 1e-12 && Math.abs(k - swapped!) < 1e-12;
      }),
    );
  });
});
