// The web application's pure parts, run in Node: its view of the contract is current, its access rule reads
// x-access the way the server enforces it, and the upload queue moves files through their states correctly.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Caller, type OperationId, mayCall } from '../../web/src/api/access.js';
import { mediaTypeOf } from '../../web/src/upload/media-type.js';
import { type QueueAction, type QueuedFile, mayComplete, summarize, uploadQueue } from '../../web/src/upload/upload-queue.js';

const web = path.resolve('web');

describe('the web application and openapi.yaml', () => {
  it('has the access table generated from openapi.yaml (npm --prefix web run gen:api)', () => {
    expect(() => execFileSync(process.execPath, [path.join(web, 'scripts/gen-api.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  const admin: Caller = { isAdmin: true, roles: [] };
  const as = (...roles: Caller['roles']): Caller => ({ isAdmin: false, roles });
  it.each<[OperationId, Caller, boolean]>([
    ['getMe', as(), true],
    ['listUsers', as('sponsor', 'qc'), false],
    ['listUsers', admin, true],
    ['listSubjects', as('sponsor'), true],
    ['listSubjects', as('qc'), true],
    ['listSubjects', as('reader'), false],
    ['listSubjects', as('adjudicator', 'biostatistician'), false],
    ['listSubjects', admin, true],
    ['createUpload', as('sponsor'), true],
    ['createUpload', as('qc'), false],
    // QC decisions are the qc role's own: an administrator without it may not make them (x-access admin: false).
    ['decideQc', as('qc'), true],
    ['decideQc', admin, false],
    ['decideQc', { isAdmin: true, roles: ['qc'] }, true],
    ['raiseQuery', as('sponsor'), false],
    ['postQueryMessage', as('sponsor'), true],
    ['resolveQuery', as('sponsor'), false],
    ['listAuditEvents', as('qc'), true],
    ['listAuditEvents', as('sponsor'), false],
    ['listAuditEvents', admin, true],
    ['verifyAuditTrail', as('qc'), false],
    ['verifyAuditTrail', admin, true],
    ['listMembers', as('qc', 'sponsor', 'reader'), false],
    ['getJob', as(), true],
  ])('mayCall(%s, %j) is %s', (op, caller, allowed) => {
    expect(mayCall(op, caller)).toBe(allowed);
  });
});

describe('upload queue', () => {
  const file = (name: string, size: number) => new File([new Uint8Array(size)], name);
  const a = file('IM1.dcm', 100);
  const b = file('IM2.dcm', 50);
  const run = (actions: QueueAction[]) => actions.reduce(uploadQueue, [] as QueuedFile[]);
  const added: QueueAction = { type: 'add', files: [{ file: a, relPath: 'visit/IM1.dcm' }, { file: b, relPath: 'visit/IM2.dcm' }] };
  const k = (relPath: string, size: number) => `${relPath}\u0000${size}`;

  it.each<[string, QueueAction[], Array<[string, QueuedFile['state'], number, string | null]>]>([
    ['adds files as waiting', [added], [['visit/IM1.dcm', 'pending', 0, null], ['visit/IM2.dcm', 'pending', 0, null]]],
    ['sends the same file once however often it is dropped', [added, added], [['visit/IM1.dcm', 'pending', 0, null], ['visit/IM2.dcm', 'pending', 0, null]]],
    ['tracks progress, never past the size', [added, { type: 'sending', key: k('visit/IM1.dcm', 100) }, { type: 'progress', key: k('visit/IM1.dcm', 100), sentBytes: 40 }, { type: 'progress', key: k('visit/IM2.dcm', 50), sentBytes: 10 }], [['visit/IM1.dcm', 'sending', 40, null], ['visit/IM2.dcm', 'pending', 0, null]]],
    ['caps progress at the file size', [added, { type: 'sending', key: k('visit/IM1.dcm', 100) }, { type: 'progress', key: k('visit/IM1.dcm', 100), sentBytes: 400 }], [['visit/IM1.dcm', 'sending', 100, null], ['visit/IM2.dcm', 'pending', 0, null]]],
    ['keeps a failure with its reason, and a retry starts again from zero', [added, { type: 'sending', key: k('visit/IM1.dcm', 100) }, { type: 'progress', key: k('visit/IM1.dcm', 100), sentBytes: 70 }, { type: 'failed', key: k('visit/IM1.dcm', 100), error: 'HTTP 507' }], [['visit/IM1.dcm', 'failed', 70, 'HTTP 507'], ['visit/IM2.dcm', 'pending', 0, null]]],
    ['retries only failed files', [added, { type: 'failed', key: k('visit/IM1.dcm', 100), error: 'x' }, { type: 'retry', key: k('visit/IM1.dcm', 100) }, { type: 'retry', key: k('visit/IM2.dcm', 50) }], [['visit/IM1.dcm', 'pending', 0, null], ['visit/IM2.dcm', 'pending', 0, null]]],
    ['removes a waiting file but never one on its way or on the server', [added, { type: 'sending', key: k('visit/IM1.dcm', 100) }, { type: 'remove', key: k('visit/IM1.dcm', 100) }, { type: 'remove', key: k('visit/IM2.dcm', 50) }], [['visit/IM1.dcm', 'sending', 0, null]]],
    ['marks a sent file complete', [added, { type: 'sending', key: k('visit/IM2.dcm', 50) }, { type: 'sent', key: k('visit/IM2.dcm', 50) }, { type: 'remove', key: k('visit/IM2.dcm', 50) }], [['visit/IM1.dcm', 'pending', 0, null], ['visit/IM2.dcm', 'sent', 50, null]]],
  ])('%s', (_what, actions, expected) => {
    expect(run(actions).map((q) => [q.relPath, q.state, q.sentBytes, q.error])).toEqual(expected);
  });

  it('allows completing only when something was sent and nothing waits, moves or failed', () => {
    const sentA: QueueAction[] = [added, { type: 'sent', key: k('visit/IM1.dcm', 100) }];
    expect(mayComplete(summarize(run([added])))).toBe(false);
    expect(mayComplete(summarize(run(sentA)))).toBe(false);
    expect(mayComplete(summarize(run([...sentA, { type: 'failed', key: k('visit/IM2.dcm', 50), error: 'x' }])))).toBe(false);
    expect(mayComplete(summarize(run([...sentA, { type: 'sending', key: k('visit/IM2.dcm', 50) }])))).toBe(false);
    expect(mayComplete(summarize(run([...sentA, { type: 'remove', key: k('visit/IM2.dcm', 50) }])))).toBe(true);
    expect(summarize(run([...sentA, { type: 'sending', key: k('visit/IM2.dcm', 50) }, { type: 'progress', key: k('visit/IM2.dcm', 50), sentBytes: 20 }]))).toEqual({ total: 2, pending: 0, sending: 1, sent: 1, failed: 0, bytes: 150, sentBytes: 120 });
  });

  it.each([
    [{ name: 'visit.zip', type: '' }, 'application/zip'],
    [{ name: 'VISIT.ZIP', type: '' }, 'application/zip'],
    [{ name: 'export', type: 'application/x-zip-compressed' }, 'application/zip'],
    [{ name: 'IM0001', type: '' }, 'application/dicom'],
    [{ name: 'IM1.dcm', type: 'application/dicom' }, 'application/dicom'],
    [{ name: 'DICOMDIR', type: '' }, 'application/dicom'],
  ])('sends %j as %s', (f, type) => {
    expect(mediaTypeOf(f)).toBe(type);
  });
});
