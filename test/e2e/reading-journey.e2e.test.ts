// Blinded central review in a real browser against a real platform: an administrator names a subject's readers;
// the sponsor's two visits (synthetic CT with lesions of known size) are uploaded through the API, ingested, pass
// QC and are released for reading; two readers each read baseline and one follow-up in the image viewer
// (streamed slices, window presets, scrolling, linked panes; AI segmentation where the server offers it) and sign
// (one AI proposal edited, one correction of a signed read); their responses disagree, which opens an
// adjudication; the adjudicator compares the reads side by side with the images, chooses and signs; QC sees the
// final assessment and the reader statistics as charts. Reader 2's whole session is recorded and scanned for
// anything that would unblind them. The trial and other subjects are seeded with the reading fixture.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AI_SOURCE, type ReadingTrial, STANDARD_VISITS, addSubject, baseline, followup, readIdOf, releaseTimepoint, seedReadingCase, setupReadingTrial } from '../helpers/reading-fixture.js';
import { uploadVisitThroughApi } from '../helpers/ingest-fixture.js';
import { TEST_PASSWORD, type TestPlatform, createTestPlatform, grant, seedUser } from '../helpers/test-platform.js';
import { type AppServer, type Browser, type Locator, type Page, type Received, browserTestsUnavailable, expectCount, expectText, keysOf, launchChromium, listenOnLoopback, recordResponses, screenshot } from './browser.js';

const unavailable = browserTestsUnavailable();
if (unavailable) console.log(`browser tests skipped: ${unavailable}`);

const SITE_NAME = 'Hospital of Arm B';
/** Reader 1's own words and values: reader 2 must never receive them. */
const R1_NOTE = 'R1-PRIVATE-NOTE recheck segment';
const R1_LOCATION = 'segment VII posterior R1-LOC';
const R1_AI_MM = 31.5;
/** What each reader recorded at TP1 for T2 with the AI (read from the screen); the rest of the sums is typed around it. */
const aiT2Mm: Record<1 | 2, number> = { 1: 0, 2: 0 };
const mmRe = (mm: number) => String(mm).replace('.', '\\.');
/**
 * The two visits' CT: 40 slices of 128×128 at 2.5 mm, 5 mm apart (z 0..195 mm); a lung lesion at slice 20 that
 * shrinks from 30 mm to 20 mm, and a liver lesion.
 */
const SERIES = (visit: number) => ({
  slices: 40, columns: 128, rows: 128, pixelSpacingMm: 2.5, sliceThicknessMm: 5,
  lesions: [{ centerMm: [40, 0, 100] as [number, number, number], diameterMm: visit === 0 ? 30 : 20 }, { centerMm: [-30, 20, 100] as [number, number, number], diameterMm: visit === 0 ? 36 : 16, hu: 90 }],
});

describe.skipIf(unavailable !== null)('web application: reading, adjudication, reader statistics (chromium)', () => {
  let p: TestPlatform;
  let server: AppServer;
  let origin: string;
  let browser: Browser;
  let t: ReadingTrial;
  let subjectId: string;
  let tps: string[];
  let ada: string;
  let ben: string;
  let sponsorToken: string;
  /** the scan dates as ingest recorded them (de-identification shifts the DICOM dates) */
  let scanDates: string[] = [];
  const pageErrors: string[] = [];
  /** every refused API call of every session, as "user: METHOD path status" */
  const refused: string[] = [];

  beforeAll(async () => {
    p = await createTestPlatform({ runJobs: true });
    ({ server, origin } = await listenOnLoopback(p.app));
    t = await setupReadingTrial(p, { code: 'BICR-WEB', siteName: SITE_NAME, usernames: { readers: ['ada', 'ben'], adjudicators: ['cleo'] } });
    [ada, ben] = t.readers.map((u) => u.id);
    const quinn = await seedUser(p, 'quinn');
    await grant(p, t.trialId, quinn.id, 'qc');
    ({ subjectId, timepointIds: tps } = await addSubject(p, t, 'RW-001', STANDARD_VISITS.slice(0, 2)));
    const sally = await seedUser(p, 'sally');
    await grant(p, t.trialId, sally.id, 'sponsor');
    sponsorToken = await p.login('sally');
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
    // Console errors include Content-Security-Policy violations (a chart library injecting styles, say) and
    // failed requests: the journey has neither.
    page.on('console', (m) => {
      // A refused request is reported by the browser as a console error too; those are checked below, by path.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource: the server responded with a status of')) pageErrors.push(`${username} console: ${m.text()}`);
    });
    const rec = recordResponses(page, origin);
    // A refused call is printed with the server's problem, so a failure says why (the console only has the status).
    page.on('response', (r) => {
      if (r.status() < 400) return;
      refused.push(`${username}: ${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
      void r.text().then((body) => console.log(`${username}: ${r.request().method()} ${new URL(r.url()).pathname} ${r.status()} ${body}`), () => undefined);
    });
    await page.goto(`${origin}/app/`);
    await expectText(page.locator('h1'), /Log in to Corelab/);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expectText(page.locator('h1'), /Your trials/);
    await page.getByRole('link', { name: 'BICR-WEB' }).click();
    await expectText(page.locator('h1'), /BICR-WEB: Trial BICR-WEB/);
    return { page, ...rec, close: () => context.close() };
  }

  const nav = (page: Page) => page.getByRole('navigation', { name: 'Trial' });
  /** Waits until the element with the keyboard focus, as "tag: text", matches. */
  const expectFocus = async (page: Page, expected: RegExp) => {
    const until = Date.now() + 5000;
    let last = '';
    while (Date.now() < until) {
      last = await focused(page);
      if (expected.test(last)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(last.slice(0, 120), 'focused element').toMatch(expected);
  };
  /** The element that has the keyboard focus, as "tag: text". */
  const focused = (page: Page) =>
    page.evaluate(() => {
      const el = (globalThis as unknown as { document: { activeElement: { tagName: string; textContent: string | null } | null } }).document.activeElement;
      return el ? `${el.tagName.toLowerCase()}: ${(el.textContent ?? '').trim().replace(/\s+/g, ' ')}` : '';
    });
  const saved = (page: Page) => expectText(page.getByTestId('save-state'), /Draft saved at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  const complete = async (page: Page) => {
    try {
      await expectText(page.locator('aside'), /Complete: nothing keeps this read from being signed\./);
    } catch (e) {
      // Say what the screen said about saving (the server's refusal, if any) along with the panel's text.
      const errors = await page.locator('[role="alert"]').allInnerTexts();
      throw new Error(`${(e as Error).message}\nsave state: ${await page.getByTestId('save-state').innerText()}\nalerts: ${errors.join(' | ') || 'none'}`);
    }
  };
  const row = (page: Page, testId: string, lesion: string): Locator => page.getByTestId(testId).locator(`tr[data-lesion="${lesion}"]`);
  /** Pixels of a viewport's canvas brighter than near-black: what cornerstone drew (CPU rendering here: no GPU). */
  const brightPixels = (page: Page, side: 'current' | 'previous') =>
    page
      .getByTestId(`viewport-${side}`)
      .locator('canvas')
      .first()
      .evaluate((c: any) => {
        const ctx = c.getContext('2d');
        if (!ctx) return -1;
        const { data } = ctx.getImageData(0, 0, c.width, c.height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 90) n++;
        return n;
      });
  const sliceText = (page: Page, side: 'current' | 'previous', k: number) => expectText(page.getByTestId(`slice-${side}`), new RegExp(`^Slice ${k} / 40$`));
  /** Clicks a point of the current viewport given as a voxel (i, j) of the 128×128 series (the image fills it). */
  const clickVoxel = async (page: Page, i: number, j: number) => {
    const box = (await page.getByTestId('viewport-current').boundingBox())!;
    await page.mouse.click(box.x + (box.width * (i + 0.5)) / 128, box.y + (box.height * (j + 0.5)) / 128);
  };

  async function openTask(page: Page, label: string) {
    await nav(page).getByRole('link', { name: 'Reading worklist' }).click();
    await expectText(page.locator('h1'), /Reading worklist/);
    await page.getByRole('link', { name: new RegExp(`^Open read .* ${label}$`) }).click();
    await expectText(page.locator('h1'), new RegExp(`^Read · Subject [0-9a-f]{8} · ${label}$`));
  }

  async function sign(page: Page, statement: RegExp, signer: string) {
    const form = page.getByTestId('sign-form');
    await expectText(form, statement);
    await expectText(form, new RegExp(`Signing as ${signer}\\.`));
    await form.getByLabel('Password (asked for every signature)').fill(TEST_PASSWORD);
    await form.getByRole('button', { name: 'Sign read' }).click();
    await expectText(page.getByTestId('read-facts'), /State:?\s+signed/);
    await expectText(page.getByTestId('signature').first(), new RegExp(`${signer}, \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(UTC\\), authored`));
    // The form is gone: the focus is on the signature now shown.
    await expectFocus(page, /^h2: Signature · version \d+$/);
  }

  it('an administrator names the subject\'s readers before its reading starts', async () => {
    const { page, close } = await open('adm-bicrweb');
    await nav(page).getByRole('link', { name: 'Reader assignment' }).click();
    const r = page.locator('tr[data-subject="RW-001"]');
    await expectText(r, /RW-001\s+not started\s+not assigned/);
    await r.getByLabel('Reader 1 of RW-001').selectOption(ada);
    await r.getByLabel('Reader 2 of RW-001').selectOption(ben);
    await r.getByRole('button', { name: 'Assign readers' }).click();
    await expectText(r, /Reader 1: ada \(test\); Reader 2: ben \(test\)/);
    await screenshot(page, '20-reader-assignment');
    const rows = await p.ctx.db.selectFrom('reader_assignments').select(['reader_no', 'user_id']).where('subject_id', '=', subjectId).orderBy('reader_no').execute();
    expect(rows.map((x) => [Number(x.reader_no), x.user_id])).toEqual([[1, ada], [2, ben]]);
    await close();

    // The sponsor uploads both visits; ingest, image QC and release run in the pool (the reading tasks are created).
    for (const [i, v] of STANDARD_VISITS.slice(0, 2).entries()) {
      const { outcome } = await uploadVisitThroughApi(p, { trialId: t.trialId, subjectId, timepointId: tps[i], token: sponsorToken, studyDate: v.acquiredOn.replace(/-/g, ''), label: v.visitCode, series: SERIES(i) });
      expect(outcome.map((o) => o.outcome)).toEqual(Array(40).fill('ingested'));
      expect((await p.ctx.db.selectFrom('timepoints').select('state').where('id', '=', tps[i]).executeTakeFirstOrThrow()).state).toBe('released');
    }
    scanDates = (await p.ctx.db.selectFrom('timepoints').select(['id', 'acquired_on']).where('id', 'in', tps).execute()).sort((a, b) => tps.indexOf(a.id) - tps.indexOf(b.id)).map((r) => r.acquired_on!);
    expect(scanDates.every((d) => /^\d{4}-\d\d-\d\d$/.test(d))).toBe(true);
    // The AI pre-fills reader 1's baseline with a proposal for T1: a draft whose measurement carries the model's
    // value and source.
    const readId = await readIdOf(p, tps[0], 1);
    const prefill = { targets: [{ id: 'T1', organ: 'liver', location: R1_LOCATION, nodal: false, measurement: { finalMm: R1_AI_MM, aiProposalMm: R1_AI_MM, aiSource: AI_SOURCE, decision: 'accepted' } }], nonTargets: [] };
    expect((await p.request('PUT', `/trials/${t.trialId}/reads/${readId}/draft`, { token: t.tokens[ada], body: prefill })).status).toBe(200);
  });

  it('reader 1 reads the baseline: edits the AI proposal, selects targets and a non-target, autosaves, sees the engine, signs', async () => {
    const { page, close } = await open('ada');
    expect((await nav(page).getByRole('link').allInnerTexts()).slice(1)).toEqual(['Reading worklist']);
    // The trials list counts the pending tasks across trials (GET /me/tasks) and leads to the worklist.
    await page.getByRole('link', { name: 'Corelab' }).click();
    await expectText(page.getByTestId('tasks-BICR-WEB'), /^2 reads$/);
    await page.getByTestId('tasks-BICR-WEB').getByRole('link', { name: '2 reads' }).click();
    await expectText(page.locator('h1'), /Reading worklist/);
    const worklist = page.getByTestId('worklist');
    await expectText(worklist.locator('tr[data-state="draft"]'), /^Subject [0-9a-f]{8}\s+BASELINE\s+draft\s+\d{4}-\d\d-\d\d\s+Read$/);
    await expectText(worklist.locator('tr[data-state="waiting"]'), /^Subject [0-9a-f]{8}\s+TP1\s+waiting\s+\d{4}-\d\d-\d\d\s+opens after the previous timepoint is signed$/);
    await screenshot(page, '21-reader-worklist');
    // The slices stream: the last one is held back until the first is on screen.
    let releaseLast!: () => void;
    const lastHeld = new Promise<void>((r) => (releaseLast = r));
    const requested: number[] = [];
    const slices = /\/slices\/\d+\?/;
    await page.route(slices, async (route) => {
      const k = Number(/\/slices\/(\d+)/.exec(route.request().url())![1]);
      requested.push(k);
      if (k === 39) await lastHeld;
      await route.continue();
    });
    await openTask(page, 'BASELINE');
    await expectText(page.getByTestId('viewer-region'), /^Images · BASELINE/);
    await expectText(page.getByTestId('pane-current'), /BASELINE \(this timepoint\)[\s\S]*Series 1 · CT · 40 slices · 5 mm · 128×128/);
    await sliceText(page, 'current', 21);
    expect(requested[0], 'the slice on screen is asked for first').toBe(20);
    await expectText(page.getByTestId('window-current'), /^W 400 \/ L 40 \(Soft tissue\)$/);
    const softTissue = await brightPixels(page, 'current');
    expect(softTissue, 'the first slice is drawn').toBeGreaterThan(2000);
    const loadedBefore = Number(/^(\d+) of 40/.exec(await page.getByTestId('loaded-current').innerText())![1]);
    expect(loadedBefore, 'drawn before the whole series arrived').toBeLessThan(40);
    expect(requested).toContain(39);
    releaseLast();
    await expectText(page.getByTestId('loaded-current'), /^40 of 40 slices loaded$/);
    await page.unroute(slices);

    // Window presets: the lung window shows the air grey and soft tissue white (more bright pixels), by button and key.
    const viewer = page.getByTestId('image-viewer');
    await viewer.getByRole('button', { name: 'Lung' }).click();
    await expectText(page.getByTestId('window-current'), /^W 1500 \/ L -600 \(Lung\)$/);
    expect(await viewer.getByRole('button', { name: 'Lung' }).getAttribute('aria-pressed')).toBe('true');
    await expectText(page.getByTestId('window-current'), /Lung/);
    expect(await brightPixels(page, 'current')).toBeGreaterThan(softTissue * 1.5);
    // Scrolling by keys and wheel, zoom by keys; the viewport says where it is.
    await page.getByTestId('viewport-current').focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    await sliceText(page, 'current', 24);
    await page.keyboard.press('PageUp');
    await sliceText(page, 'current', 14);
    await page.keyboard.press('End');
    await sliceText(page, 'current', 40);
    expect(await page.getByTestId('viewport-current').getAttribute('aria-label')).toBe('BASELINE (this timepoint), slice 40 of 40, W 1500 / L -600 (Lung)');
    await page.keyboard.press('Home');
    await sliceText(page, 'current', 1);
    await page.getByTestId('viewport-current').hover();
    await page.mouse.wheel(0, 120);
    await page.mouse.wheel(0, 120);
    await sliceText(page, 'current', 3);
    await page.getByTestId('viewport-current').focus();
    await page.keyboard.press('4');
    await expectText(page.getByTestId('window-current'), /^W 1800 \/ L 400 \(Bone\)$/);
    await page.keyboard.press('2');
    await page.keyboard.press('+');
    await expectText(page.getByTestId('status-current'), /zoom 1\.25×/);
    await page.keyboard.press('0');
    await expectText(page.getByTestId('status-current'), /zoom 1\.00×/);
    await page.keyboard.press('Home');
    await page.keyboard.press('PageDown');
    await page.keyboard.press('PageDown');
    await sliceText(page, 'current', 21);
    await screenshot(page, '21a-viewer-baseline');

    // The AI proposal is shown beside the final value; the reader edits it.
    const t1 = row(page, 'targets', 'T1');
    await expectText(t1.getByTestId('ai-T1'), /AI 31\.5 mm\s+lesion-seg 1\.0\.0/);
    await t1.getByLabel('Edit').check();
    await t1.getByLabel('Final diameter of T1').fill('33');
    await page.getByRole('button', { name: 'Add target lesion' }).click();
    const t2 = row(page, 'targets', 'T2');
    await t2.getByLabel('Organ of T2').fill('lung');
    await t2.getByLabel('Location of T2').fill('right upper lobe');
    // The reader points at the lung lesion (voxel 80, 64 of slice 20); the AI outlines and measures it.
    await viewer.getByLabel('Lesion').selectOption('T2');
    await viewer.getByRole('button', { name: 'Point at T2 for the AI' }).click();
    await clickVoxel(page, 80, 64);
    await page.getByTestId('outline-T2').waitFor({ timeout: 60_000 });
    const proposed = Number(await page.getByTestId('caliper-T2-long').getAttribute('data-mm'));
    expect(proposed).toBeGreaterThan(25);
    expect(proposed).toBeLessThan(35);
    await expectText(page.getByTestId('ai-proposal-T2'), new RegExp(`proposed: long axis ${proposed} mm · short axis [\\d.]+ mm`));
    await viewer.getByRole('button', { name: 'Accept T2' }).click();
    await expectText(t2.getByTestId('ai-T2'), new RegExp(`AI ${proposed} mm`));
    await expectText(page.getByTestId('ai-recorded-T2'), new RegExp(`In the read: ${proposed} mm, accepted`));
    // Edit: the far end of the long axis is dragged outwards; the length is measured again in patient mm.
    await viewer.getByRole('button', { name: 'Edit calipers of T2' }).click();
    const hb = (await page.getByTestId('handle-T2-long-to').boundingBox())!;
    await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
    await page.mouse.down();
    await page.mouse.move(hb.x + hb.width / 2 + 15, hb.y + hb.height / 2, { steps: 5 });
    await page.mouse.up();
    const edited = Number(await page.getByTestId('caliper-T2-long').getAttribute('data-mm'));
    expect(edited).not.toBe(proposed);
    await expectText(page.getByTestId('ai-recorded-T2'), new RegExp(`In the read: ${edited} mm, edited`));
    await screenshot(page, '21b-viewer-ai-segmentation');
    // Rejected after all: the reader's own value is recorded beside the AI's.
    await viewer.getByRole('button', { name: 'Reject T2' }).click();
    await t2.getByLabel('Final diameter of T2').fill('20');
    await page.getByRole('button', { name: 'Add non-target lesion' }).click();
    const nt1 = row(page, 'non-targets', 'NT1');
    await nt1.getByLabel('Organ of NT1').fill('bone');
    await nt1.getByLabel('Location of NT1').fill('L3 vertebra');
    await saved(page);
    // The server lists what is missing (the baseline imaging), in the reader's terms.
    await expectText(page.getByTestId('problems'), /Imaging: state the baseline modality and slice thickness/);
    await page.getByLabel('Modality').selectOption('CT');
    await page.getByLabel('Slice thickness').fill('5');
    await page.getByLabel('Notes (your own, kept with the read)').fill(R1_NOTE);
    await complete(page);
    await saved(page);
    await expectText(page.getByTestId('response'), /Baseline:?\s+valid\s+sum of diameters 53 mm/);
    const draft = await p.ctx.db.selectFrom('read_versions').select('content_json').where('read_id', '=', await readIdOf(p, tps[0], 1)).executeTakeFirstOrThrow();
    expect(JSON.parse(draft.content_json).targets[0].measurement).toEqual({ finalMm: 33, aiProposalMm: R1_AI_MM, aiSource: AI_SOURCE, decision: 'edited' });
    await screenshot(page, '22-reader-baseline-draft');

    await sign(page, /“I authored this RECIST 1\.1 read” \(meaning: authored\)/, 'ada \\(test\\)');
    // Signed: read-only, with the content as signed.
    await expectText(page.getByTestId('v1-targets'), /T1\s+liver · segment VII posterior R1-LOC\s+no\s+33 mm \(AI 31\.5 mm, edited\)[\s\S]*T2\s+lung · right upper lobe\s+no\s+20 mm/);
    expect(await page.getByLabel('Final diameter of T1').count()).toBe(0);
    await screenshot(page, '23-reader-baseline-signed');
    await close();
  });

  it('reader 1 reads the follow-up, sees the live response with its explanation, signs, then corrects it with a reason', async () => {
    const { page, close } = await open('ada');
    await openTask(page, 'TP1');
    // TP1 beside the baseline, scrolling linked by patient position (the same table positions here).
    await expectText(page.getByTestId('viewer-region'), /^Images · TP1 beside BASELINE/);
    await sliceText(page, 'current', 21);
    await sliceText(page, 'previous', 21);
    await page.getByTestId('viewport-current').focus();
    await page.keyboard.press('PageDown');
    await sliceText(page, 'current', 31);
    await sliceText(page, 'previous', 31);
    // Unlinked, the baseline moves alone; linked again, the two keep the offset the reader set.
    await page.getByLabel('Link scrolling by patient position').click();
    await page.getByTestId('viewport-previous').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await sliceText(page, 'previous', 33);
    await sliceText(page, 'current', 31);
    await page.getByLabel('Link scrolling by patient position').click();
    await page.getByTestId('viewport-current').focus();
    await page.keyboard.press('ArrowUp');
    await sliceText(page, 'current', 30);
    await sliceText(page, 'previous', 32);
    // A preset applies to both timepoints.
    await page.getByTestId('image-viewer').getByRole('button', { name: 'Liver' }).click();
    await expectText(page.getByTestId('window-previous'), /^W 150 \/ L 90 \(Liver\)$/);
    await expectText(page.getByTestId('window-current'), /^W 150 \/ L 90 \(Liver\)$/);
    expect(await brightPixels(page, 'previous')).toBeGreaterThan(500);
    await page.getByTestId('viewport-current').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('PageDown');
    await page.keyboard.press('PageDown');
    await sliceText(page, 'current', 21);
    await screenshot(page, '24a-viewer-followup-linked');
    // T2 was segmented at baseline: the AI finds it again here and pre-places it; the reader confirms it.
    await expectText(page.getByTestId('ai-proposal-T2'), /propagated: long axis [\d.]+ mm/, 60_000);
    await page.getByTestId('outline-T2').waitFor();
    await page.getByTestId('image-viewer').getByRole('button', { name: 'Confirm T2' }).click();
    await expectText(page.getByTestId('ai-recorded-T2'), /In the read: [\d.]+ mm, accepted/);
    aiT2Mm[1] = Number(/In the read: ([\d.]+) mm/.exec(await page.getByTestId('ai-recorded-T2').innerText())![1]);
    expect(await row(page, 'targets', 'T2').getByLabel('Status of T2').evaluate((el: { value: string }) => el.value)).toBe('measured');
    await screenshot(page, '24b-viewer-propagated');
    // Every baseline lesion is listed with its organ, location and baseline measurement; T1 is typed so that the
    // sum of diameters is 25 mm whatever the AI measured T2 at.
    await expectText(row(page, 'targets', 'T1'), /T1\s+liver · segment VII posterior R1-LOC\s+33 mm/);
    await row(page, 'targets', 'T1').getByLabel('Status of T1').selectOption('measured');
    await row(page, 'targets', 'T1').getByLabel('Final diameter of T1').fill(String(Number((25 - aiT2Mm[1]).toFixed(1))));
    await row(page, 'non-targets', 'NT1').getByLabel('Status of NT1').selectOption('present');
    await complete(page);
    await saved(page);
    const response = page.getByTestId('response');
    await expectText(response.locator('[data-criteria="RECIST1.1"]'), /RECIST 1\.1 at TP1: PR[\s\S]*Target lesions\s+PR[\s\S]*Non-target lesions\s+NON_CR_NON_PD[\s\S]*New lesions\s+no[\s\S]*Sum \/ nadir\s+25 mm \/ 53 mm/);
    await expectText(response.getByRole('list', { name: 'Explanation' }).first(), /target PR: sum 25 mm is -52\.8% from baseline 53 mm/);
    await expectText(response.locator('[data-criteria="iRECIST"]'), /iRECIST at TP1: iPR/);
    await screenshot(page, '24-reader-followup-live-response');
    // An override needs a reason before it can be recorded; recorded, it becomes the response of record (saved and
    // evaluated by the server); removed, the computed response is back.
    const override = page.getByRole('button', { name: 'Override RECIST 1.1 response' });
    expect(await override.getAttribute('disabled')).not.toBeNull();
    await page.getByLabel('RECIST 1.1 response').selectOption('SD');
    await page.getByLabel('Reason for the RECIST 1.1 override').fill('T1 shrinkage is post-biopsy change');
    await override.click();
    await expectText(page.getByTestId('override-RECIST1.1'), /your response SD instead of the computed PR; reason: T1 shrinkage is post-biopsy change/);
    await saved(page);
    await expectText(page.getByTestId('responses-of-record'), /RECIST 1\.1\s+PR\s+SD \(override: T1 shrinkage is post-biopsy change\)/);
    await page.getByRole('button', { name: 'Remove RECIST 1.1 override' }).click();
    await saved(page);
    await expectText(page.getByTestId('responses-of-record'), /RECIST 1\.1\s+PR\s+as computed/);

    await sign(page, /“I authored this RECIST 1\.1 and iRECIST read” \(meaning: authored\)/, 'ada \\(test\\)');
    await expectText(page.getByTestId('version-response'), /RECIST 1\.1 at TP1: PR/);

    await page.getByRole('button', { name: 'Correct this read' }).click();
    const correction = page.locator('section.correction');
    await correction.getByLabel('Final diameter of T1').fill(String(Number((26 - aiT2Mm[1]).toFixed(1))));
    await correction.getByLabel('Reason for the correction').fill('T1 remeasured on the thin reconstruction');
    await expectText(correction.getByTestId('sign-form'), /“I authored this corrected RECIST 1\.1 and iRECIST read”/);
    await correction.getByLabel('Password (asked for every signature)').fill(TEST_PASSWORD);
    await correction.getByRole('button', { name: 'Sign correction' }).click();
    await expectText(page.getByTestId('version'), new RegExp(`Version 2\\s+signed\\s+Correction reason: T1 remeasured on the thin reconstruction[\\s\\S]*T2\\s+lung · right upper lobe\\s+Measured\\s+${mmRe(aiT2Mm[1])} mm \\(AI ${mmRe(aiT2Mm[1])} mm, accepted\\)`));
    await expectText(page.getByTestId('version-response'), /Sum \/ nadir\s+26 mm \/ 53 mm/);
    // The first version stays readable, with its own signature.
    await page.getByRole('button', { name: 'Version 1 (superseded)' }).click();
    await expectText(page.getByTestId('version'), new RegExp(`Version 1\\s+superseded[\\s\\S]*T1\\s+liver · segment VII posterior R1-LOC\\s+Measured\\s+${mmRe(Number((25 - aiT2Mm[1]).toFixed(1)))} mm`));
    await expectText(page.getByTestId('signature'), /ada \(test\), [\d-]+T[\d:.]+Z \(UTC\), authored/);
    await screenshot(page, '25-reader-correction-versions');
    await close();
  });

  it('reader 2 reads both timepoints and signs; nothing reader 2 receives names a site, an arm, reader 1 or reader 1\'s work', async () => {
    const { page, received, settled, close } = await open('ben');
    await openTask(page, 'BASELINE');
    await page.getByLabel('Modality').selectOption('CT');
    await page.getByLabel('Slice thickness').fill('5');
    for (const [id, organ, where] of [['T1', 'liver', 'segment IV'], ['T2', 'lung', 'left lower lobe']]) {
      await page.getByRole('button', { name: 'Add target lesion' }).click();
      await row(page, 'targets', id).getByLabel(`Organ of ${id}`).fill(organ);
      await row(page, 'targets', id).getByLabel(`Location of ${id}`).fill(where);
    }
    await row(page, 'targets', 'T1').getByLabel('Final diameter of T1').fill('35');
    // T2 is measured by hand, without the AI: a line dragged across the lung lesion (voxels 74 to 86 of row 64
    // on slice 20, about its 30 mm), its length shown while drawing, then its far end moved a voxel by key.
    const blViewer = page.getByTestId('image-viewer');
    await sliceText(page, 'current', 21);
    await blViewer.getByLabel('Lesion').selectOption('T2');
    await blViewer.getByRole('button', { name: 'Measure T2' }).click();
    const vbox = (await page.getByTestId('viewport-current').boundingBox())!;
    const px = (i: number, j: number) => [vbox.x + (vbox.width * (i + 0.5)) / 128, vbox.y + (vbox.height * (j + 0.5)) / 128] as const;
    await page.mouse.move(...px(74, 64));
    await page.mouse.down();
    await page.mouse.move(...px(86, 64), { steps: 6 });
    await expectText(page.getByTestId('manual-length'), /^T2 long axis: [\d.]+ mm$/);
    await page.mouse.up();
    const drawnMm = Number(await page.getByTestId('caliper-T2-long').getAttribute('data-mm'));
    expect(drawnMm).toBeGreaterThan(27);
    expect(drawnMm).toBeLessThan(33);
    await expectText(page.getByTestId('manual-status'), new RegExp(`T2: ${mmRe(drawnMm)} mm recorded \\(manual\\)`));
    await page.getByTestId('handle-T2-long-to').focus();
    await expectFocus(page, /^circle: $/);
    await page.keyboard.press('ArrowRight');
    // one voxel (2.5 mm) further along the row: the line is that much longer (to the 0.1 mm it is recorded in)
    const handMm = Number(/T2: ([\d.]+) mm recorded \(manual\)/.exec(await expectText(page.getByTestId('manual-status'), new RegExp(`T2: (?!${mmRe(drawnMm)} )[\\d.]+ mm recorded`)))![1]);
    expect(Math.abs(handMm - drawnMm - 2.5)).toBeLessThanOrEqual(0.1);
    expect(Number(await page.getByTestId('caliper-T2-long').getAttribute('data-mm'))).toBe(handMm);
    await screenshot(page, '26a-viewer-manual-caliper');
    expect(await row(page, 'targets', 'T2').getByLabel('Final diameter of T2').evaluate((el: { value: string }) => el.value)).toBe(String(handMm));
    await saved(page);
    // What the server holds: decision manual, the caliper on slice 20 of the series shown, finalMm its length.
    const blRead = await (await p.request('GET', `/trials/${t.trialId}/reads/${await readIdOf(p, tps[0], 2)}`, { token: t.tokens[ben] })).json();
    const handT2 = blRead.versions.at(-1).content.targets.find((x: { id: string }) => x.id === 'T2').measurement;
    expect(handT2).toMatchObject({ finalMm: handMm, decision: 'manual', caliper: { k: 20 } });
    expect(handT2.aiProposalMm).toBeUndefined();
    const { fromMm, toMm } = handT2.caliper.longAxis;
    expect(Math.abs(Math.hypot(toMm[0] - fromMm[0], toMm[1] - fromMm[1], toMm[2] - fromMm[2]) - handMm)).toBeLessThanOrEqual(0.05);
    await page.getByRole('button', { name: 'Add non-target lesion' }).click();
    await row(page, 'non-targets', 'NT1').getByLabel('Organ of NT1').fill('bone');
    await row(page, 'non-targets', 'NT1').getByLabel('Location of NT1').fill('T10 vertebra');
    await complete(page);
    await sign(page, /I authored this RECIST 1\.1 read/, 'ben \\(test\\)');

    await openTask(page, 'TP1');
    // Reader 2 points at the lung lesion for the AI and accepts its measurement; T1 is typed so that the sum of
    // diameters is 55 mm whatever the AI measured.
    const viewer = page.getByTestId('image-viewer');
    await sliceText(page, 'current', 21);
    await viewer.getByLabel('Lesion').selectOption('T2');
    await viewer.getByRole('button', { name: 'Point at T2 for the AI' }).click();
    await clickVoxel(page, 80, 64);
    await page.getByTestId('outline-T2').waitFor({ timeout: 60_000 });
    await viewer.getByRole('button', { name: 'Accept T2' }).click();
    await expectText(page.getByTestId('ai-recorded-T2'), /In the read: [\d.]+ mm, accepted/);
    aiT2Mm[2] = Number(/In the read: ([\d.]+) mm/.exec(await page.getByTestId('ai-recorded-T2').innerText())![1]);
    expect(await row(page, 'targets', 'T2').getByLabel('Status of T2').evaluate((el: { value: string }) => el.value)).toBe('measured');
    await row(page, 'targets', 'T1').getByLabel('Status of T1').selectOption('measured');
    await row(page, 'targets', 'T1').getByLabel('Final diameter of T1').fill(String(Number((55 - aiT2Mm[2]).toFixed(1))));
    await row(page, 'non-targets', 'NT1').getByLabel('Status of NT1').selectOption('present');
    await page.getByRole('button', { name: 'Add new lesion' }).click();
    const n1 = row(page, 'new-lesions', 'N1');
    await n1.getByLabel('Organ of N1').fill('liver');
    await n1.getByLabel('Location of N1').fill('segment II');
    await n1.getByLabel('Final diameter of N1').fill('12');
    await complete(page);
    const response = page.getByTestId('response');
    await expectText(response.locator('[data-criteria="RECIST1.1"]'), /RECIST 1\.1 at TP1: PD[\s\S]*New lesions\s+yes/);
    await expectText(response.getByRole('list', { name: 'Explanation' }).first(), /PD: unequivocal new lesion\(s\) N1 \(liver\) at TP1/);
    await screenshot(page, '26-reader2-followup-pd');
    await sign(page, /I authored this RECIST 1\.1 and iRECIST read/, 'ben \\(test\\)');

    // The worklist now has both reads signed; the adjudication this opened is not reader 2's to see.
    await nav(page).getByRole('link', { name: 'Reading worklist' }).click();
    await expectText(page.locator('main'), /No pending reads on this trial\./);
    await page.getByLabel('Include signed reads').check();
    await expectCount(page.locator('tr[data-state="signed"]'), 2);
    await screenshot(page, '27-reader2-worklist-signed');

    await settled();
    expect(received.filter((r) => r.path.startsWith('/trials/') && r.path.includes('/reads/')).length).toBeGreaterThan(5);
    expect(received.filter((r) => r.status >= 400)).toEqual([]);
    // No key of the blinded projections' forbidden fields, anywhere in any response.
    // Images too: the series list gives a reader geometry only (no UIDs, dates, acquisition, QC or upload data).
    expect(received.some((r) => /\/timepoints\/[^/]+\/series$/.test(r.path) && r.status === 200)).toBe(true);
    expect(received.filter((r) => /\/slices\/\d+\?format=raw$/.test(r.path) && r.status === 200).length).toBeGreaterThanOrEqual(40);
    const forbiddenKeys = /^(site|siteId|siteCode|siteName|arm|armCode|treatmentArm|randomization|readerId|readerName|readerNo|signerId|signerName|assigneeId|assigneeName|visitCode|visitLabel|visitNum|scanDate|acquiredOn|blindedLabel|subjectCode|studyDate|seriesDate|studyUid|seriesUid|studyInstanceUid|seriesInstanceUid|seriesDescription|institutionName|acquisition|findings|quarantinedCount|uploadIds|uploadId|createdBy)$/i;
    const leaks = received.flatMap((r) => keysOf(r.body).filter((k) => forbiddenKeys.test(k.key)).map((k) => `${r.method} ${r.path}: ${k.path}`));
    expect(leaks).toEqual([]);
    // Nothing of reader 1 (identity, labels, notes, values) and nothing of the site or the visit schedule.
    const text = JSON.stringify(received.map((r) => r.body));
    for (const needle of [ada, 'ada (test)', '"ada"', R1_NOTE, R1_LOCATION, 'segment VII', `"aiProposalMm":${R1_AI_MM}`, 'right upper lobe', 'L3 vertebra', SITE_NAME, 'Week 8', 'WK8', '2024-03-04', '2024-01-08', '20240304', '20240108', ...scanDates, ...scanDates.map((d) => d.replace(/-/g, '')), 'DOE^JANE', 'MRN-4242', 'RW-001']) {
      expect(text, needle).not.toContain(needle);
    }
    expect(await page.locator('body').innerText()).not.toMatch(/\bada\b|RW-001|Week 8/);
    await close();
  });

  it('the adjudicator sees both reads side by side with the differences and the trigger, chooses reader 1 and signs', async () => {
    const { page, close } = await open('cleo');
    expect((await nav(page).getByRole('link').allInnerTexts()).slice(1)).toEqual(['Adjudication worklist']);
    await nav(page).getByRole('link', { name: 'Adjudication worklist' }).click();
    await expectText(page.getByTestId('worklist'), /through TP1\s+open/);
    await page.getByRole('link', { name: /^Open adjudication .* TP1$/ }).click();
    await expectText(page.locator('h1'), /^Adjudication · Subject [0-9a-f]{8} · through TP1$/);
    await expectText(page.getByTestId('triggers'), /Best overall response differs: reader 1 PR, reader 2 PD[\s\S]*Progression differs: reader 1 no progression, reader 2 at TP1/);
    const tp1 = page.locator('section[data-timepoint="TP1"]');
    await expectText(tp1.locator('h2'), /TP1\s*named by the trigger/);
    await expectText(tp1.locator('tr[data-fact="overall"]'), /RECIST 1\.1 overall ≠ differs\s+PR\s+PD/);
    await expectText(tp1.locator('tr[data-fact="newLesions"]'), /New lesions ≠ differs\s+none\s+N1 liver/);
    await expectText(tp1.locator('tr[data-fact="sumMm"]'), /Sum of diameters ≠ differs\s+26 mm\s+55 mm/);
    expect(await tp1.locator('tr[data-fact="targets"]').getAttribute('data-differs')).toBeNull();
    await expectText(tp1.locator('[data-reader="1"]'), new RegExp(`Reader 1 · version 2[\\s\\S]*T2\\s+lung · right upper lobe\\s+Measured\\s+${mmRe(aiT2Mm[1])} mm[\\s\\S]*Reader 1, [\\d-]+T[\\d:.]+Z \\(UTC\\), authored`));
    await expectText(tp1.locator('[data-reader="2"]'), /Reader 2 · version 1[\s\S]*N1\s+liver · segment II\s+NLT \/ present\s+12 mm[\s\S]*Reader 2, [\d-]+T[\d:.]+Z \(UTC\), authored/);
    // Blinded: the readers are "Reader 1" and "Reader 2", never named.
    expect(await page.locator('main').innerText()).not.toMatch(/\bada\b|ben \(test\)/);
    // The images of the timepoint in question, with each reader's calipers where they measured T2 with the AI
    // (reader 1 confirmed the propagated lesion, reader 2 accepted a new segmentation), in two colours.
    const caliperOfRead = async (no: 1 | 2) => {
      const read = await p.ctx.db.selectFrom('reads').select(['id', 'current_version']).where('timepoint_id', '=', tps[1]).where('reader_no', '=', no).executeTakeFirstOrThrow();
      const v = await p.ctx.db.selectFrom('read_versions').select('content_json').where('read_id', '=', read.id).where('version', '=', Number(read.current_version)).executeTakeFirstOrThrow();
      const m = JSON.parse(v.content_json).targets.find((x: { id: string }) => x.id === 'T2').measurement;
      expect(m.finalMm).toBe(aiT2Mm[no]);
      return m.caliper as { seriesId: string; k: number };
    };
    const stored = { 1: await caliperOfRead(1), 2: await caliperOfRead(2) };
    await tp1.getByRole('button', { name: 'Show the images of TP1' }).click();
    await expectText(tp1.getByTestId('viewer-region'), /^Images · TP1[\s\S]*Each reader's measurements are drawn where they were taken/);
    await expectText(tp1.getByTestId('caliper-legend'), new RegExp(`Reader 1\\s*T2 ${mmRe(aiT2Mm[1])} mm · slice ${stored[1].k + 1}[\\s\\S]*Reader 2\\s*T2 ${mmRe(aiT2Mm[2])} mm · slice ${stored[2].k + 1}`));
    // Opened at reader 1's caliper (the first), then reader 2's T2 chosen in reader 2's lesion table.
    await expectText(tp1.getByTestId('slice-current'), new RegExp(`^Slice ${stored[1].k + 1} / 40$`));
    const drawn = (no: 1 | 2) => tp1.getByTestId(`reader-caliper-${no}-T2`);
    await drawn(1).waitFor();
    expect(Number(await drawn(1).getAttribute('data-mm'))).toBe(aiT2Mm[1]);
    await tp1.locator('div[data-reader="2"]').getByTestId('show-lesion-T2').click();
    await expectText(tp1.getByTestId('slice-current'), new RegExp(`^Slice ${stored[2].k + 1} / 40$`));
    await drawn(2).waitFor();
    expect(Number(await drawn(2).getAttribute('data-mm'))).toBe(aiT2Mm[2]);
    expect(await drawn(2).evaluate((el: any) => el.textContent as string)).toMatch(new RegExp(`R2 T2 ${mmRe(aiT2Mm[2])} mm`));
    // Two colours: the measured axes are stroked differently for the two readers.
    if (stored[1].k === stored[2].k) {
      await drawn(1).waitFor();
      const stroke = (no: 1 | 2) => drawn(no).locator('.axis.measured line').evaluate((el: any) => (globalThis as any).getComputedStyle(el).stroke);
      expect(await stroke(1)).not.toBe(await stroke(2));
    }
    await expectText(tp1.getByTestId('loaded-current'), /^40 of 40 slices loaded$/);
    await screenshot(page, '28-adjudication-compare');

    await page.getByLabel('Reader 1', { exact: true }).check();
    await page.getByLabel('Rationale').fill('Reader 2\'s N1 is a perfusion artefact on the arterial phase');
    await page.getByLabel('Discordance cause').selectOption('new_lesion');
    const form = page.getByTestId('sign-form');
    await expectText(form, /“I adjudicated this subject through TP1: reader 1's reads are the assessment of record” \(meaning: adjudicated\)[\s\S]*Signing as cleo \(test\)\./);
    await form.getByLabel('Password (asked for every signature)').fill(TEST_PASSWORD);
    await form.getByRole('button', { name: 'Sign decision' }).click();
    await expectText(page.getByTestId('decision'), /Chosen\s+Reader 1\s+Cause\s+New lesion\s+Rationale\s+Reader 2's N1 is a perfusion artefact[\s\S]*cleo \(test\), [\d-]+T[\d:.]+Z \(UTC\), adjudicated/);
    await expectFocus(page, /^h2: Decision$/);
    await screenshot(page, '29-adjudication-signed');
    const adj = await p.ctx.db.selectFrom('adjudications').select(['state', 'chosen_reader_no', 'cause']).where('subject_id', '=', subjectId).executeTakeFirstOrThrow();
    expect([adj.state, Number(adj.chosen_reader_no), adj.cause]).toEqual(['completed', 1, 'new_lesion']);
    await close();
  });

  it('QC sees the final assessment and the reader statistics as charts with their numbers, and the waterfall', async () => {
    // Two more subjects read through the API: one adjudicated (PR vs SD, reader 1 chosen) and one concordant (SD).
    const other = await seedReadingCase(p, { trialId: t.trialId, siteId: t.siteId, approverId: t.admin.id, reader1: ada, reader2: ben, stage: 'adjudicated', adjudicator: t.adjudicators[0].id });
    const otherCode = (await p.ctx.db.selectFrom('subjects').select('subject_code').where('id', '=', other.subjectId).executeTakeFirstOrThrow()).subject_code;
    const third = await addSubject(p, t, 'RW-003', STANDARD_VISITS.slice(0, 2));
    for (const tp of third.timepointIds) await releaseTimepoint(p, tp);
    for (const [tp, content] of [[third.timepointIds[0], baseline([['T1', 'liver', 50]])], [third.timepointIds[1], followup([['T1', 55]])]] as const) {
      for (const no of [1, 2] as const) {
        const id = await readIdOf(p, tp, no);
        const reader = (await p.ctx.db.selectFrom('reads').select('reader_id').where('id', '=', id).executeTakeFirstOrThrow()).reader_id;
        expect((await p.request('PUT', `/trials/${t.trialId}/reads/${id}/draft`, { token: t.tokens[reader], body: content })).status).toBe(200);
        expect((await p.request('POST', `/trials/${t.trialId}/reads/${id}/sign`, { token: t.tokens[reader], body: { password: TEST_PASSWORD } })).status).toBe(200);
      }
    }

    const { page, close } = await open('quinn');
    expect((await nav(page).getByRole('link').allInnerTexts()).slice(1)).toEqual(['Subjects and visits', 'QC queue', 'Queries', 'Audit trail', 'Reader assignment', 'Final assessments', 'Reader statistics']);
    // QC views a visit's images from the queue (core-lab staff see the series' acquisition as well).
    await nav(page).getByRole('link', { name: 'QC queue' }).click();
    const visit = page.locator(`article[data-timepoint="${tps[0]}"]`);
    await visit.getByRole('button', { name: /^Show the images of / }).click();
    await expectText(visit.getByTestId('viewer-region'), /^Images · RW-001 · /);
    await expectText(visit.getByTestId('slice-current'), /^Slice 21 \/ 40$/);
    await visit.getByTestId('viewport-current').focus();
    await page.keyboard.press('1');
    await expectText(visit.getByTestId('window-current'), /^W 1500 \/ L -600 \(Lung\)$/);
    await screenshot(page, '29a-qc-images');
    await nav(page).getByRole('link', { name: 'Final assessments' }).click();
    await page.getByRole('link', { name: 'RW-001' }).click();
    await expectText(page.locator('h1'), /Final assessment · RW-001/);
    const final = page.getByTestId('final-assessment');
    await expectText(final.locator('tr[data-timepoint="BASELINE"]'), new RegExp(`BASELINE\\s+Baseline\\s+${scanDates[0]}\\s+adjudicated\\s+adjudication\\s+Reader 1, version 1`));
    await expectText(final.locator('tr[data-timepoint="TP1"]'), new RegExp(`TP1\\s+Week 8\\s+${scanDates[1]}\\s+adjudicated\\s+adjudication\\s+Reader 1, version 2\\s+PR\\s+iPR\\s+PR`));
    await screenshot(page, '30-qc-final-assessment');
    // The read of record opens read-only for staff, with the reader named.
    await final.locator('tr[data-timepoint="TP1"]').getByRole('link', { name: 'Reader 1, version 2' }).click();
    await expectText(page.getByTestId('read-facts'), /Reader:?\s+Reader 1: ada \(test\)/);
    await expectText(page.getByTestId('signature'), /ada \(test\), [\d-]+T[\d:.]+Z \(UTC\), authored/);

    await nav(page).getByRole('link', { name: 'Reader statistics' }).click();
    await expectText(page.getByTestId('stats-summary'), /Subjects compared:?\s+3\s+Subjects adjudicated:?\s+2 \(66\.7%\)\s+Adjudicator chose:?\s+reader 1: 2, reader 2: 0/);
    await expectText(page.getByTestId('table-adjudication-rate'), /ada \(test\)\s+3\s+2\s+66\.7%\s+2\s+0\s+0%[\s\S]*ben \(test\)\s+3\s+2\s+66\.7%\s+0\s+2\s+100%/);
    await expectText(page.getByTestId('table-agreement'), /All readers\s+3\s+33\.3%/);
    // Reader 1: T1's pre-filled proposal edited; T2's baseline proposal rejected, its propagation at TP1 confirmed.
    await expectText(page.getByTestId('table-ai-assist'), /ada \(test\)\s+[3-9]\s+1\s+1\s+[1-9]\s+\d+\s+[\d.]+%\s+1\.5 mm/);
    await expectText(page.getByTestId('table-causes'), /Measurement\s+1[\s\S]*New lesion\s+1/);
    await expectText(page.getByTestId('table-waterfall'), new RegExp(`RW-003\\s+\\+10%\\s+TP1\\s+SD\\s+concordant, reader 1 v1[\\s\\S]*${otherCode}\\s+-50%\\s+TP1\\s+PR\\s+adjudicated, reader 1 v1[\\s\\S]*RW-001\\s+-50\\.9%\\s+TP1\\s+PR\\s+adjudicated, reader 1 v2`));
    await expectText(page.getByTestId('chart-waterfall'), /Data: each subject's final assessment/);
    // Each chart is drawn (a canvas with pixels) and labelled for assistive technology.
    for (const id of ['adjudication-rate', 'agreement', 'ai-assist', 'causes', 'waterfall']) {
      const canvas = page.getByTestId(`chart-${id}`).locator('canvas');
      expect(await canvas.getAttribute('role')).toBe('img');
      expect(await canvas.getAttribute('aria-label')).toBeTruthy();
      const drawn = await canvas.evaluate((c: any) => {
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return n;
      });
      expect(drawn, `${id} has pixels`).toBeGreaterThan(500);
    }
    await screenshot(page, '31-qc-reader-statistics');

    // QC names the readers of a new subject; subjects already being read keep theirs. QC may not list the trial's
    // members: the readers offered are those the statistics and earlier assignments know, and the screen says so.
    const fourth = await addSubject(p, t, 'RW-004', STANDARD_VISITS.slice(0, 1));
    await nav(page).getByRole('link', { name: 'Reader assignment' }).click();
    await expectText(page.getByRole('status'), /Only administrators can list the trial's members/);
    await expectText(page.locator('tr[data-subject="RW-001"]'), /RW-001\s+started\s+Reader 1: ada \(test\); Reader 2: ben \(test\)\s+readers follow the subject/);
    const r4 = page.locator('tr[data-subject="RW-004"]');
    await expectText(r4, /RW-004\s+not started\s+not assigned/);
    await r4.getByLabel('Reader 1 of RW-004').selectOption(ben);
    await r4.getByLabel('Reader 2 of RW-004').selectOption(ada);
    await r4.getByRole('button', { name: 'Assign readers' }).click();
    await expectText(r4, /Reader 1: ben \(test\); Reader 2: ada \(test\)/);
    const rows = await p.ctx.db.selectFrom('reader_assignments').select(['reader_no', 'user_id']).where('subject_id', '=', fourth.subjectId).orderBy('reader_no').execute();
    expect(rows.map((x) => [Number(x.reader_no), x.user_id])).toEqual([[1, ben], [2, ada]]);
    await screenshot(page, '32-qc-reader-assignment');
    await close();
  });

  it('raised no script error, console error or CSP violation in any page', () => {
    expect(pageErrors).toEqual([]);
  });

  it('had no call refused', () => {
    expect(refused).toEqual([]);
  });
});
