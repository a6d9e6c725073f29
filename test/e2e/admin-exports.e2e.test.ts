// Administration and data exports in a real browser against a real platform (listening server, SQLite file, the
// built web/dist, the job runner and worker pool building the cut). An administrator creates an account (the
// password policy's reasons shown on the field), verifies its identity, resets its password, creates a trial,
// approves its charter by e-signature, adds a site and grants and revokes roles, every reason asked for. A
// biostatistician starts a data cut on a trial with signed and adjudicated reads, follows it to "passed" and
// downloads a file and the manifest, each hashed in the browser and shown verified; a cut that fails its
// conformance check shows every finding and offers nothing to download. A reader is offered no export screen,
// and the API refuses the reader's calls. Assertions are on what is on screen, checked against the server.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReadingTrial, readIdOf, seedReadingCase, setupReadingTrial } from '../helpers/reading-fixture.js';
import { TEST_PASSWORD, type TestPlatform, createTestPlatform, grant, seedUser } from '../helpers/test-platform.js';
import { type AppServer, type Browser, type Download, type Page, browserTestsUnavailable, expectCount, expectText, launchChromium, listenOnLoopback, screenshot } from './browser.js';

const unavailable = browserTestsUnavailable();
if (unavailable) console.log(`browser tests skipped: ${unavailable}`);

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const NEW_PASSWORD = 'Another-horse-battery-7';
const TOKEN_KEY = 'corelab.token';

describe.skipIf(unavailable !== null)('web application: administration and data exports (chromium)', () => {
  let p: TestPlatform;
  let server: AppServer;
  let origin: string;
  let browser: Browser;
  let t: ReadingTrial;
  let timepointIds: string[];
  let bioToken: string;
  let passedExportId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    p = await createTestPlatform({ runJobs: true });
    ({ server, origin } = await listenOnLoopback(p.app));
    // A trial whose subject both readers have read through TP1 and signed, with discordant responses that the
    // adjudicator decided: the reading fixture drives the same services the API runs.
    t = await setupReadingTrial(p, { code: 'EXP-WEB' });
    ({ timepointIds } = await seedReadingCase(p, { trialId: t.trialId, siteId: t.siteId, approverId: t.admin.id, reader1: t.readers[0].id, reader2: t.readers[1].id, stage: 'adjudicated' }));
    const bea = await seedUser(p, 'bea', { verified: true });
    await grant(p, t.trialId, bea.id, 'biostatistician');
    bioToken = await p.login('bea');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
    await p?.dispose();
  });

  async function open(username: string, password = TEST_PASSWORD) {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${username}: ${e.message}`));
    // Console errors include CSP violations and failed requests. The refusals this test provokes (a weak password,
    // a mistyped signing password, a reader's calls, a failed cut's file) are each asserted where they happen.
    page.on('console', (m) => {
      if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of (400|401|403|409) /.test(m.text())) pageErrors.push(`${username} console: ${m.text()}`);
    });
    const downloads: Download[] = [];
    page.on('download', (d) => downloads.push(d));
    await page.goto(`${origin}/app/`);
    await expectText(page.locator('h1'), /Log in to Corelab/);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expectText(page.locator('h1'), /Your trials/);
    return { page, downloads, close: () => context.close() };
  }

  const nav = (page: Page) => page.getByRole('navigation', { name: 'Trial' });
  const adminNav = (page: Page) => page.getByRole('navigation', { name: 'Administration' });
  /** The element with the keyboard focus, as "tag: text" (or its accessible label for a control). */
  const focused = (page: Page) =>
    page.evaluate(() => {
      const el = (globalThis as unknown as { document: { activeElement: { tagName: string; textContent: string | null; getAttribute(n: string): string | null } | null } }).document.activeElement;
      return el ? `${el.tagName.toLowerCase()}: ${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ')}` : '';
    });
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
  /** An API call made from the page with its own session token (what the application could send). */
  const fromPage = (page: Page, method: string, path: string) =>
    page.evaluate(
      async ({ method, path, key }) => {
        const g = globalThis as unknown as { sessionStorage: { getItem(k: string): string | null }; fetch: (u: string, i: object) => Promise<{ status: number; text(): Promise<string> }> };
        const res = await g.fetch(path, { method, headers: { authorization: `Bearer ${g.sessionStorage.getItem(key)}`, 'content-type': 'application/json' }, body: method === 'POST' ? JSON.stringify({ cutoff: '2024-12-31' }) : undefined });
        return { status: res.status, body: await res.text() };
      },
      { method, path, key: TOKEN_KEY },
    );
  const auditOf = (entityId: string, action: string) =>
    p.ctx.db.selectFrom('audit_events').select(['action', 'reason', 'after_json']).where('entity_id', '=', entityId).where('action', '=', action).orderBy('seq').execute();
  const serverExport = async (exportId: string) => (await p.request('GET', `/trials/${t.trialId}/exports/${exportId}`, { token: bioToken })).json();

  it('an administrator creates an account (the password policy answered on the field), verifies it, resets its password, disables another', async () => {
    const { page, close } = await open(t.admin.username);
    expect(await adminNav(page).getByRole('link').allInnerTexts()).toEqual(['Users', 'Trials']);
    await adminNav(page).getByRole('link', { name: 'Users' }).click();
    await expectText(page.locator('h1'), /^Users$/);
    const form = page.getByTestId('create-user');
    await form.getByLabel('Username').fill('nora');
    await form.getByLabel('Printed name').fill('Nora Stat');
    await form.getByLabel('Initial password').fill('nora-short');
    await form.getByLabel('Repeat the password').fill('nora-shorter');
    await expectText(page.getByTestId('new-password-repeat-problems'), /^does not match the password$/);
    expect(await form.getByRole('button', { name: 'Create account' }).evaluate((b: { disabled: boolean }) => b.disabled)).toBe(true);
    await form.getByLabel('Repeat the password').fill('nora-short');
    await form.getByRole('button', { name: 'Create account' }).click();
    // The server's password policy, reason by reason, beside the field (and the field marked invalid).
    await expectText(page.getByTestId('new-password-problems'), /^password must be at least 12 characters\npassword must not contain the username$/);
    expect(await form.getByLabel('Initial password').getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByLabel('Initial password').getAttribute('aria-describedby')).toBe('new-password-hint new-password-problems');
    await expectText(form.getByRole('alert'), /^Not created: Invalid request: password must be at least 12 characters; must not contain the username$/);
    await screenshot(page, '40-admin-password-refused');
    expect(await p.ctx.db.selectFrom('users').select('id').where('username', '=', 'nora').execute()).toEqual([]);

    await form.getByLabel('Initial password').fill(TEST_PASSWORD);
    await form.getByLabel('Repeat the password').fill(TEST_PASSWORD);
    await form.getByRole('button', { name: 'Create account' }).click();
    await expectText(page.locator('#users-notice'), /^Created the account nora \(Nora Stat\)\. Another administrator must verify their identity before they can sign\.$/);
    const row = page.locator('tr[data-user="nora"]');
    await expectText(row, /^nora\s+Nora Stat\s+—\s+no\s+active\s+not verified\s+—\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\s+Verify identity\s+Reset password\s+Disable$/);
    expect(await page.getByTestId('new-password-problems').count()).toBe(0);
    const nora = await p.ctx.db.selectFrom('users').selectAll().where('username', '=', 'nora').executeTakeFirstOrThrow();
    expect(nora.display_name).toBe('Nora Stat');
    // The administrator's own row offers no identity verification (another administrator's job) and no disabling.
    const own = page.locator(`tr[data-user="${t.admin.username}"]`);
    expect(await own.getByRole('button').allInnerTexts()).toEqual(['Reset password']);

    // Verify identity: the reason is asked for, the form takes the focus, and the button waits for a reason.
    await row.getByRole('button', { name: 'Verify identity of nora' }).click();
    const verify = page.getByTestId('verify-form');
    await expectText(verify, /Verify the identity of Nora Stat \(nora\)[\s\S]*21 CFR 11\.100/);
    await expectFocus(page, /^textarea/);
    expect(await verify.getByRole('button', { name: 'Record identity verification' }).evaluate((b: { disabled: boolean }) => b.disabled)).toBe(true);
    await verify.getByLabel('How the identity was verified (required; recorded in the audit trail)').fill('passport checked in person');
    await verify.getByRole('button', { name: 'Record identity verification' }).click();
    await expectText(page.locator('#users-notice'), /^Identity of nora verified: they may now sign electronically\.$/);
    await expectText(row, /active\s+verified/);
    expect((await auditOf(nora.id, 'user.identity_verified')).map((e) => e.reason)).toEqual(['passport checked in person']);

    // Reset the password: the policy's reasons again, then the change with its reason.
    await row.getByRole('button', { name: 'Reset password of nora' }).click();
    const reset = page.getByTestId('reset-form');
    await expectFocus(page, /^input/);
    await reset.getByLabel('New password').fill('aaaaaaaaaaaaaaa');
    await reset.getByLabel('Reason (required; recorded in the audit trail)').fill('forgotten at site initiation');
    await reset.getByRole('button', { name: 'Reset password' }).click();
    await expectText(page.getByTestId(`reset-password-${nora.id}-problems`), /^password must use at least 5 different characters$/);
    await reset.getByLabel('New password').fill(NEW_PASSWORD);
    await reset.getByRole('button', { name: 'Reset password' }).click();
    await expectText(page.locator('#users-notice'), /^Password of nora replaced; their sessions have ended\.$/);
    await expectFocus(page, /^p: Password of nora replaced/);
    expect((await auditOf(nora.id, 'user.password_reset')).map((e) => e.reason)).toEqual(['forgotten at site initiation']);
    await screenshot(page, '41-admin-users');

    // Disable an account (reader 2 is not used again here): the reason is asked for, then the row has no changes.
    const rd2 = t.readers[1];
    const rd2Row = page.locator(`tr[data-user="${rd2.username}"]`);
    await rd2Row.getByRole('button', { name: `Disable ${rd2.username}` }).click();
    const disable = page.getByTestId('disable-form');
    expect(await disable.getByRole('button', { name: 'Disable account' }).evaluate((b: { disabled: boolean }) => b.disabled)).toBe(true);
    await disable.getByLabel('Reason (required; recorded in the audit trail)').fill('left the reading panel');
    await disable.getByRole('button', { name: 'Disable account' }).click();
    await expectText(page.locator('#users-notice'), new RegExp(`^Account ${rd2.username} disabled; their sessions have ended\. Usernames are never reused\.$`));
    await expectText(rd2Row, /\s+no\s+disabled\s+verified\s+/);
    expect(await rd2Row.getByRole('button').count()).toBe(0);
    await expectFocus(page, /^p: Account .* disabled/);
    expect((await auditOf(rd2.id, 'user.disable')).map((e) => e.reason)).toEqual(['left the reading panel']);
    await close();
  });

  it('an administrator creates a trial, approves its charter by e-signature, adds a site, grants and revokes roles', async () => {
    const { page, close } = await open(t.admin.username);
    await adminNav(page).getByRole('link', { name: 'Trials' }).click();
    await expectText(page.locator('h1'), /^Trials$/);
    await expectText(page.locator('tr[data-trial="EXP-WEB"]'), /EXP-WEB\s+Trial EXP-WEB\s+Acme Oncology\s+bicr-recist-1\.1 v1\s+[0-9a-f]{16}…\s+approved/);
    await screenshot(page, '42-admin-trials');
    const form = page.getByTestId('create-trial');
    await form.getByLabel('Trial code').fill('ADM-WEB');
    await form.getByLabel('Title').fill('Administration through the screens');
    await form.getByLabel('Sponsor').fill('Acme Oncology');
    expect(await form.getByLabel('Charter').evaluate((i: { value: string }) => i.value)).toBe('bicr-recist-1.1');
    await form.getByRole('button', { name: 'Create trial' }).click();
    await expectText(page.locator('h1'), /^Setup of ADM-WEB$/);
    const trial = await p.ctx.db.selectFrom('trials').selectAll().where('code', '=', 'ADM-WEB').executeTakeFirstOrThrow();
    const charter = page.getByTestId('charter');
    await expectText(charter, new RegExp(`Charter\\s+not approved[\\s\\S]*SHA-256\\s+${trial.protocol_sha256}[\\s\\S]*Status\\s+setup`));
    // The statement, its meaning and the printed name are on screen before the password is asked for (11.50).
    const sign = page.getByTestId('sign-form');
    await expectText(sign, new RegExp(`“I approve charter bicr-recist-1\\.1 version 1 \\(SHA-256 ${trial.protocol_sha256}\\) for trial ADM-WEB” \\(meaning: approved\\)`));
    await expectText(sign, /Signing as adm-expweb \(test\)\. The server records the date and time in UTC\./);
    await sign.getByLabel('Password (asked for every signature)').fill('not my password');
    await sign.getByRole('button', { name: 'Sign approval' }).click();
    await expectText(sign.getByRole('alert'), /^Not signed: Invalid credentials: password is incorrect$/);
    await sign.getByLabel('Password (asked for every signature)').fill(TEST_PASSWORD);
    await sign.getByRole('button', { name: 'Sign approval' }).click();
    await expectText(page.getByTestId('signature'), /Approved by: adm-expweb \(test\), \d{4}-\d\d-\d\dT[\d:.]+Z \(UTC\), approved\s+Meaning\s+approved · version 1 · authentic\s+matches record/);
    await expectText(charter, /Charter\s+approved[\s\S]*Status\s+active/);
    await expectFocus(page, /^h3: Signatures on the charter$/);
    expect(await page.getByTestId('sign-form').count()).toBe(0);
    const approved = await p.ctx.db.selectFrom('trials').select(['protocol_approved_at', 'status']).where('id', '=', trial.id).executeTakeFirstOrThrow();
    expect(approved.status).toBe('active');

    const sites = page.getByTestId('sites');
    await sites.getByLabel('Site code').fill('NORTH-1');
    await sites.getByLabel('Site name').fill('North Hospital');
    await sites.getByRole('button', { name: 'Add site' }).click();
    await expectText(sites.locator('tr[data-site="NORTH-1"]'), /^NORTH-1\s+North Hospital\s+\d{4}-/);
    await screenshot(page, '43-admin-trial-setup');

    // Memberships: the administrator's navigation on the new trial leads there.
    await nav(page).getByRole('link', { name: 'Members' }).click();
    await expectText(page.locator('h1'), /^Members of ADM-WEB$/);
    await expectText(page.locator('main'), /Nobody holds a role on this trial yet\./);
    const add = page.getByTestId('add-member');
    await add.getByLabel('User').selectOption('Nora Stat (nora)');
    await add.getByLabel('Role').selectOption('sponsor');
    await add.getByLabel('Site binding (sponsors)').selectOption('NORTH-1 (North Hospital)');
    await add.getByRole('button', { name: 'Grant role' }).click();
    await expectText(page.locator('#members-notice'), /^nora now holds the sponsor role, bound to site NORTH-1\.$/);
    await expectText(page.locator('tr[data-member="nora:sponsor"]'), /^Nora Stat \(nora\)\s+sponsor\s+NORTH-1 \(North Hospital\)\s+active\s+\d{4}-.*UTC\s+Revoke$/);
    // Only a sponsor is bound to a site: for other roles the binding is off.
    await add.getByLabel('User').selectOption('Nora Stat (nora)');
    await add.getByLabel('Role').selectOption('biostatistician');
    expect(await add.getByLabel('Site binding (sponsors)').evaluate((s: { disabled: boolean }) => s.disabled)).toBe(true);
    await add.getByRole('button', { name: 'Grant role' }).click();
    await expectText(page.locator('#members-notice'), /^nora now holds the biostatistician role\.$/);
    const bio = page.locator('tr[data-member="nora:biostatistician"]');
    await expectText(bio, /^Nora Stat \(nora\)\s+biostatistician\s+all sites\s+active/);

    // Revoking asks for the reason; Escape closes the form and gives the focus back to its button.
    await bio.getByRole('button', { name: 'Revoke the biostatistician role of nora' }).click();
    const revoke = page.getByTestId('revoke-form');
    await expectFocus(page, /^textarea/);
    await page.keyboard.press('Escape');
    await expectCount(page.getByTestId('revoke-form'), 0);
    await expectFocus(page, /^button: Revoke the biostatistician role of nora$/);
    await page.keyboard.press('Enter');
    await expectFocus(page, /^textarea/);
    expect(await revoke.getByRole('button', { name: 'Revoke role' }).evaluate((b: { disabled: boolean }) => b.disabled)).toBe(true);
    await page.keyboard.type('granted by mistake');
    await revoke.getByRole('button', { name: 'Revoke role' }).click();
    await expectText(page.locator('#members-notice'), /^The biostatistician role of nora is revoked\.$/);
    await expectText(bio, /biostatistician\s+all sites\s+revoked/);
    await expectFocus(page, /^p: The biostatistician role of nora is revoked\.$/);
    expect(await bio.getByRole('button').count()).toBe(0);
    await screenshot(page, '44-admin-members');

    const nora = await p.ctx.db.selectFrom('users').select('id').where('username', '=', 'nora').executeTakeFirstOrThrow();
    const site = await p.ctx.db.selectFrom('sites').select('id').where('trial_id', '=', trial.id).where('code', '=', 'NORTH-1').executeTakeFirstOrThrow();
    const memberships = await p.ctx.db.selectFrom('memberships').select(['id', 'role', 'site_id', 'status']).where('trial_id', '=', trial.id).where('user_id', '=', nora.id).orderBy('role').execute();
    expect(memberships.map((m) => [m.role, m.site_id, m.status])).toEqual([['biostatistician', null, 'revoked'], ['sponsor', site.id, 'active']]);
    expect((await auditOf(memberships[0].id, 'membership.revoke')).map((e) => e.reason)).toEqual(['granted by mistake']);
    await close();

    // The new account works with the password the administrator set, and holds exactly the role granted.
    const asNora = await open('nora', NEW_PASSWORD);
    await expectText(asNora.page.locator('tbody tr').filter({ hasText: 'ADM-WEB' }), /^ADM-WEB\s+Administration through the screens\s+bicr-recist-1\.1\s+approved\s+active\s+sponsor$/);
    expect(await adminNav(asNora.page).count()).toBe(0);
    await asNora.close();
  });

  async function startCut(page: Page, cutoff: string) {
    await nav(page).getByRole('link', { name: 'Data exports' }).click();
    await expectText(page.locator('h1'), /^Data exports$/);
    await page.getByLabel('Cut-off date (UTC)').fill(cutoff);
    await page.getByRole('button', { name: 'Start data cut' }).click();
    await expectText(page.locator('h1'), new RegExp(`^Data cut of ${cutoff}$`));
    const exportId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    return exportId;
  }

  it('a biostatistician starts a data cut, follows it to passed, and downloads a file and the manifest, each verified in the browser', async () => {
    const { page, downloads, close } = await open('bea');
    await page.getByRole('link', { name: 'EXP-WEB' }).click();
    await expectText(page.locator('h1'), /EXP-WEB: Trial EXP-WEB/);
    expect(await nav(page).getByRole('link').allInnerTexts()).toEqual(['EXP-WEB', 'Data exports']);
    expect(await adminNav(page).count()).toBe(0);
    await nav(page).getByRole('link', { name: 'Data exports' }).click();
    await expectText(page.locator('main'), /No data cut has been made on this trial yet\./);

    passedExportId = await startCut(page, '2024-12-31');
    await expectText(page.getByTestId('job-status'), /^(Job (queued|running|succeeded), \d+% \(attempt \d\)|Cut (queued|running)\.)/);
    await screenshot(page, '45-export-building');
    // The screen follows the job (GET /jobs/{id}) to its end, then shows the cut as the server has it; a job that
    // ended before the screen first looked shows the cut's own completion instead.
    await expectText(page.getByTestId('job-status'), /^(Job succeeded, 100% \(attempt 1\)|Cut passed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.)$/, 90_000);
    expect(await page.locator('#build-progress').evaluate((el: { value: number }) => el.value)).toBe(100);
    const exp = await serverExport(passedExportId);
    expect(exp.state).toBe('passed');
    await expectText(page.getByTestId('cut-facts'), /State\s+passed\s+Cut-off\s+2024-12-31 \(scans dated on or before it\)\s+Assessments\s+reader1, reader2, adjudicator\s+Formats\s+xpt, define-xml, csv, xlsx[\s\S]*Study\s+EXP-WEB, 1 subject/);
    const { errors, warnings } = exp.manifest.findings;
    expect(errors).toBe(0);
    await expectText(page.getByTestId('conformance-summary'), new RegExp(`^Passed: 0 errors, ${warnings} warnings?\\.$`));
    if (exp.findings.length > 0) await expectCount(page.getByTestId('findings').locator('tbody tr'), exp.findings.length);
    else await expectText(page.getByTestId('conformance'), /No findings\./);

    // Every file of the manifest is listed with its SHA-256, and the manifest itself.
    const files = page.getByTestId('files');
    for (const f of exp.manifest.files) await expectText(files.locator(`tr[data-file="${f.name}"]`), new RegExp(`^${f.name.replace('.', '\\.')}\\s+${f.role}\\s+[\\d.]+ (B|KiB)\\s+${f.sha256}\\s+Download ${f.name.replace('.', '\\.')}\\s+not downloaded$`));
    await expectText(files.locator('tr[data-file="manifest.json"]'), /^manifest\.json\s+manifest\s+—\s+sent by the server with the file \(X-Content-SHA256\)\s+Download manifest\.json\s+not downloaded$/);

    const tu = exp.manifest.files.find((f: { name: string }) => f.name === 'tu.xpt');
    await files.getByRole('button', { name: 'Download tu.xpt' }).click();
    await expectText(page.getByTestId('check-tu.xpt'), new RegExp(`^verified SHA-256 matches the manifest; saved\\. Computed ${tu.sha256}$`));
    await files.getByRole('button', { name: 'Download manifest.json' }).click();
    const manifestText = await p.request('GET', `/trials/${t.trialId}/exports/${passedExportId}/files/manifest.json`, { token: bioToken }).then((r) => r.text());
    await expectText(page.getByTestId('check-manifest.json'), new RegExp(`^verified SHA-256 matches the server’s and the content matches this cut’s record; saved\\. Computed ${sha256(manifestText)}$`));
    await screenshot(page, '46-export-passed-verified');

    // What the browser saved is what the manifest lists, byte for byte.
    for (let i = 0; i < 100 && downloads.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    const saved = Object.fromEntries(await Promise.all(downloads.map(async (d) => [d.suggestedFilename(), readFileSync((await d.path())!)] as const)));
    expect(Object.keys(saved).sort()).toEqual(['manifest.json', 'tu.xpt']);
    expect(sha256(saved['tu.xpt'])).toBe(tu.sha256);
    expect(saved['tu.xpt'].length).toBe(tu.sizeBytes);
    expect(JSON.parse(saved['manifest.json'].toString('utf8'))).toEqual(exp.manifest);
    // The server audited both downloads with the hashes the page verified.
    const audited = (await auditOf(passedExportId, 'export.download')).map((e) => JSON.parse(e.after_json!));
    expect(audited.map((a) => [a.file, a.sha256])).toEqual(expect.arrayContaining([['tu.xpt', tu.sha256], ['manifest.json', sha256(saved['manifest.json'])]]));
    await close();
  });

  it('a cut that fails its conformance check shows every finding and offers nothing to download', async () => {
    // A signed evaluation that no longer follows from its measurements (reader 1's TP1 stored as CR): the cut's
    // engine check must refuse it, as in the API test of exports.
    const readId = await readIdOf(p, timepointIds[1], 1);
    const r = await p.ctx.db.selectFrom('reads').select('current_version').where('id', '=', readId).executeTakeFirstOrThrow();
    const v = await p.ctx.db.selectFrom('read_versions').selectAll().where('read_id', '=', readId).where('version', '=', Number(r.current_version)).executeTakeFirstOrThrow();
    const evaluation = JSON.parse(v.evaluation_json!);
    for (const tp of evaluation.engine.timepoints) if (tp.recist11) tp.recist11.overall = 'CR';
    await p.ctx.db.updateTable('read_versions').set({ evaluation_json: JSON.stringify(evaluation) }).where('id', '=', v.id).execute();
    const { page, close } = await open('bea');
    try {
      await page.getByRole('link', { name: 'EXP-WEB' }).click();
      const exportId = await startCut(page, '2024-12-30');
      await expectText(page.getByTestId('job-status'), /^(Job succeeded, 100% \(attempt 1\)|Cut failed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.)$/, 90_000);
      const exp = await serverExport(exportId);
      expect(exp.state).toBe('failed');
      const errors = exp.findings.filter((f: { severity: string }) => f.severity === 'error');
      expect(errors.length).toBeGreaterThan(0);
      await expectText(page.getByTestId('cut-facts'), /^State\s+failed/);
      await expectText(page.getByTestId('conformance'), /Conformance check\s+failed/);
      await expectText(page.getByTestId('conformance-summary'), new RegExp(`^Failed: ${exp.manifest.findings.errors} errors?, ${exp.manifest.findings.warnings} warnings?\\.$`));
      // Every finding, errors first, each with its severity, check, domain, subject, row and message.
      const table = page.getByTestId('findings');
      await expectText(table.locator('caption'), new RegExp(`^All ${exp.findings.length} findings?, errors first$`));
      await expectCount(table.locator('tbody tr'), exp.findings.length);
      await expectCount(table.locator('tbody tr[data-severity="error"]'), errors.length);
      const onScreen = (await table.locator('tbody tr').allInnerTexts()).map((x) => x.replace(/\s+/g, ' ').trim());
      const expected = exp.findings.map((f: Record<string, string | number | undefined>) =>
        [f.severity, `${f.code} primer item ${f.item}${f.p21 ? `, ${f.p21}` : ''}`, f.domain ?? '—', f.usubjid ?? '—', f.row ?? '—', f.variable ?? '—', f.message].join(' ').replace(/\s+/g, ' '),
      );
      expect([...onScreen].sort()).toEqual([...expected].sort());
      expect(onScreen.slice(0, errors.length).every((x) => x.startsWith('error '))).toBe(true);
      // Not downloadable, and the screen says why; the files are listed with their hashes but offer no download.
      await expectText(page.getByTestId('not-downloadable'), new RegExp(`^This cut failed its conformance check with ${exp.manifest.findings.errors} errors?, so it cannot be downloaded\\.`));
      expect(await page.getByRole('button', { name: /^Download / }).count()).toBe(0);
      await expectText(page.getByTestId('files').locator('tr[data-file="tu.xpt"]'), new RegExp(exp.manifest.files.find((f: { name: string }) => f.name === 'tu.xpt').sha256));
      // The server refuses the files of a failed cut too (409), whatever the page offers.
      const refused = await fromPage(page, 'GET', `/trials/${t.trialId}/exports/${exportId}/files/tu.xpt`);
      expect(refused.status).toBe(409);
      expect(JSON.parse(refused.body).detail).toMatch(/failed its conformance check/);
      await screenshot(page, '47-export-failed');

      // Both cuts in the list, newest first, each with its outcome.
      await page.getByRole('link', { name: 'All data cuts' }).click();
      await expectText(page.locator('h1'), /^Data exports$/);
      const cuts = page.getByTestId('cuts');
      await expectText(cuts.locator(`tr[data-export="${exportId}"]`), new RegExp(`^2024-12-30\\s+\\d{4}-.*UTC\\s+reader1, reader2, adjudicator\\s+failed\\s+failed: ${exp.manifest.findings.errors} errors?, \\d+ warnings?\\s+\\d+\\s+Open$`));
      await expectText(cuts.locator(`tr[data-export="${passedExportId}"]`), /^2024-12-31\s+\d{4}-.*UTC\s+reader1, reader2, adjudicator\s+passed\s+passed: 0 errors, \d+ warnings?\s+\d+\s+Open$/);
      expect((await cuts.locator('tbody tr').allInnerTexts()).map((x) => x.split(/\s/)[0])).toEqual(['2024-12-30', '2024-12-31']);
      await screenshot(page, '48-exports-list');
      // An earlier cut opens from the list as the server has it (its job already over).
      await cuts.getByRole('link', { name: /^Open the cut of 2024-12-31 requested / }).click();
      await expectText(page.locator('h1'), /^Data cut of 2024-12-31$/);
      await expectText(page.getByTestId('job-status'), /^Cut passed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.$/);
      await expectText(page.getByTestId('conformance-summary'), /^Passed: 0 errors/);
      expect(await page.getByRole('button', { name: 'Download tu.xpt' }).count()).toBe(1);
    } finally {
      await p.ctx.db.updateTable('read_versions').set({ evaluation_json: v.evaluation_json }).where('id', '=', v.id).execute();
      await close();
    }
  });

  it('a reader is offered no export or administration screen, and the API refuses the reader', async () => {
    const { page, close } = await open(t.readers[0].username);
    await page.getByRole('link', { name: 'EXP-WEB' }).click();
    await expectText(page.locator('main'), /Your roles\s+reader/);
    expect(await nav(page).getByRole('link').allInnerTexts()).toEqual(['EXP-WEB', 'Reading worklist']);
    expect(await adminNav(page).count()).toBe(0);
    await screenshot(page, '49-reader-no-exports');
    for (const screen of [`trials/${t.trialId}/exports`, `trials/${t.trialId}/exports/${passedExportId}`, `trials/${t.trialId}/members`, `trials/${t.trialId}/setup`, 'admin/users', 'admin/trials']) {
      await page.goto(`${origin}/app/${screen}`);
      await expectText(page.locator('h1'), /^Not available for your role$/);
    }
    for (const [method, path] of [
      ['GET', `/trials/${t.trialId}/exports`],
      ['POST', `/trials/${t.trialId}/exports`],
      ['GET', `/trials/${t.trialId}/exports/${passedExportId}`],
      ['GET', `/trials/${t.trialId}/exports/${passedExportId}/files/manifest.json`],
      ['GET', '/users'],
    ] as const) {
      const res = await fromPage(page, method, path);
      expect(res.status, `${method} ${path}: ${res.body}`).toBe(403);
    }
    await close();
  });

  it('raised no script error in any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
