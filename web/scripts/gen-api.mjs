// Generates the web application's view of the API contract's access rules from ../openapi.yaml:
//   src/api/access.gen.ts who may call each operation (x-access), so navigation shows a screen only to the roles
//                         whose calls the server would accept
// (The contract's types come from the server's generated src/api/openapi.d.ts, re-exported by src/api/schema.d.ts.)
// `--check` writes nothing and exits 1 when a committed file is stale (CI).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const spec = path.resolve(web, '../openapi.yaml');
const check = process.argv.includes('--check');

const doc = parse(readFileSync(spec, 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const ops = [];
for (const [p, item] of Object.entries(doc.paths)) {
  for (const m of METHODS) {
    const op = item[m];
    if (!op) continue;
    if (!op.operationId || !op['x-access']) throw new Error(`${m} ${p}: every operation needs operationId and x-access`);
    ops.push([op.operationId, { method: m, path: p, access: op['x-access'] }]);
  }
}
ops.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const access = [
  '// Generated from openapi.yaml by web/scripts/gen-api.mjs (npm --prefix web run gen:api). Do not edit.',
  '// Who may call each operation: the x-access of the contract, which the server enforces.',
  'export const OPERATIONS = {',
  ...ops.map(([id, o]) => `  ${id}: ${JSON.stringify(o)},`),
  '} as const;',
  '',
].join('\n');

const outputs = [[path.join(web, 'src/api/access.gen.ts'), access]];
let stale = 0;
for (const [file, text] of outputs) {
  const current = (() => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return null;
    }
  })();
  if (current === text) continue;
  if (check) {
    console.error(`stale: ${path.relative(web, file)} (run npm --prefix web run gen:api)`);
    stale += 1;
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${path.relative(web, file)}`);
  }
}
process.exit(stale ? 1 : 0);
