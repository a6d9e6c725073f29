// Zip uploads (SEC-04): entries are streamed from disk with yauzl to a caller's sink, under caps on entry count,
// total and per-entry uncompressed bytes and compression ratio; `..` segments, absolute paths, symlinks, encrypted
// entries and nested archives are refused with DomainError('UNSAFE_ARCHIVE'). The central directory is checked in
// full before the first byte reaches the sink; bytes are counted again while streaming, since headers can lie.
// On any error the caller must discard what its sink received (the upload fails as a whole: section 6, "no 2xx
// means no trace").
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { DomainError } from '../domain/errors.js';
import { isStorageFull } from '../storage/storage-full.js';

export interface ArchiveLimits {
  readonly maxEntries: number;
  readonly maxTotalUncompressedBytes: number;
  readonly maxEntryUncompressedBytes: number;
  /** uncompressed / compressed, per entry */
  readonly maxCompressionRatio: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 20_000,
  maxTotalUncompressedBytes: 8 * 1024 ** 3,
  maxEntryUncompressedBytes: 2 * 1024 ** 3,
  maxCompressionRatio: 200,
};

export interface ArchiveEntry {
  /** normalised relative path inside the archive ("/" separated) */
  readonly path: string;
  readonly uncompressedBytes: number;
}

/** Receives each file entry's content; the stream must be consumed (or destroyed) before the promise settles. */
export type ArchiveSink = (entry: ArchiveEntry, content: Readable) => Promise<void>;

export interface ArchiveSummary {
  readonly files: number;
  readonly directories: number;
  readonly uncompressedBytes: number;
}

const NESTED_ARCHIVE_EXTENSIONS = ['.zip', '.gz', '.tgz', '.tar', '.7z', '.rar', '.bz2', '.xz', '.zst', '.jar'];
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

function unsafe(detail: string): never {
  throw new DomainError('UNSAFE_ARCHIVE', detail);
}

/**
 * Rejects traversal, absolute and drive paths, NUL and control characters (SEC-04, SEC-06). Messages name entries
 * by their position only: file names in uploads are often patient names.
 */
export function checkEntryName(raw: string, label: string): string {
  if (raw.length === 0) unsafe(`${label} has an empty name`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(raw)) unsafe(`${label}'s name contains control characters`);
  const name = raw.replace(/\\/g, '/');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) unsafe(`${label} has an absolute path`);
  if (name.split('/').some((seg) => seg === '..')) unsafe(`${label} climbs out of the archive with ".."`);
  return name.split('/').filter((seg) => seg !== '' && seg !== '.').join('/');
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) reject(new DomainError('UNSAFE_ARCHIVE', `not a readable zip archive: ${err?.message ?? 'unknown error'}`));
      else resolve(zip);
    });
  });
}

function readEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const out: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      out.push(e);
      zip.readEntry();
    });
    zip.on('end', () => resolve(out));
    zip.on('error', (e: Error) => reject(new DomainError('UNSAFE_ARCHIVE', `corrupt zip central directory: ${e.message}`)));
    zip.readEntry();
  });
}

function entryStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) reject(new DomainError('UNSAFE_ARCHIVE', `entry cannot be read: ${err?.message ?? 'unknown error'}`));
      else resolve(stream);
    });
  });
}

/** Counts bytes against the caps and refuses content that is itself an archive (zip, gzip magic). */
class EntryGuard extends Transform {
  private seen = 0;
  constructor(
    private readonly name: string,
    private readonly maxBytes: number,
    private readonly total: { bytes: number; max: number },
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.seen === 0 && chunk.length >= 2) {
      const zip = chunk[0] === 0x50 && chunk[1] === 0x4b && chunk.length >= 4 && chunk[2] === 0x03 && chunk[3] === 0x04;
      const gzip = chunk[0] === 0x1f && chunk[1] === 0x8b;
      if (zip || gzip) return done(new DomainError('UNSAFE_ARCHIVE', `${this.name} is itself an archive; nested archives are refused`));
    }
    this.seen += chunk.length;
    this.total.bytes += chunk.length;
    if (this.seen > this.maxBytes) return done(new DomainError('UNSAFE_ARCHIVE', `${this.name} inflates past ${this.maxBytes} bytes`));
    if (this.total.bytes > this.total.max) return done(new DomainError('UNSAFE_ARCHIVE', `archive inflates past ${this.total.max} bytes in total`));
    done(null, chunk);
  }
}

/** Validates the whole archive, then streams each file entry to `sink` in central directory order. */
export async function readZipArchive(path: string, sink: ArchiveSink, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<ArchiveSummary> {
  const zip = await openZip(path);
  try {
    if (zip.entryCount > limits.maxEntries) unsafe(`archive lists ${zip.entryCount} entries; at most ${limits.maxEntries} are accepted`);
    const entries = await readEntries(zip);
    let declaredTotal = 0;
    const files: { entry: yauzl.Entry; name: string; label: string }[] = [];
    let directories = 0;
    for (const [index, entry] of entries.entries()) {
      const label = `entry ${index + 1}`;
      const raw = Buffer.from(entry.fileName as unknown as Buffer);
      const utf8 = (entry.generalPurposeBitFlag & 0x800) !== 0;
      const name = checkEntryName(raw.toString(utf8 ? 'utf8' : 'latin1'), label);
      const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
      if (mode === S_IFLNK) unsafe(`${label} is a symbolic link`);
      if ((entry.generalPurposeBitFlag & 0x1) !== 0) unsafe(`${label} is encrypted`);
      if (name === '' || raw.toString('latin1').endsWith('/')) {
        directories++;
        continue;
      }
      if (NESTED_ARCHIVE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext))) {
        unsafe(`${label} is itself an archive; nested archives are refused`);
      }
      if (entry.uncompressedSize > limits.maxEntryUncompressedBytes) {
        unsafe(`${label} declares ${entry.uncompressedSize} bytes; at most ${limits.maxEntryUncompressedBytes} per entry`);
      }
      const ratio = entry.compressedSize > 0 ? entry.uncompressedSize / entry.compressedSize : entry.uncompressedSize > 0 ? Infinity : 1;
      if (ratio > limits.maxCompressionRatio) {
        unsafe(`${label} expands ${Number.isFinite(ratio) ? ratio.toFixed(0) : 'without bound'}:1; at most ${limits.maxCompressionRatio}:1 (zip bomb)`);
      }
      declaredTotal += entry.uncompressedSize;
      if (declaredTotal > limits.maxTotalUncompressedBytes) unsafe(`archive declares more than ${limits.maxTotalUncompressedBytes} uncompressed bytes`);
      files.push({ entry, name, label });
    }
    const total = { bytes: 0, max: limits.maxTotalUncompressedBytes };
    for (const { entry, name, label } of files) {
      const source = await entryStream(zip, entry);
      const guard = new EntryGuard(label, Math.min(limits.maxEntryUncompressedBytes, entry.uncompressedSize), total);
      const consumed = sinkInto(sink, { path: name, uncompressedBytes: entry.uncompressedSize }, guard);
      try {
        await Promise.all([pipeline(source, guard), consumed]);
      } catch (e) {
        source.destroy();
        guard.destroy();
        if (e instanceof DomainError) throw e;
        // The sink's own disk filling up says nothing about the archive: not a refusal (the caller retries later).
        if (isStorageFull(e)) throw e;
        throw new DomainError('UNSAFE_ARCHIVE', `${label} could not be read: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return { files: files.length, directories, uncompressedBytes: total.bytes };
  } finally {
    zip.close();
  }
}

async function sinkInto(sink: ArchiveSink, entry: ArchiveEntry, content: Readable): Promise<void> {
  await sink(entry, content);
}
