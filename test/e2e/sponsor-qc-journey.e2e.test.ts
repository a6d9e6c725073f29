// The web application end to end, in a real browser against a real platform (listening server, SQLite file, the
// built web/dist): a sponsor opens a visit and uploads it file by file with progress and a retry; QC reviews the
// queue, raises a query and fails a visit; the sponsor answers; QC resolves; the audit viewer shows all of it; a
// reader sees none of it. Assertions are on what is on screen, checked against the server's own state.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateImageQc } from '../../src/domain/qc/image-qc.js';
import { syntheticCtSeries, syntheticUid } from '../../src/demo/synthetic-ct-series.js';
import { SYSTEM_ACTOR } from '../../src/services/service-context.js';
import { createTimepoint, enrollSubject } from '../../src/services/trials.js';
import { TEST_PASSWORD, type TestPlatform, createTestPlatform, grant, seedTrial, seedUser } from '../helpers/test-platform.js';
import {
  type AppServer,
  type Browser,
  type Page,
  type Received,
  browserTestsUnavailable,
  expectCount,
  expectText,
  keysOf,
  launchChromium,
  listenOnLoopback,
  recordResponses,
  screenshot,
} from './browser.js';

const unavailable = browserTestsUnavailable();
if (unavailable) console.log(`browser tests skipped: ${unavailable}`);

describe.skipIf(unavailable !== null)('web application: sponsor upload, QC review, queries, audit (chromium)', () => {
  let p: TestPlatform;
  let server: AppServer;
  let origin: string;
  let browser: Browser;
  let trialId: string;
  let subject1: string;
  let subject2: string;
  let qcTimepoint: string;
  const ids: Record<string, string> = {};
  const pageErrors: string[] = [];

  beforeAll(async () => {
    p = await createTestPlatform({ runJobs: true });
    ({ server, origin } = await listenOnLoopback(p.app));

    await seedUser(p, 'root', { admin: true, verified: true });
    for (const u of ['sam', 'quinn', 'rita', 'rex']) ids[u] = (await seedUser(p, u)).id;
    const { trial, siteId } = await seedTrial(p, 'ONC-WEB');
    trialId = trial.id;
    await grant(p, trialId, ids.sam, 'sponsor');
    await grant(p, trialId, ids.quinn, 'qc');
    await grant(p, trialId, ids.rita, 'reader');
    await grant(p, trialId, ids.rex, 'reader');
    subject1 = (await enrollSubject(p.ctx, SYSTEM_ACTOR, trialId, { siteId, subjectCode: 'ONC001-0001' })).id;
    subject2 = (await enrollSubject(p.ctx, SYSTEM_ACTOR, trialId, { siteId, subjectCode: 'ONC001-0002' })).id;

    // The QC queue lists visits whose images were ingested. The ingest job has no handler on this branch yet, so a
    // second visit is seeded as ingest leaves it: received, with the image QC result the platform's own QC rules
    // compute for a 7.5 mm series against the charter (maximum 5 mm).
    const tp = await createTimepoint(p.ctx, SYSTEM_ACTOR, trialId, subject2, { visitCode: 'BASELINE', visitNum: 1, label: 'Baseline' });
    qcTimepoint = tp.id;
    const qc = evaluateImageQc({
      charter: {
        requirements: [{ modality: 'CT', maxSliceThicknessMm: 5 }],
        visits: [{ code: 'BASELINE', visitNum: 1, label: 'Baseline', dayOffset: 0, windowDays: 0 }],
      },
      visitCode: 'BASELINE',
      studyDate: '2026-01-05',
      baselineStudyDate: '2026-01-05',
      series: [{ seriesId: 'series-1', modality: 'CT', sliceThicknessMm: 7.5, kvp: 120, kernel: 'B30f', contrast: true, coverageMm: 400, volumeProblems: [], quarantined: 0, instances: 60 }],
    });
    expect(qc.outcome).toBe('fail');
    const at = new Date().toISOString();
    await p.ctx.db.updateTable('timepoints').set({ state: 'received', acquired_on: '2026-01-05', updated_at: at }).where('id', '=', tp.id).execute();
    await p.ctx.db
      .insertInto('qc_results')
      .values({ id: syntheticUid('qc-web'), trial_id: trialId, timepoint_id: tp.id, outcome: qc.outcome, findings_json: JSON.stringify(qc.findings), evaluated_at: at, override_by: null, override_reason: null, override_at: null })
      .execute();

    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
    await p?.dispose();
  });

  async function open(username: string): Promise<{ page: Page; received: Received[]; settled: () => Promise<void>; close: () => Promise<void> }> {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${username}: ${e.message}`));
    const rec = recordResponses(page, origin);
    await page.goto(`${origin}/app/`);
    await expectText(page.locator('h1'), /Log in to Corelab/);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expectText(page.locator('h1'), /Your trials/);
    return { page, ...rec, close: () => context.close() };
  }

  const nav = (page: Page) => page.getByRole('navigation', { name: 'Trial' });

  it('redirects / to the application and shows the login screen', async () => {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await expectText(page.locator('h1'), /Log in to Corelab/);
    expect(new URL(page.url()).pathname).toBe('/app/login');
    await page.getByLabel('Username').fill('sam');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expectText(page.getByRole('alert'), /Login failed: Invalid credentials/);
    await screenshot(page, '01-login');
    await context.close();
  });

  it('sponsor: subjects, opens a visit, uploads three DICOM files with progress and a retried failure, completes', async () => {
    const { page, close } = await open('sam');
    await expectText(page.getByRole('table'), /ONC-WEB[\s\S]*Trial ONC-WEB[\s\S]*sponsor/);
    await page.getByRole('link', { name: 'ONC-WEB' }).click();
    expect((await nav(page).getByRole('link').allInnerTexts()).slice(1)).toEqual(['Subjects and visits', 'Queries']);
    await screenshot(page, '02-sponsor-trial');

    await nav(page).getByRole('link', { name: 'Subjects and visits' }).click();
    await expectText(page.getByRole('table'), /ONC001-0001[\s\S]*ONC001-0002/);
    await screenshot(page, '03-sponsor-subjects');
    await page.getByRole('link', { name: 'ONC001-0001' }).click();
    await expectText(page.locator('h1'), /Subject ONC001-0001/);
    // Every visit of the charter, none opened yet; the sponsor opens the baseline visit.
    const baseline = page.locator('tr[data-visit="BASELINE"]');
    await expectText(baseline, /Baseline\s+BASELINE[\s\S]*not created/);
    await expectCount(page.locator('tbody tr'), 6);
    await page.getByRole('button', { name: 'Open visit Baseline' }).click();
    await expectText(baseline, /Baseline\s+BASELINE[\s\S]*expected[\s\S]*Upload images/);
    await screenshot(page, '04-sponsor-visits');
    await page.getByRole('link', { name: 'Upload images for Baseline' }).click();
    await expectText(page.locator('h1'), /Upload images: Baseline/);

    const series = syntheticCtSeries({
      patientName: 'WEB^TEST', patientId: 'WEB-1', birthDate: '19600101', studyDate: '20260105',
      studyInstanceUid: syntheticUid('web-study'), seriesInstanceUid: syntheticUid('web-series'), frameOfReferenceUid: syntheticUid('web-for'),
      columns: 64, rows: 64, slices: 3, lesions: [{ centerMm: [10, 5, 2.5], diameterMm: 12 }],
    });
    await page.getByLabel('DICOM files or zip archives').setInputFiles(series.map((buffer, i) => ({ name: `IM${i + 1}.dcm`, mimeType: 'application/dicom', buffer })));
    await expectCount(page.locator('tr[data-state="pending"]'), 3);
    await expectText(page.getByRole('button', { name: /Send \d+ files/ }), /Send 3 files/);

    // The first file request fails in the network (the browser drops it); the other two go through.
    let dropped = 0;
    await page.route(/\/uploads\/[^/]+\/files$/, async (route) => {
      if (dropped === 0) {
        dropped += 1;
        await route.abort('connectionreset');
      } else await route.continue();
    });
    await page.getByRole('button', { name: 'Send 3 files' }).click();
    await expectCount(page.locator('tr[data-state="sent"]'), 2);
    await expectCount(page.locator('tr[data-state="failed"]'), 1);
    const failed = page.locator('tr[data-state="failed"]');
    await expectText(failed, /failed\s+The server could not be reached/);
    await expectText(page.locator('p[aria-live="polite"]').last(), /2 of 3 files sent .* 1 failed: retry or remove them before completing/);
    expect(await page.getByRole('button', { name: 'Complete upload and start ingest' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Complete upload and start ingest' }).evaluate((b: { disabled: boolean }) => b.disabled)).toBe(true);
    await screenshot(page, '05-sponsor-upload-failed-file');

    await failed.getByRole('button', { name: /^Retry IM\d\.dcm$/ }).click();
    await expectCount(page.locator('tr[data-state="sent"]'), 3);
    await page.unroute(/\/uploads\/[^/]+\/files$/);
    // Every bar is full: the progress reached the file's size.
    for (let i = 0; i < series.length; i++) {
      const bar = await page.locator('tr[data-state="sent"] progress').nth(i).evaluate((el: { value: number; max: number }) => [el.value, el.max]);
      expect(bar).toEqual([series[i].length, series[i].length]);
    }
    await expectText(page.getByTestId('upload-state'), /open/);
    await expectText(page.locator('.panel').first(), /Files received\s+3 \(/);

    await page.getByRole('button', { name: 'Complete upload and start ingest' }).click();
    // the ingest starts as the completion commits, and two files may be done before the screen first looks
    await expectText(page.getByTestId('upload-state'), /processing|completed/);
    // The files stay listed, all sent, once the upload is closed; the drop zone is gone.
    await expectCount(page.locator('tr[data-state="sent"]'), 3);
    expect(await page.getByRole('button', { name: 'Choose files…' }).count()).toBe(0);
    const upload = await p.ctx.db.selectFrom('uploads').selectAll().where('timepoint_id', '=', (await p.ctx.db.selectFrom('timepoints').select('id').where('subject_id', '=', subject1).executeTakeFirstOrThrow()).id).executeTakeFirstOrThrow();
    expect(Number(upload.file_count)).toBe(3);
    // The ingest worker may finish between the screen and this read of the row (a race seen under load).
    expect(['processing', 'completed']).toContain(upload.state);
    // The ingest job as the server has it, or a later state (the worker runs on while the test reads the row): a
    // queued job says it waits for a worker rather than pretending.
    const job = await p.ctx.db.selectFrom('jobs').selectAll().where('id', '=', upload.job_id!).executeTakeFirstOrThrow();
    await expectText(page.getByTestId('ingest-job'), job.state === 'queued' ? /queued\s+0%\s+waiting for an ingest worker|running|succeeded/ : new RegExp(job.state === 'running' ? 'running|succeeded' : job.state));
    await screenshot(page, '06-sponsor-upload-complete');
    await close();
  });

  it('sponsor: a folder upload (clutter left out) survives a reload of the tab and is completed after it', async () => {
    const { page, close } = await open('sam');
    await page.goto(`${origin}/app/trials/${trialId}/subjects/${subject1}`);
    const week8 = page.locator('tr[data-visit="TP1"]');
    await expectText(week8, /Week 8\s+TP1[\s\S]*not created/);
    await page.getByRole('button', { name: 'Open visit Week 8' }).click();
    await page.getByRole('link', { name: 'Upload images for Week 8' }).click();
    await expectText(page.locator('h1'), /Upload images: Week 8/);

    const folder = path.join(mkdtempSync(path.join(os.tmpdir(), 'web-folder-')), 'WEEK8');
    mkdirSync(path.join(folder, 'SERIES1'), { recursive: true });
    const slices = syntheticCtSeries({
      patientName: 'WEB^TEST', patientId: 'WEB-1', birthDate: '19600101', studyDate: '20260302',
      studyInstanceUid: syntheticUid('web-study-2'), seriesInstanceUid: syntheticUid('web-series-2'), frameOfReferenceUid: syntheticUid('web-for-2'),
      columns: 64, rows: 64, slices: 2, lesions: [],
    });
    slices.forEach((buf, i) => writeFileSync(path.join(folder, 'SERIES1', `IM${i + 1}`), buf));
    writeFileSync(path.join(folder, '.DS_Store'), 'finder clutter');
    await page.getByLabel('Folder of DICOM files').setInputFiles(folder);
    await expectCount(page.locator('tr[data-state="pending"]'), 2);
    expect(await Promise.all([0, 1].map((i) => page.locator('tr[data-state="pending"]').nth(i).getAttribute('data-file')))).toEqual(['WEEK8/SERIES1/IM1', 'WEEK8/SERIES1/IM2']);
    await page.getByRole('button', { name: 'Send 2 files' }).click();
    await expectCount(page.locator('tr[data-state="sent"]'), 2);

    // The tab is reloaded before completing: the open upload is found again with its files on the server.
    await page.reload();
    await expectText(page.locator('h1'), /Upload images: Week 8/);
    await expectText(page.getByTestId('upload-state'), /open/);
    await expectText(page.locator('.panel').first(), /Files received\s+2 \(/);
    await expectCount(page.locator('tr[data-state]'), 0);
    await page.getByRole('button', { name: 'Complete upload and start ingest' }).click();
    // the ingest starts as the completion commits, and two files may be done before the screen first looks
    await expectText(page.getByTestId('upload-state'), /processing|completed/);
    const tp = await p.ctx.db.selectFrom('timepoints').select('id').where('subject_id', '=', subject1).where('visit_code', '=', 'TP1').executeTakeFirstOrThrow();
    const upload = await p.ctx.db.selectFrom('uploads').selectAll().where('timepoint_id', '=', tp.id).executeTakeFirstOrThrow();
    // The ingest worker may already have finished by the time this reads the row (a race seen under load).
    expect(['processing', 'completed']).toContain(upload.state);
    expect([Number(upload.file_count), Number(upload.bytes)]).toEqual([2, slices[0].length + slices[1].length]);
    // The screen follows the ingest job to its end (parse, de-identify, store, QC in the pool) and then shows
    // each file's outcome.
    await expectText(page.getByTestId('ingest-job'), /succeeded\s+100%/);
    await expectText(page.getByTestId('upload-state'), /completed/);
    const done = await p.ctx.db.selectFrom('uploads').select(['state', 'outcome_json']).where('id', '=', upload.id).executeTakeFirstOrThrow();
    expect(done.state).toBe('completed');
    expect(JSON.parse(done.outcome_json!).map((o: { outcome: string }) => o.outcome)).toEqual(['ingested', 'ingested']);
    await expectText(page.locator('main'), /ingested/);
    await close();
  });

  it('sponsor: a zip archive dropped on the drop zone is sent as application/zip', async () => {
    const { page, close } = await open('sam');
    await page.goto(`${origin}/app/trials/${trialId}/subjects/${subject1}`);
    await page.getByRole('button', { name: 'Open visit Week 16' }).click();
    await page.getByRole('link', { name: 'Upload images for Week 16' }).click();
    await expectText(page.locator('h1'), /Upload images: Week 16/);
    const slices = syntheticCtSeries({
      patientName: 'WEB^TEST', patientId: 'WEB-1', birthDate: '19600101', studyDate: '20260427',
      studyInstanceUid: syntheticUid('web-study-3'), seriesInstanceUid: syntheticUid('web-series-3'), frameOfReferenceUid: syntheticUid('web-for-3'),
      columns: 64, rows: 64, slices: 2, lesions: [],
    });
    const zip = Buffer.from(zipSync({ 'WEEK16/IM1': slices[0], 'WEEK16/IM2': slices[1] }));
    const sent: string[] = [];
    page.on('response', (r) => {
      if (/\/uploads\/[^/]+\/files$/.test(r.url())) sent.push(String(r.status()));
    });
    // A real drop event carrying the archive, as the browser fires it when a file is dragged from the desktop.
    await page.locator('.dropzone').evaluate((zone: any, b64: string) => {
      const w = globalThis as any; // the page's window (the test's type check has no DOM library)
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new w.DataTransfer();
      dt.items.add(new File([bytes], 'week16.zip', { type: 'application/zip' }));
      zone.dispatchEvent(new w.DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new w.DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, zip.toString('base64'));
    await expectCount(page.locator('tr[data-file="week16.zip"][data-state="pending"]'), 1);
    await page.getByRole('button', { name: 'Send 1 file' }).click();
    await expectCount(page.locator('tr[data-file="week16.zip"][data-state="sent"]'), 1);
    expect(sent).toEqual(['201']);
    const tp = await p.ctx.db.selectFrom('timepoints').select('id').where('subject_id', '=', subject1).where('visit_code', '=', 'TP2').executeTakeFirstOrThrow();
    const upload = await p.ctx.db.selectFrom('uploads').select('id').where('timepoint_id', '=', tp.id).executeTakeFirstOrThrow();
    const files = await p.ctx.db.selectFrom('upload_files').select(['content_type', 'bytes']).where('upload_id', '=', upload.id).execute();
    expect(files.map((f) => [f.content_type, Number(f.bytes)])).toEqual([['application/zip', zip.length]]);
    await close();
  });

  it('works from the keyboard: login, focus on each new screen, skip link', async () => {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    await page.goto(`${origin}/app/`);
    await expectText(page.locator('h1'), /Log in to Corelab/);
    const focused = () => page.evaluate(() => {
      const el = (globalThis as unknown as { document: { activeElement: { tagName: string; textContent: string | null; getAttribute(n: string): string | null } | null } }).document.activeElement;
      return el ? `${el.tagName.toLowerCase()}${el.getAttribute('name') ? `[${el.getAttribute('name')}]` : ''}: ${(el.textContent ?? '').trim().slice(0, 40)}` : '';
    });
    expect(await focused()).toBe('h1: Log in to Corelab');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('input[username]: ');
    await page.keyboard.type('quinn');
    await page.keyboard.press('Tab');
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await expectText(page.locator('h1'), /Your trials/);
    expect(await focused()).toBe('h1: Your trials');
    // On a page load, the first Tab reaches the skip link, which moves on to the main content.
    await page.goto(`${origin}/app/trials/${trialId}/qc`);
    await expectText(page.locator('h1'), /QC queue/);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('a: Skip to main content');
    await page.keyboard.press('Enter');
    expect(new URL(page.url()).hash).toBe('#main');
    expect(await focused()).toMatch(/^main: QC queue/);
    // Links in the trial navigation are reached and followed with the keyboard.
    await nav(page).getByRole('link', { name: 'Queries' }).evaluate((a: { focus(): void }) => a.focus());
    await page.keyboard.press('Enter');
    await expectText(page.locator('h1'), /Queries/);
    expect(await focused()).toBe('h1: Queries');
    await context.close();
  });

  it('QC: the queue with findings, a raised query, a failed visit; role-aware navigation', async () => {
    const { page, close } = await open('quinn');
    await page.getByRole('link', { name: 'ONC-WEB' }).click();
    expect((await nav(page).getByRole('link').allInnerTexts()).slice(1)).toEqual(['Subjects and visits', 'QC queue', 'Queries', 'Audit trail', 'Reader assignment', 'Final assessments', 'Reader statistics']);
    await nav(page).getByRole('link', { name: 'QC queue' }).click();
    const item = page.locator(`article[data-timepoint="${qcTimepoint}"]`);
    await expectText(item.locator('h2'), /ONC001-0002 · Baseline\s+received/);
    await expectText(item.getByRole('table'), /error\s+NO_SERIES_MEETS_REQUIREMENT[\s\S]*error\s+SLICE_TOO_THICK\s+slice thickness 7.5 mm exceeds 5 mm/);
    await expectText(item.locator('dl'), /QC outcome\s+fail/);
    await screenshot(page, '07-qc-queue');

    await item.getByLabel('Title').fill('Thin reconstructions needed');
    await item.getByLabel('Message').fill('Please send the 1.25 mm reconstruction of the baseline CT.');
    await item.getByRole('button', { name: 'Raise query' }).click();
    await expectText(item.locator('dl'), /Open queries\s+1/);

    await item.getByLabel('Fail (opens a query to the site)').check();
    await item.getByLabel('Reason (recorded in the audit trail)').fill('Slice thickness above the charter maximum');
    await item.getByRole('button', { name: 'Record decision' }).click();
    await expectText(item.locator('h2'), /qc failed/);
    await expectText(item.locator('dl'), /Open queries\s+2[\s\S]*Decision reason\s+Slice thickness above the charter maximum/);
    const tp = await p.ctx.db.selectFrom('timepoints').select('state').where('id', '=', qcTimepoint).executeTakeFirstOrThrow();
    expect(tp.state).toBe('qc_failed');
    await screenshot(page, '08-qc-decided');
    await close();
  });

  it('sponsor answers the query; QC sees the answer and resolves it', async () => {
    const sponsor = await open('sam');
    await sponsor.page.goto(`${origin}/app/trials/${trialId}/queries`);
    const query = sponsor.page.locator('article.query').filter({ hasText: 'Thin reconstructions needed' });
    await expectText(query, /Thin reconstructions needed\s+open[\s\S]*ONC001-0002 · Baseline[\s\S]*qc ·[\s\S]*Please send the 1.25 mm reconstruction/);
    await query.getByLabel('Your answer').fill('Uploaded again with 1.25 mm slices.');
    await query.getByRole('button', { name: 'Send answer' }).click();
    await expectText(query, /answered[\s\S]*sponsor ·[\s\S]*Uploaded again with 1.25 mm slices\./);
    expect(await query.getByRole('button', { name: 'Resolve' }).count()).toBe(0);
    await screenshot(sponsor.page, '09-sponsor-queries');
    await sponsor.close();

    const qc = await open('quinn');
    await qc.page.goto(`${origin}/app/trials/${trialId}/queries`);
    await qc.page.getByLabel('Show').selectOption('answered');
    const answered = qc.page.locator('article.query');
    await expectCount(answered, 1);
    await expectText(answered, /Thin reconstructions needed\s+answered/);
    await answered.getByLabel('Resolution reason').fill('Thin series received');
    await answered.getByRole('button', { name: 'Resolve' }).click();
    await expectText(qc.page.locator('main'), /No query is answered\./);
    await qc.page.getByLabel('Show').selectOption('resolved');
    await expectText(qc.page.locator('article.query'), /Thin reconstructions needed\s+resolved/);
    await screenshot(qc.page, '10-qc-queries');
    await qc.close();
  });

  it('audit trail: the events of the journey, filters, paging; an administrator verifies the chain', async () => {
    const { page, close } = await open('quinn');
    await page.goto(`${origin}/app/trials/${trialId}/audit`);
    const rows = page.locator('table.audit > tbody > tr');
    const actions = async () => Promise.all(Array.from({ length: await rows.count() }, (_, i) => rows.nth(i).getAttribute('data-action')));
    await expectText(page.getByRole('table'), /upload\.complete/);
    const all = await actions();
    for (const a of ['subject.enroll', 'timepoint.create', 'upload.create', 'upload.files_received', 'upload.complete', 'query.open', 'qc.fail', 'query.message', 'query.resolve']) expect(all).toContain(a);
    // The actions on screen are the server's trail for this trial, in order.
    const trail = await p.ctx.db.selectFrom('audit_events').select(['action', 'seq']).where('trial_id', '=', trialId).orderBy('seq').limit(50).execute();
    expect(all).toEqual(trail.map((e) => e.action));
    await screenshot(page, '11-audit-trail');

    await page.getByLabel('Entity type').fill('query');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expectCount(page.locator('table.audit > tbody > tr[data-action^="upload"]'), 0);
    expect(new Set(await actions())).toEqual(new Set(['query.open', 'query.message', 'query.resolve']));

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Per page').selectOption('10');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const range = (from: number, to: number) => new RegExp(`Page \\d: events ${trail[from].seq}–${trail[to].seq}`);
    await expectText(page.getByRole('navigation', { name: 'Audit pages' }), range(0, 9));
    const total = await p.ctx.db.selectFrom('audit_events').select(({ fn }) => fn.countAll<number>().as('n')).where('trial_id', '=', trialId).executeTakeFirstOrThrow();
    expect(Number(total.n)).toBeGreaterThan(10);
    await page.getByRole('button', { name: 'Next page' }).click();
    await expectText(page.getByRole('navigation', { name: 'Audit pages' }), range(10, 19));
    expect(await actions()).toEqual(trail.slice(10, 20).map((e) => e.action));
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expectText(page.getByRole('navigation', { name: 'Audit pages' }), range(0, 9));
    expect(await actions()).toEqual(trail.slice(0, 10).map((e) => e.action));
    expect(await page.getByRole('button', { name: 'Verify the whole audit chain' }).count()).toBe(0);
    await close();

    const admin = await open('root');
    await expectText(admin.page.getByRole('table'), /ONC-WEB[\s\S]*none \(administrator access\)/);
    await admin.page.goto(`${origin}/app/trials/${trialId}/audit`);
    await admin.page.getByRole('button', { name: 'Verify the whole audit chain' }).click();
    await expectText(admin.page.getByTestId('chain-result'), /intact\s+\d+ events checked up to #\d+/);
    await screenshot(admin.page, '12-admin-audit-verified');
    await admin.close();
  });

  it('a revoked session sends the user back to login with the reason, then back where they were', async () => {
    const { page, close } = await open('quinn');
    await page.getByRole('link', { name: 'ONC-WEB' }).click();
    await expectText(page.locator('h1'), /ONC-WEB: Trial ONC-WEB/);
    // The session ends on the server (as after an idle timeout or an administrator's revocation).
    const token = await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('corelab.token'));
    expect((await p.request('POST', '/auth/logout', { token: token! })).status).toBe(204);
    await nav(page).getByRole('link', { name: 'QC queue' }).click();
    await expectText(page.locator('h1'), /Log in to Corelab/);
    await expectText(page.getByRole('status'), /Your session has ended \(.+\)\. Please log in again\./);
    expect(new URL(page.url()).searchParams.get('next')).toBe(`/trials/${trialId}/qc`);
    await screenshot(page, '13-session-expired');
    await page.getByLabel('Username').fill('quinn');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expectText(page.locator('h1'), /QC queue/);
    await close();
  });

  it('a reader sees no sponsor or QC screen, and no response carries a site, an arm or another reader', async () => {
    const { page, received, settled, close } = await open('rita');
    await page.getByRole('link', { name: 'ONC-WEB' }).click();
    await expectText(page.locator('main'), /Your roles\s+reader[\s\S]*Reading worklist/);
    expect(await nav(page).getByRole('link').allInnerTexts()).toEqual(['ONC-WEB', 'Reading worklist']);
    await screenshot(page, '14-reader-trial');
    // Opening a sponsor or QC screen by its address is refused by the application before any request is made.
    for (const screen of ['subjects', 'qc', 'queries', 'audit', `subjects/${subject1}`]) {
      await page.goto(`${origin}/app/trials/${trialId}/${screen}`);
      await expectText(page.locator('h1'), /Not available for your role/);
    }
    await settled();
    expect(received.length).toBeGreaterThan(0);
    // Every call the application made was one the reader may make: nothing refused, nothing outside the trial.
    expect(received.filter((r) => r.status >= 400)).toEqual([]);
    const forbiddenKeys = /^(site|siteId|siteCode|arm|armCode|treatmentArm|randomization)$/i;
    const leaks = received.flatMap((r) => keysOf(r.body).filter((k) => forbiddenKeys.test(k.key)).map((k) => `${r.method} ${r.path}: ${k.path}`));
    expect(leaks).toEqual([]);
    // The other reader appears nowhere (not by id, username or name).
    const text = JSON.stringify(received.map((r) => r.body));
    for (const needle of [ids.rex, 'rex (test)', '"rex"']) expect(text).not.toContain(needle);
    await close();
  });

  it('raised no script error in any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
