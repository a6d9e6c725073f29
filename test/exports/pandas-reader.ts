// Independent XPT reader for tests: Debian's python3-pandas `read_sas` (installed by .ci/run). Tests that need
// it skip, printing why, where it is absent.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PYTHON = '/usr/bin/python3';

export function pandasUnavailableReason(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import pandas'], { encoding: 'utf8' });
  if (r.status !== 0) return `python3-pandas not importable: ${(r.stderr || '').trim().split('\n').pop()}`;
  return undefined;
}

export interface PandasXpt {
  readonly member: { readonly name: string; readonly label: string };
  readonly fields: readonly { readonly name: string; readonly label: string; readonly ntype: 'numeric' | 'char'; readonly length: number }[];
  readonly columns: readonly string[];
  /** NaN becomes null; IBM zero comes back as 2^-260 and is mapped to 0 here (primer section 10). */
  readonly rows: readonly (readonly (string | number | null)[])[];
}

const SCRIPT = `
import json, math, sys
import pandas as pd
path = sys.argv[1]
it = pd.read_sas(path, format="xport", encoding="ascii", iterator=True)
fields = [{"name": f["name"].decode("ascii").strip() if isinstance(f["name"], bytes) else f["name"].strip(),
           "label": (f["label"].decode("ascii") if isinstance(f["label"], bytes) else f["label"]).strip(),
           "ntype": f["ntype"], "length": int(f["field_length"])} for f in it.fields]
member = {"name": it.member_info["set_name"].strip() if isinstance(it.member_info["set_name"], str) else it.member_info["set_name"].decode("ascii").strip(),
          "label": (it.member_info["label"] if isinstance(it.member_info["label"], str) else it.member_info["label"].decode("ascii")).strip()}
df = it.read()
it.close()
def cell(v):
    if isinstance(v, float):
        if math.isnan(v): return None
        if abs(v) <= 2.0**-260: return 0.0
        return v
    if isinstance(v, str):
        return v if v != "" else None
    return v
rows = [[cell(v) for v in r] for r in df.itertuples(index=False, name=None)]
json.dump({"member": member, "fields": fields, "columns": [str(c) for c in df.columns], "rows": rows}, sys.stdout, allow_nan=False)
`;

export function readXptWithPandas(file: string): PandasXpt {
  const out = execFileSync(PYTHON, ['-c', SCRIPT, file], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  return JSON.parse(out) as PandasXpt;
}
