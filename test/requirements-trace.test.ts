// @req P11-VAL-01: every requirement ID of the Part 11 / security document is either proved by a test tagged
// `@req ID`, or listed below as not covered yet with the reason. A new ID in the document, an untagged ID, or a
// listed ID that has since got a test all fail this test, so the trace matrix stays true.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const DOC = path.resolve('../shared/docs/part11-and-security.md');
const ID = /\b(P11-[A-Z]+-\d+|DI-\d+|BL-\d+|DEID-\d+|SEC-\d+|FLT-\d+)\b/g;

/** Requirements not proved by an automated test yet, and why. Keep it short and honest. */
export const NOT_COVERED: Record<string, string> = {
  'P11-TRN-01': 'training records before role assignment are not modelled',
  'P11-ID-03': 'periodic access recertification report not built',
  'DI-01': 'originals are not kept: the ingest issue forbids storing identifying data; the ledger keeps source hashes',
  'DI-02': 'no treatment-arm data model yet, so no unblinding workflow',
  'DEID-09': 'the TCIA/MIDI synthetic-PHI regression set is not available offline',
  'FLT-04':
    'LazyFS is not packaged for this platform (neither Debian nor npm carries it) and cannot be built offline, so no ' +
    'power loss is simulated; the fsync order it would check (file, rename, directory, then commit) is in BlobStore',
};

function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return testFiles(p);
    return /\.test\.ts$/.test(p) ? [p] : [];
  });
}

describe.skipIf(!existsSync(DOC))('requirement trace matrix', () => {
  // The describe body runs even when skipped: read the document only when it is there.
  const documented = existsSync(DOC) ? [...new Set(readFileSync(DOC, 'utf8').match(ID) ?? [])].sort() : [];
  const tagged = new Set<string>();
  for (const f of [...testFiles(path.resolve('test')), ...testFiles(path.resolve('src'))]) {
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (line.includes('@req')) for (const id of line.match(ID) ?? []) tagged.add(id);
    }
  }

  it('every documented requirement is tagged by a test or listed as not covered, with a reason', () => {
    expect(documented.filter((id) => !tagged.has(id) && !NOT_COVERED[id])).toEqual([]);
  });

  it('lists no requirement as not covered once a test proves it', () => {
    expect(Object.keys(NOT_COVERED).filter((id) => tagged.has(id))).toEqual([]);
  });

  it('lists only requirements that exist in the document', () => {
    expect(Object.keys(NOT_COVERED).filter((id) => !documented.includes(id))).toEqual([]);
  });
});
if (!existsSync(DOC)) console.log(`requirement trace skipped: ${DOC} is not present`);
