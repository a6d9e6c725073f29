// `npm run bench -- NAME` runs bench/NAME.ts. Each benchmark prints its figures next to a same-run baseline and
// ends with one JSON line: {"bench", "unit", "value", "baseline": {"name", "value"}, "ratio"}.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
const available = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.replace(/\.ts$/, ''));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME   (one of: ${available.join(', ')})`);
  process.exit(2);
}
const file = path.join(dir, `${name}.ts`);
if (!existsSync(file)) process.exit(2);
process.argv.splice(2, 1);
await import(pathToFileURL(file).href);
