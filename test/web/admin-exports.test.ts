// The export and administration screens' pure parts, run in Node: when a data cut can be downloaded and why not,
// the order of its findings, the hash check of downloaded bytes (Web Crypto, as in the browser) against the
// manifest, and how a refused form's problem lands on its fields, with problems produced by the real server.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, type OperationId, mayCallAll } from '../../web/src/api/access.js';
import { fieldProblems } from '../../web/src/api/field-problems.js';
import { ApiError } from '../../web/src/api/problem.js';
import {
  type ConformanceFinding,
  type Export,
  canonicalJson,
  conformanceSummary,
  downloadability,
  findingsInOrder,
  isCalendarDate,
  progressPercent,
  sha256Hex,
  verifyDownload,
} from '../../web/src/exports/export-model.js';
import { type TestPlatform, createTestPlatform, seedUser } from '../helpers/test-platform.js';

const hex = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const bytesOf = (s: string) => new TextEncoder().encode(s);
const buf = (u: Uint8Array) => u.slice().buffer;

const manifest = (status: 'passed' | 'failed', errors = 0, warnings = 0): NonNullable<Export['manifest']> => ({
  manifestVersion: 1,
  status,
  generatedAt: '2026-01-02T03:04:05.000Z',
  generatedBy: 'bio (test)',
  platformVersion: '0.1.0',
  parameters: { studyId: 'EXP-1', cutoff: '2024-12-31', sdtmigVersion: '3.4', ctVersion: '2024-09-27', defineVersion: '2.1.0', subjects: 2 },
  files: [{ name: 'tu.xpt', role: 'xpt', sizeBytes: 5, sha256: hex('hello') }],
  findings: { errors, warnings },
});
const cut = (over: Partial<Export>): Export => ({ id: 'e1', trialId: 't1', cutoff: '2024-12-31', parameters: { formats: ['xpt'], assessments: ['reader1'] }, state: 'passed', createdAt: '2026-01-01T00:00:00Z', ...over });

describe('data cut: downloadability and summaries', () => {
  it.each<[string, Export, boolean, RegExp | null]>([
    ['a passed cut', cut({ state: 'passed', manifest: manifest('passed') }), true, null],
    ['a queued cut', cut({ state: 'queued', manifest: null }), false, /^The cut is queued: its files can be downloaded once it has been built and has passed its conformance check\.$/],
    ['a running cut', cut({ state: 'running', manifest: null }), false, /^The cut is running/],
    ['a cut that failed its check', cut({ state: 'failed', manifest: manifest('failed', 3, 1) }), false, /^This cut failed its conformance check with 3 errors, so it cannot be downloaded\./],
    ['a cut that failed with one error', cut({ state: 'failed', manifest: manifest('failed', 1) }), false, /with 1 error, so/],
    ['a cut whose job was cancelled', cut({ state: 'failed', manifest: null, error: 'export job cancelled: cancelled by user' }), false, /^This cut could not be built: export job cancelled: cancelled by user\. It has no files to download/],
  ])('%s', (_what, e, downloadable, why) => {
    const d = downloadability(e);
    expect(d.downloadable).toBe(downloadable);
    if (!d.downloadable) expect(d.why).toMatch(why!);
  });

  it('summarises the conformance outcome in words', () => {
    expect(conformanceSummary(cut({ state: 'passed', manifest: manifest('passed', 0, 2) }))).toBe('passed: 0 errors, 2 warnings');
    expect(conformanceSummary(cut({ state: 'failed', manifest: manifest('failed', 1, 1) }))).toBe('failed: 1 error, 1 warning');
    expect(conformanceSummary(cut({ state: 'running', manifest: null }))).toBe('not checked yet');
    expect(conformanceSummary(cut({ state: 'failed', manifest: null, error: 'boom' }))).toBe('not built: boom');
  });

  it('lists errors before warnings, then by domain, subject and row', () => {
    const f = (severity: 'error' | 'warning', domain: string, usubjid: string, row: number, code = 'X'): ConformanceFinding => ({ code, severity, item: 1, domain, usubjid, row, message: `${severity} ${domain} ${row}` });
    const ordered = findingsInOrder([f('warning', 'TU', 'S-1', 1), f('error', 'TR', 'S-2', 9), f('error', 'RS', 'S-1', 3), f('error', 'TR', 'S-2', 2)]);
    expect(ordered.map((x) => x.message)).toEqual(['error RS 3', 'error TR 2', 'error TR 9', 'warning TU 1']);
  });

  it('shows the job progress as a whole percentage, 100 once the job succeeded', () => {
    expect(progressPercent({ state: 'running', progress: 0.424 })).toBe(42);
    expect(progressPercent({ state: 'queued', progress: 0 })).toBe(0);
    expect(progressPercent({ state: 'running', progress: 7 })).toBe(100);
    expect(progressPercent({ state: 'succeeded', progress: 0.5 })).toBe(100);
  });

  it('accepts only calendar dates as the cut-off', () => {
    expect(isCalendarDate('2024-12-31')).toBe(true);
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2024-02-30')).toBe(false);
    expect(isCalendarDate('31/12/2024')).toBe(false);
  });
});

describe('downloaded bytes against the manifest (crypto.subtle)', () => {
  it('hashes like node:crypto', async () => {
    const data = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);
    expect(await sha256Hex(data)).toBe(hex(data));
    expect(await sha256Hex(buf(bytesOf('hello')))).toBe(hex('hello'));
    // a view into a larger buffer hashes only its own bytes
    expect(await sha256Hex(data.subarray(10, 20))).toBe(hex(data.subarray(10, 20)));
  });

  const entry = { name: 'tu.xpt', role: 'xpt' as const, sizeBytes: 5, sha256: hex('hello') };

  it('verifies a file whose bytes hash to its manifest entry', async () => {
    const v = await verifyDownload(buf(bytesOf('hello')), { kind: 'file', entry, header: hex('hello') });
    expect(v).toEqual({ computed: hex('hello'), expected: hex('hello'), verified: true, problems: [] });
  });

  it('refuses a file whose bytes, size or server header differ from the manifest', async () => {
    const changed = await verifyDownload(buf(bytesOf('hellO')), { kind: 'file', entry, header: hex('hellO') });
    expect(changed.verified).toBe(false);
    expect(changed.problems).toEqual([`SHA-256 of the downloaded bytes (${hex('hellO')}) differs from the manifest (${hex('hello')})`, `the server's X-Content-SHA256 (${hex('hellO')}) differs from the manifest`]);
    const longer = await verifyDownload(buf(bytesOf('hello!')), { kind: 'file', entry, header: null });
    expect(longer.problems).toContain('size 6 bytes differs from the manifest (5 bytes)');
  });

  it("verifies the manifest by the server's header and by its content, whatever the key order", async () => {
    const m = manifest('passed');
    const { findings, ...rest } = m;
    const text = `${JSON.stringify({ findings, ...rest }, null, 2)}\n`;
    const ok = await verifyDownload(buf(bytesOf(text)), { kind: 'manifest', manifest: m, header: hex(text) });
    expect(ok).toMatchObject({ verified: true, computed: hex(text), expected: hex(text) });
    expect(canonicalJson(JSON.parse(text))).toBe(canonicalJson(m));

    const tampered = text.replace(hex('hello'), hex('other'));
    const bad = await verifyDownload(buf(bytesOf(tampered)), { kind: 'manifest', manifest: m, header: hex(tampered) });
    expect(bad.problems).toEqual(["the manifest's content differs from the export's record"]);
    const noHeader = await verifyDownload(buf(bytesOf(text)), { kind: 'manifest', manifest: m, header: null });
    expect(noHeader.problems).toEqual(['the server sent no X-Content-SHA256 for the manifest']);
    const notJson = await verifyDownload(buf(bytesOf('{')), { kind: 'manifest', manifest: m, header: hex('{') });
    expect(notJson.problems).toEqual(['the manifest is not valid JSON']);
  });
});

describe('a refused form: the problem lands on its fields (problems from the real server)', () => {
  let p: TestPlatform;
  let admin: string;
  beforeAll(async () => {
    p = await createTestPlatform();
    await seedUser(p, 'root-fields', { admin: true, verified: true });
    admin = await p.login('root-fields');
  });
  afterAll(async () => p?.dispose());

  const refusal = async (body: unknown) => {
    const res = await p.request('POST', '/users', { token: admin, body });
    return new ApiError(res.status, await res.json());
  };

  it("lists every reason of the password policy on the password field", async () => {
    const e = await refusal({ username: 'weakling', displayName: 'W', password: 'weakling1' });
    expect(e.status).toBe(400);
    expect(fieldProblems(e)).toEqual({
      password: ['password must be at least 12 characters', 'password must not contain the username'],
    });
  });

  it('puts body validation on the field it names (under /body)', async () => {
    const e = await refusal({ username: 'x', displayName: '', password: 'Correct-horse-battery-9', email: 'not an email' });
    const f = fieldProblems(e);
    expect(Object.keys(f).sort()).toEqual(['displayName', 'email', 'username']);
    expect(f.username.join()).toMatch(/fewer than 2 characters/);
  });

  it('has nothing for a refusal without field errors, or for other errors', async () => {
    const res = await p.request('POST', '/users', { token: admin, body: { username: 'root-fields', displayName: 'again', password: 'Correct-horse-battery-9' } });
    expect(res.status).toBe(409);
    expect(fieldProblems(new ApiError(409, await res.json()))).toEqual({});
    expect(fieldProblems(new Error('x'))).toEqual({});
  });
});

describe('who is offered the new screens (the same x-access the server enforces)', () => {
  const admin: Caller = { isAdmin: true, roles: [] };
  const as = (...roles: Caller['roles']): Caller => ({ isAdmin: false, roles });
  const exportsScreen: OperationId[] = ['requestExport', 'listExports'];
  const exportScreen: OperationId[] = ['getExport', 'downloadExportFile', 'getJob'];
  const adminOnly: OperationId[][] = [
    ['listMembers', 'addMember', 'revokeMember', 'listUsers', 'listSites', 'getTrial'],
    ['getTrial', 'approveProtocol', 'listTrialSignatures', 'listSites', 'createSite'],
    ['listUsers', 'createUser', 'verifyIdentity', 'resetPassword', 'disableUser'],
  ];
  it.each<[string, Caller, boolean]>([
    ['biostatistician', as('biostatistician'), true],
    ['administrator', admin, true],
    ['reader', as('reader'), false],
    ['adjudicator', as('adjudicator'), false],
    ['qc and sponsor', as('qc', 'sponsor'), false],
  ])('data exports for %s: %s', (_who, caller, allowed) => {
    expect(mayCallAll(exportsScreen, caller)).toBe(allowed);
    expect(mayCallAll(exportScreen, caller)).toBe(allowed);
  });
  it('administration only for administrators', () => {
    for (const needs of adminOnly) {
      expect(mayCallAll(needs, admin)).toBe(true);
      expect(mayCallAll(needs, as('sponsor', 'qc', 'reader', 'adjudicator', 'biostatistician'))).toBe(false);
    }
  });
});
