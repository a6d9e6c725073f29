// Done-when of the ingest issue: every file under corpus/dicom is ingested, quarantined (ingested but held for
// burned-in text review) or refused with a specific reason. The committed table corpus-outcomes.expected.json is
// the expectation; a change in any file's outcome fails this test. Regenerate it deliberately with
// `npx tsx test/dicom/corpus-outcome.ts > test/dicom/corpus-outcomes.expected.json` and review the diff.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir } from '../corpus.js';
import { corpusOutcomes, listFiles } from './corpus-outcome.js';

const dir = corpusDir();
if (!dir) console.log('corpus-outcomes: skipped, no corpus (set CORELAB_CORPUS or provide ../shared/corpus)');
const expected = JSON.parse(readFileSync(new URL('./corpus-outcomes.expected.json', import.meta.url), 'utf8')) as Record<string, string>;

describe.skipIf(!dir)('outcome of every corpus/dicom file', () => {
  it('matches the committed table, file by file', { timeout: 180_000 }, async () => {
    const root = path.join(dir!, 'dicom');
    const actual = await corpusOutcomes(root);
    const rows = Object.entries(actual).map(([file, outcome]) => `${outcome.padEnd(12).slice(0, 60)}  ${file}`);
    console.log(`corpus outcomes (${rows.length} files):\n${rows.join('\n')}`);
    expect(Object.keys(actual).length).toBe(listFiles(root).length);
    expect(actual).toEqual(expected);
  });

  it('gives every refusal a specific reason, never a bare error', () => {
    for (const [file, outcome] of Object.entries(expected)) {
      expect(outcome, file).toMatch(/^(ingested|quarantined [A-Z_+]+|archive \d+ ingested|refused [A-Z_]+: .{12,})$/);
    }
  });

  it('ingests the image objects of every transfer syntax family in the corpus', () => {
    const ingested = (f: string) => expected[f]?.startsWith('ingested') || expected[f]?.startsWith('quarantined');
    for (const f of [
      'cornerstone-dicomParser/CT1_UNC.explicit_big_endian.dcm',
      'cornerstone-dicomParser/CT1_UNC.implicit_little_endian.dcm',
      'cornerstone-dicomParser/deflate/report_dfl',
      'cornerstone-dicomParser/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_lossless.57.dcm',
      'cornerstone-dicomParser/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_ls.80.dcm',
      'cornerstone-dicomParser/encapsulated/multi-frame/CT0012.not_fragmented_bot_rle.dcm',
      'cornerstone-dicomParser/encapsulated/multi-frame/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm',
      'dcm_qa_ts/In/9.dcm',
      'pydicom-data/HTJ2K_08_RGB.dcm',
      'pydicom-data/liver_deflate.dcm',
      'pydicom-data/eCT_Supplemental.dcm',
      'dcm_qa_enh/In/Philips/IM_0027_fMAP.dcm',
      'pydicom-test_files/test_files/no_meta.dcm'.replace('no_meta', 'rtstruct'),
    ]) {
      expect(ingested(f), f).toBe(true);
    }
  });
});
