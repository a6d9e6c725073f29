import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '../domain/errors.js';
import { storageFullError } from './storage-full.js';

const SHA256 = /^[0-9a-f]{64}$/;
/** Below this much free space the store reports itself down on /health. */
const LOW_SPACE_BYTES = 16 * 1024 * 1024;

export interface StoredBlob {
  sha256: string;
  bytes: number;
  /** false when the same content was already stored (re-sent instance) */
  created: boolean;
}

/**
 * Content-addressed local blob store (sha256). Paths come only from hashes (SEC-06). A write is durable before
 * it is acknowledged (part11 doc §6.1): the bytes are written to a temp file and fsynced, renamed into place, and
 * the directory that holds the new name is fsynced; a shard directory created for it is itself made durable by
 * fsyncing the directory that names it. Only then does the caller commit the row that names the blob (SQLite WAL
 * with synchronous=FULL, PostgreSQL synchronous_commit=on), so after a power loss a committed row never names a
 * missing file. Temp files left by a crash are collected at startup; a blob without an index row is invisible.
 * (This is the order FLT-04 would check under LazyFS, which is not available here: see requirements-trace.)
 */
export class BlobStore {
  constructor(readonly root: string) {}

  async init(): Promise<void> {
    await mkdir(path.join(this.root, 'tmp'), { recursive: true });
    // Collect temp files of writes a crash interrupted.
    for (const f of await readdir(path.join(this.root, 'tmp'))) await rm(path.join(this.root, 'tmp', f), { force: true });
  }

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new DomainError('NOT_FOUND', 'no such blob');
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  async put(source: Readable | Buffer, maxBytes = Number.MAX_SAFE_INTEGER): Promise<StoredBlob> {
    const tmp = path.join(this.root, 'tmp', randomUUID());
    const hash = createHash('sha256');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        if (bytes > maxBytes) return cb(new DomainError('PAYLOAD_TOO_LARGE', `content exceeds ${maxBytes} bytes`));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(Buffer.isBuffer(source) ? Readable.from([source]) : source, meter, createWriteStream(tmp, { flags: 'wx' }));
      await fsyncPath(tmp);
      const sha256 = hash.digest('hex');
      return { sha256, bytes, created: await this.adopt(tmp, sha256) };
    } catch (e) {
      await rm(tmp, { force: true });
      throw storageFullError(e, 'the blob store is full; nothing was stored') ?? e;
    }
  }

  /**
   * Moves a file already written and fsynced, on the store's file system, into the store under its sha256 (which
   * the caller computed from exactly its bytes): rename, then fsync of the directory. Content already stored is
   * dropped. Returns whether the blob is new.
   */
  async adopt(file: string, sha256: string): Promise<boolean> {
    const dest = this.pathOf(sha256);
    if (await this.has(sha256)) {
      await rm(file, { force: true });
      return false;
    }
    await mkdirDurably(path.dirname(dest));
    await rename(file, dest);
    await fsyncPath(path.dirname(dest));
    return true;
  }

  read(sha256: string): Readable {
    return createReadStream(this.pathOf(sha256));
  }

  /**
   * Free-space and writability probe for /health. An empty file can still be created on a full disk, so the free
   * space is checked too: below LOW_SPACE_BYTES the store is reported down (uploads answer 507, ingests wait).
   */
  async probe(): Promise<{ ok: boolean; detail: string }> {
    try {
      const f = path.join(this.root, 'tmp', `probe-${randomUUID()}`);
      const h = await open(f, 'w');
      await h.close();
      await rm(f);
      const fs = await statfs(this.root);
      const free = Number(fs.bavail) * Number(fs.bsize);
      const mb = (free / 1024 / 1024).toFixed(1);
      // /health is public: no paths, and no figure that changes call to call while all is well
      if (free < LOW_SPACE_BYTES) return { ok: false, detail: `only ${mb} MB free; uploads are refused (507) and ingests wait until space is freed` };
      return { ok: true, detail: `more than ${LOW_SPACE_BYTES / 1024 / 1024} MB free` };
    } catch (e) {
      return { ok: false, detail: `not writable (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
    }
  }
}

/** mkdir -p whose new directories survive a power loss: each created one is named in an fsynced parent. */
export async function mkdirDurably(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (!first) return;
  // Parents of every directory created, from the one above the first new directory down to dir's parent.
  const created = path.relative(path.dirname(first), dir).split(path.sep);
  let parent = path.dirname(first);
  for (const name of created) {
    await fsyncPath(parent);
    parent = path.join(parent, name);
  }
}

/**
 * Writes `chunks` at the handle's position with one writev (no joined copy). A short write (the disk filling up)
 * is finished by writeFile, which writes the rest or throws ENOSPC.
 */
export async function writeChunks(handle: FileHandle, chunks: readonly Uint8Array[]): Promise<void> {
  const { bytesWritten } = await handle.writev(chunks as Uint8Array[]);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  if (bytesWritten < total) await handle.writeFile(Buffer.concat(chunks as Uint8Array[]).subarray(bytesWritten));
}

/** fsync of a file or a directory (a directory's fsync makes the names in it durable). */
export async function fsyncPath(p: string): Promise<void> {
  const h = await open(p, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
