// Ingest throughput: a 500-slice CT series uploaded through the API (stream to disk, parse, de-identify in the
// pool, content-addressed store, index, volume assembly, QC), against the same bytes through `sha256sum` (the
// floor) and through Orthanc (Debian's package, on loopback) as the peer, in one run.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { syntheticCtSeries, syntheticUid } from '../src/demo/synthetic-ct-series.js';
import { openPlatform } from '../src/main.js';
import { createUser } from '../src/services/accounts.js';
import { SYSTEM_ACTOR } from '../src/services/service-context.js';
import { addMember, createSite, createTimepoint, createTrial, enrollSubject } from '../src/services/trials.js';

/** CPU seconds (user + system) a child process has used so far, from /proc (null where there is none). */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (100 Hz)
  } catch {
    return null;
  }
}
const cpuText = (s: number | null) => (s === null ? 'n/a' : `${s.toFixed(2)} s`);

/** CPU seconds per thread of a process, by thread id (Linux /proc; empty elsewhere). */
function threadCpu(pid: number | undefined): Map<string, { seconds: number }> {
  const out = new Map<string, { seconds: number }>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
        out.set(tid, { seconds: (Number(f[11]) + Number(f[12])) / 100 });
      } catch {
        /* the thread ended between the listing and the read */
      }
    }
  } catch {
    /* no /proc */
  }
  return out;
}

/**
 * What the event loop (the thread whose id is the process id) and each other thread (worker threads, libuv's pool,
 * V8's helpers: Node 20 names them all "node") spent between two threadCpu readings, largest first.
 */
function cpuByThread(pid: number | undefined, before: Map<string, { seconds: number }>, after: Map<string, { seconds: number }>): string {
  const spent = [...after].map(([tid, t]) => ({ main: tid === String(pid), s: t.seconds - (before.get(tid)?.seconds ?? 0) }));
  const main = spent.find((t) => t.main)?.s ?? 0;
  const others = spent.filter((t) => !t.main && t.s >= 0.01).map((t) => t.s).sort((a, b) => b - a);
  return `event loop ${main.toFixed(2)} s; ${others.length} other threads ${others.map((s) => s.toFixed(2)).join(' + ')} s`;
}

const SLICES = Number(process.env.BENCH_SLICES ?? 500);
const SIZE = Number(process.env.BENCH_MATRIX ?? 512);
const work = mkdtempSync(path.join(os.tmpdir(), 'bench-ingest-'));
const seriesDir = path.join(work, 'series');
mkdirSync(seriesDir);

console.log(`generating ${SLICES} slices of ${SIZE}x${SIZE} CT...`);
const files = syntheticCtSeries({
  patientName: 'BENCH^PATIENT', patientId: 'BENCH-1', birthDate: '19700101', studyDate: '20240108',
  studyInstanceUid: syntheticUid('bench-study'), seriesInstanceUid: syntheticUid('bench-series'), frameOfReferenceUid: syntheticUid('bench-for'),
  slices: SLICES, columns: SIZE, rows: SIZE, pixelSpacingMm: 0.7, sliceThicknessMm: 1, lesions: [{ centerMm: [40, 0, SLICES / 4], diameterMm: 20 }],
});
const paths = files.map((b, i) => {
  const p = path.join(seriesDir, `${String(i).padStart(4, '0')}.dcm`);
  writeFileSync(p, b);
  return p;
});
const totalBytes = files.reduce((n, b) => n + b.length, 0);
const mb = totalBytes / 1024 / 1024;
console.log(`${SLICES} instances, ${mb.toFixed(1)} MB`);

// ---- floor: sha256sum of the same bytes ----
let t = performance.now();
execFileSync('sha256sum', paths, { maxBuffer: 64 * 1024 * 1024 });
const shaSeconds = (performance.now() - t) / 1000;
console.log(`sha256sum: ${shaSeconds.toFixed(2)} s (${(SLICES / shaSeconds).toFixed(0)} instances/s, ${(mb / shaSeconds).toFixed(0)} MB/s)`);

// ---- Corelab through the HTTP API ----
// The trial is set up through the services, then `corelab serve` runs as its own process on the same data, as in
// production (and as Orthanc runs below): the bench's HTTP client and the server do not share one event loop.
const env = { DATA_DIR: path.join(work, 'corelab'), CORELAB_SECRET_KEY: randomBytes(32).toString('hex'), CORELAB_SCRYPT_LOG_N: '12', LOG_LEVEL: 'warn' };
const setup = await openPlatform(loadConfig(env as NodeJS.ProcessEnv));
const pw = 'Bench-long-passphrase-1';
const sponsor = await createUser(setup.ctx, SYSTEM_ACTOR, { username: 'bench-sponsor', displayName: 'Bench Sponsor', password: pw });
const trial = await createTrial(setup.ctx, SYSTEM_ACTOR, { code: 'BENCH-1', title: 'Bench', sponsorName: 'Bench', protocol: 'bicr-recist-1.1' });
const site = await createSite(setup.ctx, SYSTEM_ACTOR, trial.id, { code: 'S1', name: 'Bench site' });
await addMember(setup.ctx, SYSTEM_ACTOR, { trialId: trial.id, userId: sponsor.id, role: 'sponsor' });
const subject = await enrollSubject(setup.ctx, SYSTEM_ACTOR, trial.id, { siteId: site.id, subjectCode: 'B-0001' });
const tp = await createTimepoint(setup.ctx, SYSTEM_ACTOR, trial.id, subject.id, { visitCode: 'BASELINE', visitNum: 1, label: 'Baseline' });
const workers = setup.ctx.config.pool.workers;
await setup.close();
// BENCH_PROFILE_DIR=dir: the server writes a V8 CPU profile per thread there (where its CPU goes)
const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/cli.ts', 'serve'], { env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve, reject) => {
  let out = '';
  child.stdout!.on('data', (d) => {
    out += String(d);
    const m = /"event":"listening","port":(\d+)/.exec(out);
    if (m) resolve(Number(m[1]));
  });
  child.on('exit', (code) => reject(new Error(`corelab serve exited (${code}): ${out}`)));
});
const base = `http://127.0.0.1:${port}`;
const login: any = await (await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench-sponsor', password: pw }) })).json();
const auth = { authorization: `Bearer ${login.token}` };

// the server has started (migrations, worker threads loaded); what it spends from here is the upload's
const cpuAtStart = cpuSeconds(child.pid);
const threadsAtStart = threadCpu(child.pid);
t = performance.now();
const upload: any = await (await fetch(`${base}/trials/${trial.id}/uploads`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ subjectId: subject.id, timepointId: tp.id }) })).json();
const BATCH = 50;
// multipart/form-data written as the file bytes with part headers around them (what a streaming uploader sends;
// the Orthanc client below sends the same buffers without them). Two requests in flight, as for Orthanc.
const boundary = 'corelab-bench-boundary';
const batches = Array.from({ length: Math.ceil(files.length / BATCH) }, (_, b) => b * BATCH);
let nextBatch = 0;
await Promise.all([0, 1].map(async () => { while (nextBatch < batches.length) {
  const i = batches[nextBatch++];
  const parts: Buffer[] = [];
  files.slice(i, i + BATCH).forEach((b, j) => parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${i + j}.dcm"\r\nContent-Type: application/dicom\r\n\r\n`), b, Buffer.from('\r\n')));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  const r = await fetch(`${base}/trials/${trial.id}/uploads/${upload.id}/files`, { method: 'POST', headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, body: Buffer.concat(parts) });
  if (r.status !== 201) throw new Error(`upload batch failed: ${r.status} ${await r.text()}`);
} }));
const sentSeconds = (performance.now() - t) / 1000;
const job: any = await (await fetch(`${base}/trials/${trial.id}/uploads/${upload.id}/complete`, { method: 'POST', headers: auth })).json();
let stages: Record<string, number> = {};
let preparedOnArrival = 0;
for (;;) {
  const j: any = await (await fetch(`${base}/jobs/${job.id}`, { headers: auth })).json();
  if (j.state === 'succeeded') {
    stages = { ...(j.result?.timingsMs ?? {}), queuedToFinished: Date.parse(j.finishedAt) - Date.parse(j.createdAt) };
    preparedOnArrival = j.result?.preparedOnArrival ?? 0;
    break;
  }
  if (j.state === 'failed' || j.state === 'cancelled') throw new Error(`ingest ${j.state}: ${j.error}`);
  await new Promise((r) => setTimeout(r, 50));
}
const corelabSeconds = (performance.now() - t) / 1000;
const corelabCpu = cpuAtStart === null ? null : cpuSeconds(child.pid)! - cpuAtStart;
const corelabCpuByThread = cpuByThread(child.pid, threadsAtStart, threadCpu(child.pid));
const done: any = await (await fetch(`${base}/trials/${trial.id}/uploads/${upload.id}`, { headers: auth })).json();
const ingested = (done.outcome as Array<{ outcome: string }>).filter((o) => o.outcome === 'ingested').length;
console.log(`corelab: ${corelabSeconds.toFixed(2)} s for ${ingested}/${SLICES} ingested (${(SLICES / corelabSeconds).toFixed(0)} instances/s, ${(mb / corelabSeconds).toFixed(1)} MB/s), workers=${workers}`);
// Where the time goes: the upload (HTTP, multipart parse, staging with hash and fsync) and the ingest job's stages.
console.log(`corelab stages: upload (stream to staging, de-identify as files arrive) ${(sentSeconds * 1000).toFixed(0)} ms; job ${JSON.stringify(stages)} ms, ${preparedOnArrival} files prepared on arrival`);
console.log(`corelab server CPU for the upload and its ingest: ${cpuText(corelabCpu)} (all threads: ${corelabCpuByThread || 'n/a'})`);
child.kill('SIGTERM');

// ---- Orthanc, the peer ----
let orthancSeconds: number | null = null;
let orthancCpu: number | null = null;
if (spawnSync('which', ['Orthanc']).status !== 0 && process.getuid?.() === 0) {
  console.log('installing orthanc (Debian package)...');
  spawnSync('apt-get', ['install', '-y', '-q', 'orthanc'], { stdio: 'ignore' });
}
if (spawnSync('which', ['Orthanc']).status === 0) {
  const odir = path.join(work, 'orthanc');
  mkdirSync(odir);
  const oport = 18042;
  writeFileSync(path.join(odir, 'orthanc.json'), JSON.stringify({ Name: 'bench', StorageDirectory: path.join(odir, 'db'), IndexDirectory: path.join(odir, 'db'), HttpPort: oport, DicomServerEnabled: false, RemoteAccessAllowed: false, AuthenticationEnabled: false, Plugins: [], ConcurrentJobs: 2 }));
  const orthanc = spawn('Orthanc', [path.join(odir, 'orthanc.json')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${oport}/system`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  const orthancCpuAtStart = cpuSeconds(orthanc.pid);
  t = performance.now();
  // Two uploads in flight, like the API run's two pool workers.
  let next = 0;
  await Promise.all([0, 1].map(async () => {
    while (next < files.length) {
      const b = files[next++];
      const r = await fetch(`http://127.0.0.1:${oport}/instances`, { method: 'POST', body: b });
      if (!r.ok) throw new Error(`orthanc: ${r.status}`);
    }
  }));
  orthancSeconds = (performance.now() - t) / 1000;
  orthancCpu = orthancCpuAtStart === null ? null : cpuSeconds(orthanc.pid)! - orthancCpuAtStart;
  console.log(`orthanc: ${orthancSeconds.toFixed(2)} s (${(SLICES / orthancSeconds).toFixed(0)} instances/s, ${(mb / orthancSeconds).toFixed(1)} MB/s), server CPU ${cpuText(orthancCpu)}`);
  orthanc.kill('SIGTERM');
} else {
  console.log('orthanc: not installed and could not be installed; peer comparison skipped');
}
rmSync(work, { recursive: true, force: true });

const value = SLICES / corelabSeconds;
const baseline = orthancSeconds ? { name: 'orthanc', value: SLICES / orthancSeconds } : { name: 'sha256sum', value: SLICES / shaSeconds };
console.log(JSON.stringify({
  bench: 'ingest', unit: 'instances/s', value: +value.toFixed(1), mbPerS: +(mb / corelabSeconds).toFixed(1),
  baseline: { name: baseline.name, value: +baseline.value.toFixed(1) }, ratio: +(value / baseline.value).toFixed(3),
  floor: { name: 'sha256sum', value: +(SLICES / shaSeconds).toFixed(1), ratioToFloor: +((SLICES / shaSeconds) / value).toFixed(2) },
  serverCpuSeconds: { corelab: corelabCpu === null ? null : +corelabCpu.toFixed(2), orthanc: orthancCpu === null ? null : +orthancCpu.toFixed(2) },
}));
process.exit(0);
