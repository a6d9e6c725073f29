// @req P11-DEV-01: a sponsor user bound to a site enrols, sees and uploads for that site's subjects only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/service-context.js';
import { addMember, createSite, createTimepoint, enrollSubject } from '../../src/services/trials.js';
import { DIALECT, type TestPlatform, createTestPlatform, seedTrial, seedUser } from '../helpers/test-platform.js';

describe(`site-bound sponsors (${DIALECT})`, () => {
  let p: TestPlatform;
  let trialId: string;
  let siteA: string;
  let siteB: string;
  let subjectA: string;
  let subjectB: string;
  let tpB: string;
  let token: string;
  beforeAll(async () => {
    p = await createTestPlatform();
    const t = await seedTrial(p, 'ONC-SITES');
    trialId = t.trial.id;
    siteA = t.siteId;
    siteB = (await createSite(p.ctx, SYSTEM_ACTOR, trialId, { code: 'SB', name: 'Other hospital' })).id;
    subjectA = (await enrollSubject(p.ctx, SYSTEM_ACTOR, trialId, { siteId: siteA, subjectCode: 'A-0001' })).id;
    subjectB = (await enrollSubject(p.ctx, SYSTEM_ACTOR, trialId, { siteId: siteB, subjectCode: 'B-0001' })).id;
    tpB = (await createTimepoint(p.ctx, SYSTEM_ACTOR, trialId, subjectB, { visitCode: 'BASELINE', visitNum: 1, label: 'Baseline' })).id;
    const u = await seedUser(p, 'site-a-coordinator');
    await addMember(p.ctx, SYSTEM_ACTOR, { trialId, userId: u.id, role: 'sponsor', siteId: siteA });
    token = await p.login('site-a-coordinator');
  });
  afterAll(async () => p?.dispose());

  it('lists its own site and subjects only', async () => {
    expect((await (await p.request('GET', `/trials/${trialId}/sites`, { token })).json()).map((s: { id: string }) => s.id)).toEqual([siteA]);
    expect((await (await p.request('GET', `/trials/${trialId}/subjects`, { token })).json()).map((s: { id: string }) => s.id)).toEqual([subjectA]);
  });

  it('cannot enrol at another site, nor reach another site\'s subject, visits or uploads', async () => {
    expect((await p.request('POST', `/trials/${trialId}/subjects`, { token, body: { siteId: siteB, subjectCode: 'B-0002' } })).status).toBe(403);
    expect((await p.request('POST', `/trials/${trialId}/subjects`, { token, body: { siteId: siteA, subjectCode: 'A-0002' } })).status).toBe(201);
    expect((await p.request('GET', `/trials/${trialId}/subjects/${subjectB}/timepoints`, { token })).status).toBe(404);
    expect((await p.request('GET', `/trials/${trialId}/subjects/${subjectB}/visits`, { token })).status).toBe(404);
    expect((await p.request('POST', `/trials/${trialId}/uploads`, { token, body: { subjectId: subjectB, timepointId: tpB } })).status).toBe(404);
  });
});
