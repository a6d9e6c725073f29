import { createHash, randomUUID } from 'node:crypto';
import { type FileHandle, open, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
// Fastify's maintained busboy (with its Dicer): the same streaming parsers, about three times less CPU per byte.
import { Busboy, Dicer } from '@fastify/busboy';
import type { DbOrTrx } from '../../db/connect.js';
import { DomainError } from '../../domain/errors.js';
import { fsyncPath, mkdirDurably, writeChunks } from '../../storage/blob-store.js';
import { storageFullError } from '../../storage/storage-full.js';

// Uploads stream to disk (SEC-03): the body is never held whole in memory, and limits are enforced while the
// bytes arrive: the body as a whole is metered (so a multipart body cannot carry gigabytes outside its files, in a
// preamble or a form field the parser skips), each file is metered against the upload's byte budget, and a body
// whose declared Content-Length is already past the limit is refused before a byte is read. Staged files are named
// by server ids only (SEC-06); they are removed once ingested.
export interface StagedFile {
  fileId: string;
  path: string;
  contentType: 'application/dicom' | 'application/zip';
  bytes: number;
  sha256: string;
  /** the file's bytes in their own ArrayBuffer, when it was small enough to be gathered whole (the pool then need
   * not read it back; transferring them detaches this copy) */
  content?: Uint8Array;
}

export interface StagingLimits {
  /** bytes still allowed for this upload */
  maxBytes: number;
  /** files still allowed for this upload */
  maxFiles: number;
}

/** What a multipart body may carry beyond its files' bytes (boundaries and part headers): a fixed allowance plus one per file. */
const FRAMING_BYTES = 64 * 1024;
const FRAMING_BYTES_PER_FILE = 1024;

export const TOO_LARGE = 'the upload exceeds its size limit (UPLOAD_MAX_BYTES); nothing from this request was kept';

export function stagingDir(dataDir: string, uploadId: string): string {
  if (!/^[0-9a-f-]{36}$/.test(uploadId)) throw new DomainError('NOT_FOUND', 'no such upload');
  return path.join(dataDir, 'staging', uploadId);
}

const ZIP_NAME = /\.zip$/i;

interface Budget {
  bytes: number;
  files: number;
}

/**
 * Streams a request body of any accepted type into staged files. On any error, nothing staged by it remains.
 * `declaredBytes` is the request's Content-Length when it sent one (a chunked body has none).
 */
export async function stageRequestBody(
  body: ReadableStream<Uint8Array> | null,
  contentType: string,
  dir: string,
  limits: StagingLimits,
  declaredBytes?: number | null,
  /** told of each file as soon as it is staged (durably written and hashed), while the rest of the body streams in */
  onStaged?: (file: StagedFile) => void,
): Promise<StagedFile[]> {
  if (!body) throw new DomainError('VALIDATION_FAILED', 'the request has no body');
  const maxBodyBytes = Math.max(0, limits.maxBytes) + FRAMING_BYTES + FRAMING_BYTES_PER_FILE * Math.max(0, limits.maxFiles);
  if (declaredBytes != null && declaredBytes > maxBodyBytes) {
    throw new DomainError('PAYLOAD_TOO_LARGE', `the request declares ${declaredBytes} bytes (Content-Length) and this upload accepts at most ${Math.max(0, limits.maxBytes)} more (UPLOAD_MAX_BYTES); nothing was read`);
  }
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (!['application/dicom', 'application/zip', 'multipart/form-data', 'multipart/related'].includes(type)) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `send application/dicom, application/zip, multipart/form-data or multipart/related; type="application/dicom", not ${type || 'no content type'}`);
  }
  await mkdirDurably(dir);
  const staged: StagedFile[] = [];
  const budget: Budget = { bytes: limits.maxBytes, files: limits.maxFiles };
  const source = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
  let received = 0;
  const bodyMeter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      received += chunk.length;
      if (received > maxBodyBytes) return cb(new DomainError('PAYLOAD_TOO_LARGE', TOO_LARGE));
      cb(null, chunk);
    },
  });
  source.on('error', (e) => bodyMeter.destroy(e));
  source.pipe(bodyMeter);
  // A file's gathered bytes go to `onStaged` and no further: a request of many files never holds them all.
  const deliver = (file: StagedFile) => {
    try {
      onStaged?.(file);
    } finally {
      file.content = undefined;
    }
  };
  try {
    if (type === 'application/dicom' || type === 'application/zip') {
      const file = await stageOne(bodyMeter, type, dir, budget);
      staged.push(file);
      deliver(file);
    } else if (type === 'multipart/form-data') {
      await stageFormData(bodyMeter, contentType, dir, budget, staged, deliver);
    } else {
      await stageRelated(bodyMeter, contentType, dir, budget, staged, deliver);
    }
    if (staged.length === 0) throw new DomainError('VALIDATION_FAILED', 'the request carried no file');
    // Each file was fsynced as it finished; their names become durable with the folder's fsync, before the caller
    // commits the rows that name them and answers 201.
    await fsyncPath(dir);
    return staged;
  } catch (e) {
    // Stop reading: the server answers now and closes the connection rather than reading the rest of the body.
    // Pausing (not destroying) keeps the socket open under the answer, so the client receives it (Connection:
    // close on 413, problem.ts); destroying here raced the answer and clients saw EPIPE instead.
    source.unpipe(bodyMeter);
    source.pause();
    bodyMeter.destroy();
    await Promise.all(staged.filter(Boolean).map((f) => rm(f.path, { force: true })));
    throw e;
  }
}

/**
 * Chunks are gathered and written this many bytes at a time, with one writev: a typical DICOM instance (well under
 * this) costs one write, one fsync and one close instead of a write per network chunk, and its bytes stay in hand
 * for the pool (StagedFile.content). Larger files (multi-frame, zips) go to disk in steps of this size.
 */
const GATHER_BYTES = 16 * 1024 * 1024;

async function stageOne(src: Readable, contentType: StagedFile['contentType'], dir: string, budget: Budget): Promise<StagedFile> {
  if (budget.files <= 0) throw new DomainError('PAYLOAD_TOO_LARGE', 'too many files for this upload (UPLOAD_MAX_FILES)');
  budget.files -= 1;
  const fileId = randomUUID();
  const file = path.join(dir, fileId);
  const hash = createHash('sha256');
  let bytes = 0;
  let held: Buffer[] = [];
  let heldBytes = 0;
  let wrote = false;
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'wx');
    for await (const chunk of src as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      budget.bytes -= chunk.length;
      if (budget.bytes < 0) throw new DomainError('PAYLOAD_TOO_LARGE', TOO_LARGE);
      hash.update(chunk);
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes >= GATHER_BYTES) {
        await writeChunks(handle, held);
        wrote = true;
        held = [];
        heldBytes = 0;
      }
    }
    if (held.length > 0) await writeChunks(handle, held);
    await handle.sync();
    await handle.close();
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await rm(file, { force: true });
    throw storageFullError(e, 'the server is out of storage for uploads; nothing from this request was kept') ?? e;
  }
  if (bytes === 0) {
    await rm(file, { force: true });
    throw new DomainError('VALIDATION_FAILED', 'an uploaded file is empty');
  }
  // A DICOM file's copy in its own ArrayBuffer (the chunks are views of network buffers), so it can be transferred
  // to a thread.
  let content: Uint8Array | undefined;
  if (!wrote && contentType === 'application/dicom') {
    content = new Uint8Array(bytes);
    let at = 0;
    for (const c of held) {
      content.set(c, at);
      at += c.length;
    }
  }
  return { fileId, path: file, contentType, bytes, sha256: hash.digest('hex'), content };
}

/**
 * Stages the file parts a multipart parser emits, each under its ordinal (files keep the order they were sent in,
 * whatever order their writes finish in). On the first failure the body stops flowing into the parser, every part
 * still being written is ended, and the promise rejects once all of them have settled, so the
 * caller's clean-up sees every file this request staged.
 */
function stageParts(
  src: Readable,
  parser: NodeJS.WritableStream & NodeJS.EventEmitter,
  endEvent: 'close' | 'finish',
  dir: string,
  budget: Budget,
  out: StagedFile[],
  onStaged: ((file: StagedFile) => void) | undefined,
  wire: (stage: (part: Readable, type: StagedFile['contentType']) => void, fail: (e: unknown) => void) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const pending: Promise<void>[] = [];
    const active = new Set<Readable>();
    let failure: unknown;
    let index = 0;
    const start = out.length;
    const settle = () => Promise.allSettled(pending).then(() => (failure === undefined ? resolve() : reject(failure)));
    const fail = (e: unknown) => {
      if (failure !== undefined) return;
      failure = e;
      src.unpipe(parser as NodeJS.WritableStream);
      // Ends the writes in flight (their read loops reject and remove their files); no error event on a part whose
      // listeners may already be gone.
      for (const part of active) part.destroy();
      void settle();
    };
    const stage = (part: Readable, type: StagedFile['contentType']) => {
      if (failure !== undefined) return void part.resume();
      const at = start + index++;
      active.add(part);
      pending.push(
        stageOne(part, type, dir, budget)
          .then((f) => {
            out[at] = f;
            onStaged?.(f);
          }, (e) => (part.resume(), fail(e)))
          .finally(() => active.delete(part)),
      );
    };
    wire(stage, fail);
    src.on('error', fail);
    parser.on(endEvent, () => void settle());
    src.pipe(parser as NodeJS.WritableStream);
  });
}

function stageFormData(src: Readable, contentType: string, dir: string, budget: Budget, out: StagedFile[], onStaged?: (file: StagedFile) => void): Promise<void> {
  let bb: ReturnType<typeof Busboy>;
  try {
    bb = Busboy({ headers: { 'content-type': contentType }, limits: { files: budget.files + 1, fields: 20 } });
  } catch (e) {
    return Promise.reject(new DomainError('VALIDATION_FAILED', `malformed multipart body: ${(e as Error).message}`));
  }
  return stageParts(src, bb, 'finish', dir, budget, out, onStaged, (stage, fail) => {
    bb.on('file', (_name, stream, filename, _encoding, mimeType) => {
      const zip = mimeType === 'application/zip' || mimeType === 'application/x-zip-compressed' || ZIP_NAME.test(filename ?? '');
      stage(stream, zip ? 'application/zip' : 'application/dicom');
    });
    bb.on('filesLimit', () => fail(new DomainError('PAYLOAD_TOO_LARGE', 'too many files for this upload (UPLOAD_MAX_FILES)')));
    bb.on('error', (e) => fail(new DomainError('VALIDATION_FAILED', `malformed multipart body: ${(e as Error).message}`)));
  });
}

function stageRelated(src: Readable, contentType: string, dir: string, budget: Budget, out: StagedFile[], onStaged?: (file: StagedFile) => void): Promise<void> {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return Promise.reject(new DomainError('VALIDATION_FAILED', 'multipart/related without a boundary'));
  const declared = /type="?([^";]+)"?/i.exec(contentType)?.[1]?.toLowerCase();
  if (declared && declared !== 'application/dicom') {
    return Promise.reject(new DomainError('UNSUPPORTED_MEDIA_TYPE', `STOW-RS accepts type="application/dicom", not ${declared}`));
  }
  const dicer = new Dicer({ boundary });
  return stageParts(src, dicer, 'finish', dir, budget, out, onStaged, (stage, fail) => {
    dicer.on('part', (part) => {
      part.on('header', (header: object) => {
        const h = header as Record<string, string[] | undefined>;
        const partType = (h['content-type']?.[0] ?? 'application/dicom').split(';')[0].trim().toLowerCase();
        if (partType !== 'application/dicom') {
          part.resume();
          return fail(new DomainError('UNSUPPORTED_MEDIA_TYPE', `a STOW-RS part is ${partType}; only application/dicom parts are accepted`));
        }
        stage(part, 'application/dicom');
      });
    });
    dicer.on('error', (e) => fail(new DomainError('VALIDATION_FAILED', `malformed multipart/related body: ${e.message}`)));
  });
}

/**
 * Collects what killed requests and jobs left in staging (part11 doc §6.2: temp files are collected): folders of
 * finished uploads, STOW-RS scratch folders and files no upload recorded, once older than `minAgeMs` (so a request
 * still streaming in another process is never touched). Files of open uploads that were recorded, and everything
 * of uploads being ingested, stay. Staged files are never visible to anyone; this only reclaims the disk.
 */
export async function collectStaleStaging(db: DbOrTrx, dataDir: string, now: Date, minAgeMs = 60 * 60 * 1000): Promise<number> {
  const root = path.join(dataDir, 'staging');
  let removed = 0;
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    return 0;
  }
  const old = async (p: string) => now.getTime() - (await stat(p)).mtimeMs > minAgeMs;
  for (const name of entries) {
    const dir = path.join(root, name);
    const upload = /^[0-9a-f-]{36}$/.test(name) ? await db.selectFrom('uploads').select(['state']).where('id', '=', name).executeTakeFirst() : undefined;
    if (upload?.state === 'processing') continue;
    if (upload?.state === 'completed' || upload?.state === 'failed' || (!upload && (await old(dir)))) {
      await rm(dir, { recursive: true, force: true });
      removed++;
      continue;
    }
    if (upload?.state !== 'open') continue;
    const recorded = new Set((await db.selectFrom('upload_files').select('id').where('upload_id', '=', name).execute()).map((r) => r.id));
    for (const f of await readdir(dir)) {
      // `<file id>.deid` belongs to its recorded file (arrival-preparation.ts)
      if (recorded.has(f.split('.')[0]) || !(await old(path.join(dir, f)))) continue;
      await rm(path.join(dir, f), { force: true });
      removed++;
    }
  }
  return removed;
}
