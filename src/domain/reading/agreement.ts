// Inter-reader agreement on categorical responses: observed agreement and Cohen's kappa,
// kappa = (po - pe) / (1 - pe), pe from each reader's marginal frequencies (Cohen 1960).
export interface Agreement {
  n: number;
  /** share of pairs where both readers gave the same category; null without pairs */
  observed: number | null;
  /** agreement expected by chance from the marginals */
  expected: number | null;
  /** null when undefined: no pairs, or both readers used one and the same category throughout (pe = 1) */
  kappa: number | null;
}

export function cohensKappa(pairs: ReadonlyArray<readonly [string, string]>): Agreement {
  const n = pairs.length;
  if (n === 0) return { n, observed: null, expected: null, kappa: null };
  const a = new Map<string, number>();
  const b = new Map<string, number>();
  let same = 0;
  for (const [x, y] of pairs) {
    if (x === y) same += 1;
    a.set(x, (a.get(x) ?? 0) + 1);
    b.set(y, (b.get(y) ?? 0) + 1);
  }
  const po = same / n;
  let pe = 0;
  for (const [cat, ca] of a) pe += (ca / n) * ((b.get(cat) ?? 0) / n);
  const kappa = pe === 1 ? null : (po - pe) / (1 - pe);
  return { n, observed: po, expected: pe, kappa };
}
