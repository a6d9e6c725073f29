// `corelab demo`: the whole platform end to end on a fresh data folder, through its HTTP API on a loopback port.
// Users (identity verified by a second administrator), a trial and site, synthetic CT series as real DICOM
// uploaded by the sponsor (de-identified, stored, QC'd and released by the ingest jobs in the worker pool), two
// scripted readers measuring with AI segmentation (a click at the lesion, then propagation at follow-up; accept or
// edit) and an adjudicator signing through the reading API, then a biostatistician's SDTM data cut and
// read reports, all written to the output folder with a summary.
import { randomBytes } from 'node:crypto';
import { passwordProblems } from '../domain/password-policy.js';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { loadConfig } from '../config.js';
import { PLATFORM_VERSION, openPlatform } from '../main.js';
import { createUser } from '../services/accounts.js';
import { ACCEPT_WITHIN_MM, type AiReadingStats, type LesionMemory, emptyAiStats, withAiMeasurements } from './demo-ai-reading.js';
import { DemoClient } from './demo-client.js';
import { DEMO_VISITS, type DemoSubject, demoSubjects, mulberry32, scriptedRead, visibleLesions } from './demo-scenario.js';
import { syntheticCtSeries, syntheticUid } from './synthetic-ct-series.js';

export interface DemoOptions {
  outDir: string;
  subjects: number;
  /** progress lines (stderr in the CLI) */
  log?: (line: string) => void;
  /** the environment the platform's configuration is read from (DATA_DIR and the database are the demo's own) */
  env?: NodeJS.ProcessEnv;
  /** synthetic series size (default 128 x 128 x 40) */
  matrix?: number;
  slices?: number;
}

export interface DemoSummary {
  trial: string;
  subjects: number;
  visits: number;
  instances: number;
  readsSigned: number;
  adjudications: number;
  adjudicatedSubjects: number;
  adjudicationRate: number;
  measurements: string;
  /** the readers' use of AI segmentation (null when the build has none) */
  ai: AiReadingStats | null;
  export: { id: string; state: string; cutoff: string; files: Array<{ name: string; sha256: string; sizeBytes: number }> };
  reports: Array<{ subject: string; file: string; sha256: string }>;
  dataDir: string;
  login: { username: string; password: string };
  seconds: number;
}

const PERSONS = {
  admin: { username: 'admin', displayName: 'Ada Admin' },
  admin2: { username: 'admin2', displayName: 'Ben Second-Admin' },
  sponsor: { username: 'sponsor', displayName: 'Sam Sponsor' },
  qc: { username: 'qc', displayName: 'Quinn Qc' },
  reader1: { username: 'reader1', displayName: 'Dr Rita Reader' },
  reader2: { username: 'reader2', displayName: 'Dr Raj Reader' },
  adjudicator: { username: 'adjudicator', displayName: 'Dr Alma Adjudicator' },
  biostatistician: { username: 'biostat', displayName: 'Bea Biostatistician' },
} as const;

/** One password for every demo user that the policy accepts for each of them (a random one may contain "qc"). */
function demoPassword(): string {
  for (;;) {
    const candidate = `Demo-${randomBytes(9).toString('base64url')}`;
    if (Object.values(PERSONS).every((u) => passwordProblems(candidate, u.username, 0).length === 0)) return candidate;
  }
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (iso: string, days: number) => isoDate(new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000));

export async function runDemo(opts: DemoOptions): Promise<DemoSummary> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const outDir = path.resolve(opts.outDir);
  const dataDir = path.join(outDir, 'data');
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) throw new Error(`${dataDir} already holds a platform; give the demo an empty --out folder`);
  await mkdir(dataDir, { recursive: true });
  const password = demoPassword();
  const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  // The demo's platform is its own: SQLite in the demo folder, its own signing key (generated into DATA_DIR).
  delete env.DATABASE_URL;
  delete env.DATABASE_SCHEMA;
  delete env.CORELAB_SECRET_KEY;
  delete env.CORELAB_CRASH_AT;
  // Every signature re-asks the password; the production scrypt cost (2^17) would dominate a laptop demo.
  env.CORELAB_SCRYPT_LOG_N ??= '14';
  const platform = await openPlatform(loadConfig(env), { runJobs: true });
  const server = serve({ fetch: platform.app.fetch, port: 0, hostname: '127.0.0.1' });
  try {
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    log(`platform listening on ${base}, data in ${dataDir}`);
    const api = new DemoClient(base);
    const hasSegmentation = platform.registry.contract.operations.has('post /trials/{trialId}/series/{seriesId}/segmentations');

    // ---- people: the first administrator from the command line, everyone else through the API -----------------
    await createUser(platform.ctx, { userId: null, name: 'corelab demo', role: 'operator' }, { ...PERSONS.admin, password, isAdmin: true });
    const admin = await api.login(PERSONS.admin.username, password);
    const ids: Record<string, string> = {};
    ids.admin = (await admin.json('GET', '/me')).user.id;
    for (const [key, p] of Object.entries(PERSONS)) {
      if (key === 'admin') continue;
      ids[key] = (await admin.json('POST', '/users', { ...p, password, isAdmin: key === 'admin2' })).id;
    }
    const admin2 = await api.login(PERSONS.admin2.username, password);
    // §11.100: identity verified by another administrator before anyone can sign.
    await admin2.json('POST', `/users/${ids.admin}/verify-identity`, { reason: 'demo: identity document checked in person' });
    for (const key of Object.keys(PERSONS)) {
      if (key === 'admin') continue;
      await admin.json('POST', `/users/${ids[key]}/verify-identity`, { reason: 'demo: identity document checked in person' });
    }
    log('users created and identity-verified');

    // ---- trial ------------------------------------------------------------------------------------------------
    const trial = await admin.json('POST', '/trials', { code: 'DEMO-ONC-001', title: 'Demo oncology trial (synthetic CT)', sponsorName: 'Demo Pharma', protocol: 'bicr-recist-1.1' });
    const site = await admin.json('POST', `/trials/${trial.id}/sites`, { code: 'S01', name: 'Demo site 01' });
    for (const [key, role] of [['sponsor', 'sponsor'], ['qc', 'qc'], ['reader1', 'reader'], ['reader2', 'reader'], ['adjudicator', 'adjudicator'], ['biostatistician', 'biostatistician']] as const) {
      await admin.json('POST', `/trials/${trial.id}/members`, { userId: ids[key], role, ...(role === 'sponsor' ? { siteId: site.id } : {}) });
    }
    await admin.json('POST', `/trials/${trial.id}/protocol/approve`, { password });
    log(`trial ${trial.code} created, charter approved`);

    // ---- imaging: the sponsor uploads each visit's series ------------------------------------------------------
    const sponsor = await api.login(PERSONS.sponsor.username, password);
    const plan = demoSubjects(opts.subjects);
    const bySubjectId = new Map<string, DemoSubject>();
    const jobs: string[] = [];
    let instances = 0;
    for (const [i, s] of plan.entries()) {
      const subject = await sponsor.json('POST', `/trials/${trial.id}/subjects`, { siteId: site.id, subjectCode: s.code });
      bySubjectId.set(subject.id, s);
      // Name the readers up front: the scripted reader 1 is then RADIOLOGIST 1 in the export for every subject
      // (left to the load balancer, ties between equally loaded readers fall either way).
      await admin.json('PUT', `/trials/${trial.id}/subjects/${subject.id}/readers`, { readerIds: [ids.reader1, ids.reader2] });
      const baselineDate = addDays('2025-01-06', 7 * i);
      for (const [k, v] of DEMO_VISITS.entries()) {
        const date = addDays(baselineDate, v.dayOffset);
        const tp = await sponsor.json('POST', `/trials/${trial.id}/subjects/${subject.id}/timepoints`, { visitCode: v.code, visitNum: v.visitNum, label: v.label, scheduledOn: date });
        const files = syntheticCtSeries({
          patientName: `DEMO^PATIENT${i + 1}`,
          patientId: `MRN${1000 + i}`,
          birthDate: '19580314',
          studyDate: date.replace(/-/g, ''),
          studyInstanceUid: syntheticUid(`${s.code}/${v.code}/study`),
          seriesInstanceUid: syntheticUid(`${s.code}/${v.code}/series`),
          frameOfReferenceUid: syntheticUid(`${s.code}/${v.code}/for`),
          columns: opts.matrix ?? 128,
          rows: opts.matrix ?? 128,
          slices: opts.slices ?? 40,
          pixelSpacingMm: 2.5,
          sliceThicknessMm: 5,
          lesions: visibleLesions(s, k),
          seed: 1000 * i + k + 1,
          extra: { InstitutionName: 'Demo General Hospital', ReferringPhysicianName: 'DEMO^REFERRER' },
        });
        instances += files.length;
        const upload = await sponsor.json('POST', `/trials/${trial.id}/uploads`, { subjectId: subject.id, timepointId: tp.id });
        const form = new FormData();
        files.forEach((b, n) => form.append('files', new Blob([new Uint8Array(b)], { type: 'application/dicom' }), `${v.code}-${n}.dcm`));
        const sent = await sponsor.raw('POST', `/trials/${trial.id}/uploads/${upload.id}/files`, { body: form });
        if (sent.status !== 201) throw new Error(`upload of ${s.code} ${v.code} failed: ${sent.status} ${await sent.text()}`);
        jobs.push((await sponsor.json('POST', `/trials/${trial.id}/uploads/${upload.id}/complete`)).id);
      }
      log(`${s.code} (${s.pattern}${s.discordant ? ', discordant readers' : ''}): ${DEMO_VISITS.length} visits uploaded`);
    }
    for (const j of jobs) await sponsor.waitForJob(j);
    for (const subjectId of bySubjectId.keys()) {
      const visits = await sponsor.json('GET', `/trials/${trial.id}/subjects/${subjectId}/visits`);
      const notReleased = visits.filter((v: any) => v.timepointId && v.state !== 'released');
      if (notReleased.length > 0) throw new Error(`visits not released after ingest and QC: ${JSON.stringify(notReleased)}`);
    }
    log(`${instances} DICOM instances ingested, de-identified, QC passed and released for reading`);

    // ---- reading: two scripted readers and an adjudicator, through the reading API ------------------------------
    const readers = [await api.login(PERSONS.reader1.username, password), await api.login(PERSONS.reader2.username, password)];
    const adjudicator = await api.login(PERSONS.adjudicator.username, password);
    const rands = [mulberry32(11), mulberry32(22)];
    // each reader remembers their own segmentations, to follow their lesions into the next visit
    const memories: LesionMemory[] = [new Map(), new Map()];
    const ai = emptyAiStats();
    let readsSigned = 0;
    let adjudications = 0;
    const adjudicatedSubjects = new Set<string>();
    for (let round = 0; ; round++) {
      if (round > 200) throw new Error('reading did not finish');
      let progress = false;
      for (const [n, reader] of readers.entries()) {
        const tasks = await reader.json('GET', '/me/tasks');
        for (const task of tasks.filter((x: any) => x.kind === 'read' && (x.state === 'open' || x.state === 'draft'))) {
          const s = bySubjectId.get(task.subject.id)!;
          const visitIndex = task.timepoint.label === 'BASELINE' ? 0 : Number(String(task.timepoint.label).replace('TP', ''));
          const scripted = scriptedRead(s, visitIndex, (n + 1) as 1 | 2, rands[n]);
          const content = hasSegmentation ? await withAiMeasurements(reader, trial.id, task.timepoint.id, s, scripted, memories[n], ai) : scripted;
          const url = `/trials/${trial.id}/reads/${task.id}`;
          const draft = await reader.json('PUT', `${url}/draft`, content);
          if (draft.live?.problems?.length) throw new Error(`${s.code} ${task.timepoint.label}: the read has problems: ${JSON.stringify(draft.live.problems)}`);
          await reader.json('POST', `${url}/sign`, { password });
          readsSigned++;
          progress = true;
        }
      }
      const adjTasks = (await adjudicator.json('GET', '/me/tasks')).filter((x: any) => x.kind === 'adjudication' && x.state === 'open');
      for (const task of adjTasks) {
        const a = await adjudicator.json('GET', `/trials/${trial.id}/adjudications/${task.id}`);
        const s = bySubjectId.get(task.subject.id)!;
        const chosen = closerToTruth(s, a);
        await adjudicator.json('POST', `/trials/${trial.id}/adjudications/${task.id}/decision`, {
          chosenReaderNo: chosen,
          rationale: `reader ${chosen}'s measurements match the lesion margins on review`,
          cause: 'measurement',
          password,
        });
        adjudications++;
        adjudicatedSubjects.add(s.code);
        progress = true;
      }
      if (!progress) break;
    }
    log(`${readsSigned} reads signed, ${adjudications} adjudications decided (${adjudicatedSubjects.size} subjects)`);
    if (hasSegmentation) log(`AI proposals: ${ai.proposals} (${ai.accepted} accepted, ${ai.edited} edited); lesions followed into later visits: ${ai.found} of ${ai.propagated} found`);

    // ---- the biostatistician's data cut and the read reports ----------------------------------------------------
    const bio = await api.login(PERSONS.biostatistician.username, password);
    const cutoff = isoDate(platform.ctx.now());
    const job = await bio.json('POST', `/trials/${trial.id}/exports`, { cutoff });
    await bio.waitForJob(job.id);
    const row = (await bio.json('GET', `/trials/${trial.id}/exports`)).find((e: any) => e.jobId === job.id);
    const exp = await bio.json('GET', `/trials/${trial.id}/exports/${row.id}`);
    if (exp.state !== 'passed') {
      await writeFile(path.join(outDir, 'conformance-findings.json'), `${JSON.stringify(exp.findings, null, 2)}\n`);
      const errors = (exp.findings ?? []).filter((f: any) => f.severity === 'error');
      throw new Error(`the export failed its conformance check (${errors.length} errors, see ${path.join(outDir, 'conformance-findings.json')}): ${errors.slice(0, 5).map((f: any) => `${f.code}: ${f.message}`).join('; ')}`);
    }
    for (const f of [...exp.manifest.files.map((x: any) => x.name), 'manifest.json']) {
      const { bytes } = await bio.bytes(`/trials/${trial.id}/exports/${exp.id}/files/${f}`);
      await writeFile(path.join(outDir, f), bytes);
    }
    await mkdir(path.join(outDir, 'reports'), { recursive: true });
    const reports: DemoSummary['reports'] = [];
    for (const [subjectId, s] of bySubjectId) {
      const { bytes, sha256 } = await bio.bytes(`/trials/${trial.id}/subjects/${subjectId}/read-report.pdf`);
      const file = path.join('reports', `${s.code}.pdf`);
      await writeFile(path.join(outDir, file), bytes);
      reports.push({ subject: s.code, file, sha256: sha256 ?? '' });
    }
    log(`export ${exp.id} passed its conformance check; files and read reports written to ${outDir}`);

    const summary: DemoSummary = {
      trial: trial.code,
      subjects: plan.length,
      visits: plan.length * DEMO_VISITS.length,
      instances,
      readsSigned,
      adjudications,
      adjudicatedSubjects: adjudicatedSubjects.size,
      adjudicationRate: plan.length ? adjudicatedSubjects.size / plan.length : 0,
      measurements: hasSegmentation
        ? `AI-assisted: ${ai.proposals} proposals, ${ai.accepted} accepted and ${ai.edited} edited by the readers (accepted within ${ACCEPT_WITHIN_MM} mm of their own reading); ${ai.found} of ${ai.propagated} lesions found again at follow-up by propagation`
        : 'manual: AI segmentation is not available in this platform build (no segmentation operation in openapi.yaml)',
      ai: hasSegmentation ? ai : null,
      export: { id: exp.id, state: exp.state, cutoff, files: exp.manifest.files.map((f: any) => ({ name: f.name, sha256: f.sha256, sizeBytes: f.sizeBytes })) },
      reports,
      dataDir,
      login: { username: PERSONS.admin.username, password },
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    await writeFile(path.join(outDir, 'summary.json'), `${JSON.stringify({ ...summary, login: { username: summary.login.username } }, null, 2)}\n`);
    return summary;
  } finally {
    server.close();
    await platform.close();
  }
}

/** The adjudicator picks the reader whose measurements at the compared timepoint are closer to the truth. */
function closerToTruth(s: DemoSubject, adjudication: any): 1 | 2 {
  const error = (reads: any[]): number => {
    const last = reads.at(-1);
    if (!last) return Number.POSITIVE_INFINITY;
    const label = String(last.timepoint?.label ?? 'BASELINE');
    const k = label === 'BASELINE' ? 0 : Number(label.replace('TP', ''));
    let sum = 0;
    for (const t of last.content?.targets ?? []) {
      const truth = s.lesions.find((l) => l.id === t.id)?.trueMm[k] ?? 0;
      sum += Math.abs((t.measurement?.finalMm ?? 0) - truth);
    }
    return sum;
  };
  return error(adjudication.reads?.reader1 ?? []) <= error(adjudication.reads?.reader2 ?? []) ? 1 : 2;
}

/** The summary as the CLI prints it. */
export function formatSummary(s: DemoSummary, outDir: string): string {
  const lines = [
    `Corelab demo: trial ${s.trial}`,
    `  subjects ${s.subjects}, visits ${s.visits}, DICOM instances ${s.instances}`,
    `  reads signed ${s.readsSigned}, adjudications ${s.adjudications} (${s.adjudicatedSubjects} of ${s.subjects} subjects, rate ${(100 * s.adjudicationRate).toFixed(0)} %)`,
    `  measurements: ${s.measurements}`,
    `  export ${s.export.id} (cut-off ${s.export.cutoff}): ${s.export.state}`,
    ...s.export.files.map((f) => `    ${f.sha256}  ${f.name}`),
    `  read reports: ${s.reports.length} in ${path.join(outDir, 'reports')}`,
    `  finished in ${s.seconds} s; everything is in ${outDir}`,
    `  explore it: DATA_DIR=${s.dataDir} npx corelab serve, then log in as ${s.login.username} / ${s.login.password}`,
  ];
  return `${lines.join('\n')}\n`;
}
