// @req SEC-07 P11-RET-01: rules checked on the source itself, so a change that breaks them fails CI.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

const SRC = sources(path.resolve('src')).concat(sources(path.resolve('workers')));
const grep = (re: RegExp, files = SRC) => files.flatMap((f) => (re.test(readFileSync(f, 'utf8')) ? [path.relative(process.cwd(), f)] : []));

describe('source rules', () => {
  it('builds every query with Kysely or the sql template: no sql.raw/lit/ref/id/table in the product (SEC-07)', () => {
    // Migrations (outside src/) may use them for DDL such as triggers; request values never reach them.
    expect(grep(/\bsql\.(raw|lit|ref|id|table)\s*\(/)).toEqual([]);
  });

  it('runs raw compiled SQL only inside the database driver (fixed statements: pragmas, transactions)', () => {
    expect(grep(/CompiledQuery\.raw\s*\(/).filter((f) => !f.startsWith('src/db/'))).toEqual([]);
  });

  it('never deletes rows: records change state with a reason instead (P11-RET-01)', () => {
    expect(grep(/\.deleteFrom\s*\(/)).toEqual([]);
    expect(grep(/\bDELETE\s+FROM\b/i)).toEqual([]);
  });
});
