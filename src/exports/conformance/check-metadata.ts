// Primer section 9, items 8-10: dataset label, variables allowed/required/present, types, order, labels, lengths.
import { type SdtmDataset, longestValue } from '../sdtm/dataset.js';
import { MAX_CHAR_LENGTH, MAX_LABEL_LENGTH } from '../xpt/layout.js';
import { DATASET_LABELS, type Domain, VARIABLES } from '../sdtm/variables.js';
import type { FindingSink } from './findings.js';

export function checkMetadata(sink: FindingSink, datasets: Readonly<Record<Domain, SdtmDataset>>): void {
  const sharedMax = new Map<string, number>();
  for (const ds of Object.values(datasets)) {
    for (const v of ds.variables) {
      if (!v.shared) continue;
      for (const r of ds.rows) {
        const x = r[v.name];
        if (typeof x === 'string') sharedMax.set(v.name, Math.max(sharedMax.get(v.name) ?? 1, x.length));
      }
    }
  }
  for (const domain of ['TU', 'TR', 'RS'] as const) {
    const ds = datasets[domain];
    if (ds.label !== DATASET_LABELS[domain]) sink.error({ code: 'DATASET_LABEL', item: 8, domain, message: `label ${JSON.stringify(ds.label)} is not the SDTMIG label` });
    const specs = VARIABLES[domain];
    const specOrder = specs.map((s) => s.name);
    let last = -1;
    for (const v of ds.variables) {
      const spec = specs.find((s) => s.name === v.name);
      if (!spec) {
        sink.error({ code: 'VARIABLE_NOT_IN_DOMAIN', item: 8, domain, variable: v.name, message: `${v.name} is not a ${domain} variable of this export (goes to SUPP${domain})` });
        continue;
      }
      const at = specOrder.indexOf(v.name);
      if (at < last) sink.error({ code: 'VARIABLE_ORDER', item: 10, p21: 'SD1079', domain, variable: v.name, message: `${v.name} out of SDTMIG order` });
      last = Math.max(last, at);
      if (v.label !== spec.label || v.label.length > MAX_LABEL_LENGTH) sink.error({ code: 'VARIABLE_LABEL', item: 10, p21: 'SD1475', domain, variable: v.name, message: `label ${JSON.stringify(v.label)} should be ${JSON.stringify(spec.label)}` });
      if (v.type !== spec.type) sink.error({ code: 'VARIABLE_TYPE', item: 10, domain, variable: v.name, message: `${v.name} is ${v.type}, should be ${spec.type}` });
      const values = ds.rows.map((r) => r[v.name] ?? null);
      for (let i = 0; i < values.length; i++) {
        const x = values[i];
        if (x !== null && (v.type === 'Num') !== (typeof x === 'number')) {
          sink.error({ code: 'VARIABLE_TYPE', item: 10, domain, row: i + 1, variable: v.name, message: `value ${JSON.stringify(x)} does not fit type ${v.type}` });
        }
      }
      if (v.type === 'Num') {
        if (v.length !== 8) sink.error({ code: 'VARIABLE_LENGTH', item: 10, domain, variable: v.name, message: 'numeric length must be 8' });
      } else {
        const longest = longestValue(values);
        const expected = v.shared ? (sharedMax.get(v.name) ?? 1) : longest;
        if (v.length > MAX_CHAR_LENGTH) sink.error({ code: 'VARIABLE_LENGTH', item: 10, domain, variable: v.name, message: `length ${v.length} exceeds 200 (text goes to SUPP${domain})` });
        else if (v.length !== expected) sink.error({ code: 'VARIABLE_LENGTH', item: 10, p21: 'SD1082', domain, variable: v.name, message: `length ${v.length}, longest value is ${expected}` });
        if (longest > v.length) sink.error({ code: 'VARIABLE_LENGTH', item: 10, domain, variable: v.name, message: `a value of ${longest} characters exceeds the length ${v.length}` });
      }
      if (v.mandatory) {
        values.forEach((x, i) => {
          if (x === null || x === '') {
            // VISITNUM/VISIT are checked under item 15 with their BESTRESP exception.
            sink.error({ code: 'REQUIRED_VALUE_NULL', item: 9, p21: spec.core === 'Req' ? 'SD0002' : undefined, domain, row: i + 1, usubjid: String(ds.rows[i].USUBJID ?? ''), variable: v.name, message: `${v.name} is null` });
          }
        });
      }
    }
    for (const spec of specs) {
      if (spec.presence === 'always' && !ds.variables.some((v) => v.name === spec.name)) {
        sink.error({ code: 'VARIABLE_MISSING', item: 9, p21: spec.core === 'Req' ? 'SD0056' : undefined, domain, variable: spec.name, message: `${spec.core} variable ${spec.name} missing` });
      }
    }
  }
}
