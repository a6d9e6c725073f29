import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '../domain/errors.js';
import { storageFullError } from './storage-full.js';

const SHA256 = /^[0-9a-f]{64}$/;

export interface StoredBlob {
  sha256: string;
  bytes: number;
  /** false when the same content was already stored (re-sent instance) */
  created: boolean;
}

/**
 * Content-addressed local blob store (sha256). Paths come only from hashes (SEC-06). A write is durable before
 * it is acknowledged: temp file, fsync, rename, fsync of the directory (part11 doc §6.1); temp files left by a
 * crash are collected at startup, and a blob without an index row is invisible to everyone.
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
      const dest = this.pathOf(sha256);
      if (await this.has(sha256)) {
        await rm(tmp, { force: true });
        return { sha256, bytes, created: false };
      }
      await mkdir(path.dirname(dest), { recursive: true });
      await rename(tmp, dest);
      await fsyncPath(path.dirname(dest));
      return { sha256, bytes, created: true };
    } catch (e) {
      await rm(tmp, { force: true });
      throw storageFullError(e, 'the blob store is full; nothing was stored') ?? e;
    }
  }

  read(sha256: string): Readable {
    return createReadStream(this.pathOf(sha256));
  }

  /** Free-space and writability probe for /health. */
  async probe(): Promise<{ ok: boolean; detail: string }> {
    try {
      const f = path.join(this.root, 'tmp', `probe-${randomUUID()}`);
      const h = await open(f, 'w');
      await h.close();
      await rm(f);
      return { ok: true, detail: this.root };
    } catch (e) {
      return { ok: false, detail: (e as Error).message };
    }
  }
}

async function fsyncPath(p: string): Promise<void> {
  const h = await open(p, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
