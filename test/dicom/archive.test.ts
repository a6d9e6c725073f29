// SEC-04: zip uploads are read from disk with yauzl under caps; the bad zips are generated here with fflate.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ARCHIVE_LIMITS, readZipArchive, type ArchiveEntry } from '../../src/dicom/archive.js';
import { DomainError } from '../../src/domain/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'corelab-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function zipFile(files: Zippable): string {
  const file = path.join(dir, `t${n++}.zip`);
  writeFileSync(file, zipSync(files));
  return file;
}

async function collect(file: string, limits = DEFAULT_ARCHIVE_LIMITS) {
  const got: { entry: ArchiveEntry; bytes: number }[] = [];
  const summary = await readZipArchive(
    file,
    async (entry, content) => {
      let bytes = 0;
      for await (const c of content) bytes += (c as Buffer).length;
      got.push({ entry, bytes });
    },
    limits,
  );
  return { got, summary };
}

const some = (size: number, seed = 7) => Uint8Array.from({ length: size }, (_, i) => (i * seed + (i >> 3)) & 0xff);

// @req SEC-04
describe('readZipArchive', () => {
  it('streams every file entry to the sink, skipping directories', async () => {
    const file = zipFile({ 'study/a.dcm': some(1000), 'study/sub/b.dcm': some(2000, 13), 'empty/': {} });
    const { got, summary } = await collect(file);
    expect(got.map((g) => [g.entry.path, g.bytes])).toEqual([
      ['study/a.dcm', 1000],
      ['study/sub/b.dcm', 2000],
    ]);
    expect(summary).toEqual({ files: 2, directories: 1, uncompressedBytes: 3000 });
  });

  it.each([
    ['a ../ path', { '../../etc/passwd': some(10) }, /climbs out of the archive/],
    ['a nested ../ path', { 'ok/../../x.dcm': some(10) }, /climbs out/],
    ['a backslash ..\\ path', { '..\\evil.dcm': some(10) }, /climbs out/],
    ['an absolute path', { '/etc/cron.d/x': some(10) }, /absolute path/],
    ['a drive path', { 'C:/Windows/x.dcm': some(10) }, /absolute path/],
    ['a nested zip by name', { 'inner.zip': some(10) }, /nested archives are refused/],
    ['a nested gzip by name', { 'scan.dcm.gz': some(10) }, /nested archives are refused/],
    ['a zip bomb (compression ratio)', { 'bomb.dcm': new Uint8Array(5_000_000) }, /zip bomb/],
  ] as const)('refuses %s', async (_label, files, message) => {
    const file = zipFile(files as Zippable);
    const err = await collect(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('UNSAFE_ARCHIVE');
    expect((err as DomainError).detail).toMatch(message);
  });

  it('refuses a nested archive hidden behind an innocent name (content sniffed)', async () => {
    const inner = zipSync({ 'x.dcm': some(100) });
    const file = zipFile({ 'IM0001.dcm': [inner, { level: 0 }] });
    await expect(collect(file)).rejects.toThrow(/itself an archive/);
  });

  it('names refused entries by position, never by file name (names are often patient names)', async () => {
    const file = zipFile({ 'ok.dcm': some(10), '../Doe_Jane_1950.dcm': some(10) });
    const err = (await collect(file).catch((e: unknown) => e)) as DomainError;
    expect(err.detail).toBe('entry 2 climbs out of the archive with ".."');
  });

  it('refuses symbolic links', async () => {
    const file = zipFile({ 'link.dcm': [new TextEncoder().encode('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }] });
    await expect(collect(file)).rejects.toThrow(/symbolic link/);
  });

  it('refuses more entries than allowed, before reading any', async () => {
    const files: Zippable = {};
    for (let i = 0; i < 12; i++) files[`f${i}.dcm`] = some(10);
    await expect(collect(zipFile(files), { ...DEFAULT_ARCHIVE_LIMITS, maxEntries: 10 })).rejects.toThrow(/12 entries; at most 10/);
  });

  it('refuses archives past the total uncompressed cap', async () => {
    const file = zipFile({ 'a.dcm': some(6000), 'b.dcm': some(6000, 3) });
    await expect(collect(file, { ...DEFAULT_ARCHIVE_LIMITS, maxTotalUncompressedBytes: 10_000 })).rejects.toThrow(/more than 10000 uncompressed bytes/);
  });

  it('refuses a 42.zip-style bomb of nested zips at the first level', async () => {
    let layer: Uint8Array = new Uint8Array(1_000_000);
    for (let i = 0; i < 3; i++) layer = zipSync({ [`l${i}.zip`]: layer });
    writeFileSync(path.join(dir, '42.zip'), layer);
    await expect(collect(path.join(dir, '42.zip'))).rejects.toThrow(/nested archives are refused/);
  });

  it('refuses a file that is not a zip', async () => {
    const file = path.join(dir, 'not.zip');
    writeFileSync(file, some(500));
    await expect(collect(file)).rejects.toThrow(/not a readable zip archive/);
  });
});
