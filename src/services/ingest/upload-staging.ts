import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import Dicer from 'dicer';
import type { DbOrTrx } from '../../db/connect.js';
import { DomainError } from '../../domain/errors.js';

// Uploads stream to disk (SEC-03): the body is never held whole in memory, and limits are enforced while the
// bytes arrive. Staged files are named by server ids only (SEC-06); they are removed once ingested.
export interface StagedFile {
  fileId: string;
  path: string;
  contentType: 'application/dicom' | 'application/zip';
  bytes: number;
  sha256: string;
}

export interface StagingLimits {
  /** bytes still allowed for this upload */
  maxBytes: number;
  /** files still allowed for this upload */
  maxFiles: number;
}

export function stagingDir(dataDir: string, uploadId: string): string {
  if (!/^[0-9a-f-]{36}$/.test(uploadId)) throw new DomainError('NOT_FOUND', 'no such upload');
  return path.join(dataDir, 'staging', uploadId);
}

const ZIP_NAME = /\.zip$/i;

/** Streams a request body of any accepted type into staged files. On any error, nothing staged by it remains. */
export async function stageRequestBody(
  body: ReadableStream<Uint8Array> | null,
  contentType: string,
  dir: string,
  limits: StagingLimits,
): Promise<StagedFile[]> {
  if (!body) throw new DomainError('VALIDATION_FAILED', 'the request has no body');
  await mkdir(dir, { recursive: true });
  const staged: StagedFile[] = [];
  const budget = { bytes: limits.maxBytes, files: limits.maxFiles };
  const source = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
  try {
    const type = contentType.split(';')[0].trim().toLowerCase();
    if (type === 'application/dicom' || type === 'application/zip') {
      staged.push(await stageOne(source, type, dir, budget));
    } else if (type === 'multipart/form-data') {
      await stageFormData(source, contentType, dir, budget, staged);
    } else if (type === 'multipart/related') {
      await stageRelated(source, contentType, dir, budget, staged);
    } else {
      throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `send application/dicom, application/zip, multipart/form-data or multipart/related; type="application/dicom", not ${type || 'no content type'}`);
    }
    if (staged.length === 0) throw new DomainError('VALIDATION_FAILED', 'the request carried no file');
    return staged;
  } catch (e) {
    source.destroy();
    await Promise.all(staged.filter(Boolean).map((f) => rm(f.path, { force: true })));
    throw e;
  }
}

async function stageOne(src: Readable, contentType: StagedFile['contentType'], dir: string, budget: { bytes: number; files: number }): Promise<StagedFile> {
  if (budget.files <= 0) throw new DomainError('PAYLOAD_TOO_LARGE', 'too many files for this upload (UPLOAD_MAX_FILES)');
  budget.files -= 1;
  const fileId = randomUUID();
  const file = path.join(dir, fileId);
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      bytes += chunk.length;
      budget.bytes -= chunk.length;
      if (budget.bytes < 0) return cb(new DomainError('PAYLOAD_TOO_LARGE', 'the upload exceeds its size limit (UPLOAD_MAX_BYTES); nothing from this request was kept'));
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(src, meter, createWriteStream(file, { flags: 'wx' }));
    const h = await open(file, 'r');
    await h.sync();
    await h.close();
  } catch (e) {
    await rm(file, { force: true });
    if ((e as NodeJS.ErrnoException).code === 'ENOSPC') throw new DomainError('INSUFFICIENT_STORAGE', 'the server is out of storage; nothing from this request was kept');
    throw e;
  }
  if (bytes === 0) {
    await rm(file, { force: true });
    throw new DomainError('VALIDATION_FAILED', 'an uploaded file is empty');
  }
  return { fileId, path: file, contentType, bytes, sha256: hash.digest('hex') };
}

function stageFormData(src: Readable, contentType: string, dir: string, budget: { bytes: number; files: number }, out: StagedFile[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const bb = busboy({ headers: { 'content-type': contentType }, limits: { files: budget.files + 1, fields: 20 } });
    const pending: Promise<void>[] = [];
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      src.unpipe(bb);
      src.resume();
      reject(e);
    };
    const start = out.length;
    let index = 0;
    bb.on('file', (_name, stream, info) => {
      const zip = info.mimeType === 'application/zip' || info.mimeType === 'application/x-zip-compressed' || ZIP_NAME.test(info.filename ?? '');
      // Files keep the order they were sent in (their ordinals), whatever order their writes finish in.
      const at = start + index++;
      pending.push(
        stageOne(stream, zip ? 'application/zip' : 'application/dicom', dir, budget).then(
          (f) => void (out[at] = f),
          (e) => {
            stream.resume();
            fail(e);
          },
        ),
      );
    });
    bb.on('filesLimit', () => fail(new DomainError('PAYLOAD_TOO_LARGE', 'too many files for this upload (UPLOAD_MAX_FILES)')));
    bb.on('error', (e) => fail(new DomainError('VALIDATION_FAILED', `malformed multipart body: ${(e as Error).message}`)));
    bb.on('close', () => {
      Promise.all(pending).then(() => !failed && resolve(), fail);
    });
    src.pipe(bb);
  });
}

function stageRelated(src: Readable, contentType: string, dir: string, budget: { bytes: number; files: number }, out: StagedFile[]): Promise<void> {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return Promise.reject(new DomainError('VALIDATION_FAILED', 'multipart/related without a boundary'));
  const declared = /type="?([^";]+)"?/i.exec(contentType)?.[1]?.toLowerCase();
  if (declared && declared !== 'application/dicom') {
    return Promise.reject(new DomainError('UNSUPPORTED_MEDIA_TYPE', `STOW-RS accepts type="application/dicom", not ${declared}`));
  }
  return new Promise((resolve, reject) => {
    const dicer = new Dicer({ boundary });
    const pending: Promise<void>[] = [];
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      src.unpipe(dicer);
      src.resume();
      reject(e);
    };
    const start = out.length;
    let index = 0;
    dicer.on('part', (part) => {
      let partType = 'application/dicom';
      part.on('header', (h) => {
        partType = (h['content-type']?.[0] ?? 'application/dicom').split(';')[0].trim().toLowerCase();
        if (partType !== 'application/dicom') {
          part.resume();
          return fail(new DomainError('UNSUPPORTED_MEDIA_TYPE', `a STOW-RS part is ${partType}; only application/dicom parts are accepted`));
        }
        const at = start + index++;
        pending.push(stageOne(part, 'application/dicom', dir, budget).then((f) => void (out[at] = f), (e) => (part.resume(), fail(e))));
      });
    });
    dicer.on('error', (e) => fail(new DomainError('VALIDATION_FAILED', `malformed multipart/related body: ${e.message}`)));
    dicer.on('finish', () => {
      Promise.all(pending).then(() => !failed && resolve(), fail);
    });
    src.pipe(dicer);
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
      if (recorded.has(f) || !(await old(path.join(dir, f)))) continue;
      await rm(path.join(dir, f), { force: true });
      removed++;
    }
  }
  return removed;
}
