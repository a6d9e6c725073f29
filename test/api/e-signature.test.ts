// @req P11-SIG-01 P11-SIG-02 P11-ID-01 P11-ID-02 P11-DOC-01: signing needs the password again and identity
// verification; a signature binds signer, meaning, time and the content hash; edits and copies are detected.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECT, TEST_PASSWORD, type TestPlatform, createTestPlatform, seedTrial, seedUser } from '../helpers/test-platform.js';

describe(`e-signatures (${DIALECT})`, () => {
  let p: TestPlatform;
  let trialId: string;
  let token: string;
  beforeEach(async () => {
    p = await createTestPlatform();
    trialId = (await seedTrial(p, 'ONC-SIG')).trial.id;
  });
  afterEach(async () => p?.dispose());

  const approve = (password?: string) =>
    p.request('POST', `/trials/${trialId}/protocol/approve`, { token, body: password === undefined ? {} : { password } });

  it('refuses to sign before a second administrator verified the signer\'s identity (P11-ID-01)', async () => {
    await seedUser(p, 'alice', { admin: true });
    token = await p.login('alice');
    const r = await approve(TEST_PASSWORD);
    expect(r.status).toBe(403);
    expect((await r.json()).detail).toMatch(/verified your identity/);
    // An admin cannot verify themself.
    const me = (await (await p.request('GET', '/me', { token })).json()).user.id;
    expect((await p.request('POST', `/users/${me}/verify-identity`, { token, body: { reason: 'me' } })).status).toBe(403);
  });

  it('requires the password again for every signature (P11-ID-02)', async () => {
    await seedUser(p, 'alice', { admin: true, verified: true });
    token = await p.login('alice');
    expect((await approve()).status).toBe(400);
    const wrong = await approve('not-my-password');
    expect(wrong.status).toBe(401);
    const actions = (await p.ctx.db.selectFrom('audit_events').select('action').execute()).map((e) => e.action);
    expect(actions).toContain('auth.signing_failed');
  });

  it('binds printed name, UTC time, meaning and content hash; a later change shows it no longer matching (P11-SIG-01/02)', async () => {
    await seedUser(p, 'alice', { admin: true, verified: true });
    token = await p.login('alice');
    const r = await approve(TEST_PASSWORD);
    expect(r.status).toBe(200);
    const check = await r.json();
    expect(check).toMatchObject({ authentic: true, matchesRecord: true, signature: { meaning: 'approved', signerName: 'alice (test)', entityType: 'trial_protocol', entityId: trialId } });
    expect(check.manifestation).toMatch(/^alice \(test\), \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(UTC\), approved$/);
    expect((await approve(TEST_PASSWORD)).status).toBe(409);

    // The record signed (the charter's hash) changes behind the platform's back: the signature no longer matches.
    await sql`UPDATE trials SET protocol_sha256 = ${'f'.repeat(64)} WHERE id = ${trialId}`.execute(p.ctx.db);
    const [after] = await (await p.request('GET', `/trials/${trialId}/signatures`, { token })).json();
    expect(after).toMatchObject({ authentic: true, matchesRecord: false });
  });

  it('detects a signature row edited in the database or copied to another record (P11-SIG-02)', async () => {
    await seedUser(p, 'alice', { admin: true, verified: true });
    token = await p.login('alice');
    expect((await approve(TEST_PASSWORD)).status).toBe(200);
    const other = (await seedTrial(p, 'ONC-SIG2')).trial.id;
    // Copy the signature to the other trial's charter, forging only the entity id (trigger-free insert).
    await sql`INSERT INTO signatures (id, trial_id, entity_type, entity_id, record_version, signer_id, signer_name, meaning, signed_at, content_sha256, mac)
      SELECT 'copied', ${other}, entity_type, ${other}, record_version, signer_id, signer_name, meaning, signed_at, content_sha256, mac FROM signatures WHERE entity_id = ${trialId}`.execute(p.ctx.db);
    const [copied] = await (await p.request('GET', `/trials/${other}/signatures`, { token })).json();
    expect(copied).toMatchObject({ authentic: false, matchesRecord: false });

    // Editing the meaning of the original (triggers dropped) breaks its MAC.
    if (DIALECT === 'sqlite') await sql`DROP TRIGGER signatures_no_update`.execute(p.ctx.db);
    else await sql`DROP TRIGGER signatures_no_update_delete ON signatures`.execute(p.ctx.db);
    await sql`UPDATE signatures SET meaning = 'reviewed' WHERE entity_id = ${trialId}`.execute(p.ctx.db);
    const [edited] = await (await p.request('GET', `/trials/${trialId}/signatures`, { token })).json();
    expect(edited.authentic).toBe(false);
  });
});
