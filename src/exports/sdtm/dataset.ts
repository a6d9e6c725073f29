// SDTM datasets as the builders produce them (rows keyed by variable name) and their finalisation: drop Perm
// "when populated" columns nobody filled, set each Char length to the longest value (primer 6.6, P21 SD1082),
// with one study-wide length for variables shared by TU/TR/RS.
import type { XptDataset, XptValue } from '../xpt/xpt-writer.js';
import { DATASET_LABELS, type Domain, VARIABLES, type VariableSpec } from './variables.js';

export type SdtmValue = string | number | null;
export type SdtmRow = Readonly<Record<string, SdtmValue>>;

export type DefineDataType = 'text' | 'integer' | 'float' | 'date';

export interface FinalVariable extends VariableSpec {
  /** Bytes in the XPT and define.xml Length: Char = longest value (min 1), Num = 8. */
  readonly length: number;
  readonly dataType: DefineDataType;
  /** 1-based order in the dataset (XPT varnum, define.xml OrderNumber). */
  readonly order: number;
}

export interface SdtmDataset {
  readonly domain: Domain;
  readonly label: string;
  readonly variables: readonly FinalVariable[];
  readonly rows: readonly SdtmRow[];
}

export function charLength(value: SdtmValue): number {
  return typeof value === 'string' ? value.length : 0;
}

/** Longest character value, at least 1 (a loop: datasets can have more rows than a spread call allows). */
export function longestValue(values: Iterable<SdtmValue>): number {
  let max = 1;
  for (const v of values) if (typeof v === 'string' && v.length > max) max = v.length;
  return max;
}

/** Finalises the three domains together so shared variables get one length in all files. */
export function finaliseDatasets(rowsByDomain: Readonly<Record<Domain, readonly SdtmRow[]>>): Record<Domain, SdtmDataset> {
  const sharedLength = new Map<string, number>();
  for (const domain of ['TU', 'TR', 'RS'] as const) {
    for (const spec of VARIABLES[domain]) {
      if (!spec.shared) continue;
      let max = sharedLength.get(spec.name) ?? 1;
      for (const row of rowsByDomain[domain]) max = Math.max(max, charLength(row[spec.name] ?? null));
      sharedLength.set(spec.name, max);
    }
  }
  const finalise = (domain: Domain): SdtmDataset => {
    const rows = rowsByDomain[domain];
    const variables: FinalVariable[] = [];
    for (const spec of VARIABLES[domain]) {
      const values = rows.map((r) => r[spec.name] ?? null);
      if (spec.presence === 'when-populated' && values.every((x) => x === null)) continue;
      let length = 8;
      let dataType: DefineDataType;
      if (spec.type === 'Char') {
        length = spec.shared ? (sharedLength.get(spec.name) ?? 1) : longestValue(values);
        dataType = spec.isoDate ? 'date' : 'text';
      } else {
        dataType = values.every((x) => x === null || (typeof x === 'number' && Number.isInteger(x))) ? 'integer' : 'float';
      }
      variables.push({ ...spec, length, dataType, order: variables.length + 1 });
    }
    return { domain, label: DATASET_LABELS[domain], variables, rows };
  };
  return { TU: finalise('TU'), TR: finalise('TR'), RS: finalise('RS') };
}

/** The XPT view of a dataset: member name = domain, variables in order, rows as arrays. */
export function toXptDataset(ds: SdtmDataset): XptDataset {
  const names = ds.variables.map((v) => v.name);
  return {
    name: ds.domain,
    label: ds.label,
    variables: ds.variables.map((v) => ({ name: v.name, label: v.label, type: v.type === 'Num' ? 'num' : 'char', length: v.length })),
    rows: {
      *[Symbol.iterator]() {
        for (const row of ds.rows) yield names.map((n): XptValue => row[n] ?? null);
      },
    },
  };
}
