// @req SEC-03: a 5 GB chunked body is refused with 413 while it streams, with flat server memory. A real server
// (`corelab serve`, its own process) listens on loopback; each body comes from a generator that would yield 5 GiB,
// written with back-pressure over a real socket. The server's resident memory (/proc/<pid>/status VmRSS) is sampled
// throughout. Every upload path is tried: application/dicom, application/zip, multipart/form-data (a file part,
// and a body whose gigabytes are a form field no file meter sees), STOW-RS multipart/related (a part, and a body
// that never reaches its first boundary), a declared Content-Length past the limit (refused unread), and a JSON
// body to the public login route. Each answer comes after at most the limit plus socket buffers, not after 5 GB, and
// nothing of the request is kept. The same server then accepts a normal upload.
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/server-process.js';
import { DIALECT, type TestPlatform, createTestPlatform } from '../helpers/test-platform.js';
import { type IngestTrial, ctSeries, openUpload, setupIngestTrial } from './ingest-fixture.js';

const MiB = 1024 * 1024;
const LIMIT = 32 * MiB;
const FIVE_GB = 5 * 1024 * MiB;
/** What may reach the server before it answers: the limit plus socket and stream buffers (far below 5 GB). */
const ANSWERED_WITHIN = LIMIT + 64 * MiB;
const RSS_GROWTH_LIMIT = 150 * MiB;

function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** A body of `total` bytes: the prefix, then one reused 1 MiB chunk (the client's own memory stays flat too). */
function* fiveGigabytes(prefix: string | Buffer, total = FIVE_GB): Generator<Buffer> {
  const head = Buffer.isBuffer(prefix) ? prefix : Buffer.from(prefix);
  yield head;
  const chunk = Buffer.alloc(MiB, 0x41);
  for (let sent = head.length; sent < total; sent += chunk.length) yield chunk;
}

interface Outcome {
  status: number;
  contentType: string | undefined;
  body: string;
  /** bytes the client had handed to the socket when the answer arrived */
  sentBeforeAnswer: number;
  ms: number;
}

/**
 * POSTs a generated body, chunked (or with a declared length), stopping as soon as the server answers. The server
 * answers 413 and then closes after a bounded drain; on a loaded machine the closing RST can reach the client
 * before it has parsed the answer, and Linux then discards the unread answer (EPIPE / ECONNRESET, the classic
 * lingering-close race). Such a try is repeated once, with a fresh body; any other error fails the test.
 */
async function post(port: number, urlPath: string, headers: Record<string, string>, body: () => Iterable<Buffer>): Promise<Outcome> {
  try {
    return await postOnce(port, urlPath, headers, body());
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPIPE' && code !== 'ECONNRESET') throw e;
    console.log(`SEC-03 ${urlPath}: ${code} before the answer was read; trying once more`);
    return postOnce(port, urlPath, headers, body());
  }
}

function postOnce(port: number, urlPath: string, headers: Record<string, string>, body: Iterable<Buffer>): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method: 'POST', headers, agent: false });
    req.on('response', (res) => {
      answered = true;
      const sentBeforeAnswer = sent;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode!, contentType: res.headers['content-type'], body: text, sentBeforeAnswer, ms: Date.now() - started });
      });
    });
    // The server closes the connection after answering: the writes still in flight fail, which is expected.
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    const drained = () =>
      new Promise<void>((r) => {
        const done = () => {
          req.off('drain', done).off('close', done).off('response', done);
          r();
        };
        req.on('drain', done).on('close', done).on('response', done);
      });
    void (async () => {
      for (const chunk of body) {
        if (answered || req.destroyed) return;
        sent += chunk.length;
        if (!req.write(chunk)) await drained();
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

describe(`SEC-03: 5 GB chunked bodies against a listening server (${DIALECT})`, () => {
  let p: TestPlatform;
  let t: IngestTrial;
  let server: ChildProcess;
  let port = 0;
  let samples: number[] = [];
  let sampler: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    p = await createTestPlatform({ env: { UPLOAD_MAX_BYTES: String(LIMIT) } });
    t = await setupIngestTrial(p, 'ING-HUGE');
    // The server is its own process on the same database and data folder, so its memory is measured alone.
    ({ child: server, port } = await startServerProcess({ ...p.env, LOG_LEVEL: 'info' }));
    sampler = setInterval(() => samples.push(rssOf(server.pid!)), 20);
  }, 60_000);

  afterAll(async () => {
    clearInterval(sampler);
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await p?.dispose();
  });

  const auth = () => ({ authorization: `Bearer ${t.sponsorToken}` });
  const chunked = (contentType: string) => ({ ...auth(), 'content-type': contentType, 'transfer-encoding': 'chunked' });
  const filesUrl = (uploadId: string) => `/trials/${t.trialId}/uploads/${uploadId}/files`;
  const stowUrl = () => `/dicomweb/trials/${t.trialId}/studies`;
  const boundary = 'corelab-huge-body';
  const formHead = (disposition: string, type?: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\n${type ? `Content-Type: ${type}\r\n` : ''}\r\n`;
  const dicomPreamble = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM')]);

  /** What this request left: upload_files rows of the upload and files in its staging folder (or any scratch folder). */
  const leftovers = async (uploadId?: string) => {
    const staging = path.join(p.config.dataDir, 'staging');
    const files = existsSync(staging) ? readdirSync(staging).flatMap((d) => readdirSync(path.join(staging, d))) : [];
    const rows = uploadId ? await p.ctx.db.selectFrom('upload_files').select('id').where('upload_id', '=', uploadId).execute() : [];
    return { rows: rows.length, stagedFiles: files.length };
  };

  // A warm server first (routes, parsers, pool loaded), so growth measures the bodies, not the first request.
  let baseline = 0;
  it('serves a normal upload before the large bodies (warm-up and baseline)', async () => {
    const uploadId = await openUpload(p, t);
    const [file] = ctSeries('huge-warm', { slices: 1 });
    const res = await post(port, filesUrl(uploadId), { ...auth(), 'content-type': 'application/dicom', 'content-length': String(file.length) }, () => [file]);
    expect(res.status, res.body).toBe(201);
    await new Promise((r) => setTimeout(r, 500));
    baseline = Math.max(...samples.slice(-10));
    samples = [];
  });

  const cases: Array<[string, () => Promise<{ url: string; headers: Record<string, string>; body: () => Iterable<Buffer>; uploadId?: string }>, RegExp]> = [
    ['application/dicom', async () => {
      const uploadId = await openUpload(p, t);
      return { uploadId, url: filesUrl(uploadId), headers: chunked('application/dicom'), body: () => fiveGigabytes(dicomPreamble) };
    }, /exceeds its size limit \(UPLOAD_MAX_BYTES\)/],
    ['application/zip', async () => {
      const uploadId = await openUpload(p, t);
      return { uploadId, url: filesUrl(uploadId), headers: chunked('application/zip'), body: () => fiveGigabytes('PK\u0003\u0004') };
    }, /exceeds its size limit \(UPLOAD_MAX_BYTES\)/],
    ['multipart/form-data, one file part', async () => {
      const uploadId = await openUpload(p, t);
      return { uploadId, url: filesUrl(uploadId), headers: chunked(`multipart/form-data; boundary=${boundary}`), body: () => fiveGigabytes(formHead('name="files"; filename="huge.dcm"', 'application/dicom')) };
    }, /exceeds its size limit \(UPLOAD_MAX_BYTES\)/],
    ['multipart/form-data, one endless text field (no file)', async () => {
      const uploadId = await openUpload(p, t);
      return { uploadId, url: filesUrl(uploadId), headers: chunked(`multipart/form-data; boundary=${boundary}`), body: () => fiveGigabytes(formHead('name="note"')) };
    }, /exceeds its size limit \(UPLOAD_MAX_BYTES\)/],
    ['STOW-RS multipart/related, one part', async () => ({
      url: stowUrl(),
      headers: chunked(`multipart/related; type="application/dicom"; boundary=${boundary}`),
      body: () => fiveGigabytes(Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), dicomPreamble])),
    }), /exceeds its size limit \(UPLOAD_MAX_BYTES\)/],
    ['STOW-RS multipart/related, no boundary ever', async () => ({
      url: stowUrl(),
      headers: chunked(`multipart/related; type="application/dicom"; boundary=${boundary}`),
      body: () => fiveGigabytes('preamble that never ends '),
    }), /exceeds its size limit \(UPLOAD_MAX_BYTES\)/],
    ['a declared Content-Length of 5 GB (refused unread)', async () => {
      const uploadId = await openUpload(p, t);
      return { uploadId, url: filesUrl(uploadId), headers: { ...auth(), 'content-type': 'application/dicom', 'content-length': String(FIVE_GB) }, body: () => [] };
    }, /declares 5368709120 bytes \(Content-Length\).*nothing was read/],
    ['a JSON body to the public login route', async () => ({
      url: '/auth/login',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: () => fiveGigabytes('{"username":"sp-inghuge","password":"'),
    }), /JSON request body is limited to 1048576 bytes \(API_MAX_JSON_BYTES\)/],
  ];

  it.each(cases)('%s: 413 problem+json long before 5 GB, nothing kept', async (_name, build, detail) => {
    const { url, headers, body, uploadId } = await build();
    const res = await post(port, url, headers, body);
    expect(res.status, res.body).toBe(413);
    expect(res.contentType).toBe('application/problem+json');
    expect(JSON.parse(res.body).detail).toMatch(detail);
    expect(res.sentBeforeAnswer).toBeLessThan(ANSWERED_WITHIN);
    expect(res.ms).toBeLessThan(20_000);
    // the warm-up's recorded file only, with the de-identified copy made as it arrived (arrival-preparation.ts)
    expect(await leftovers(uploadId)).toEqual({ rows: 0, stagedFiles: 2 });
    console.log(`SEC-03 ${_name}: 413 after ${(res.sentBeforeAnswer / MiB).toFixed(1)} MiB sent, ${res.ms} ms`);
  }, 30_000);

  it("kept the server's memory flat, and the server still accepts a normal upload", async () => {
    const peak = Math.max(...samples);
    console.log(`SEC-03 server RSS: baseline ${(baseline / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB over ${samples.length} samples`);
    expect(samples.length).toBeGreaterThan(10);
    expect(peak - baseline).toBeLessThan(RSS_GROWTH_LIMIT);
    const uploadId = await openUpload(p, t);
    const files = ctSeries('huge-after', { slices: 2 });
    const res = await post(port, filesUrl(uploadId), { ...auth(), 'content-type': 'application/dicom', 'content-length': String(files[0].length) }, () => [files[0]]);
    expect(res.status, res.body).toBe(201);
  });
});
