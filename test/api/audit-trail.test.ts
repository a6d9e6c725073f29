// @req P11-AT-01 P11-AT-03 P11-AT-04 P11-AT-05 P11-VAL-02: the change and its event commit together; the trail
// is append-only and tamper-evident; verification names the first broken event.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit-log.js';
import { DIALECT, type TestPlatform, createTestPlatform, grant, seedTrial, seedUser } from '../helpers/test-platform.js';

const run = promisify(execFile);

describe(`audit trail (${DIALECT})`, () => {
  let p: TestPlatform;
  let admin: string;
  let trialId: string;
  beforeEach(async () => {
    p = await createTestPlatform();
    await seedUser(p, 'root', { admin: true, verified: true });
    admin = await p.login('root');
    trialId = (await seedTrial(p, 'ONC-AUD')).trial.id;
  });
  afterEach(async () => p?.dispose());

  const events = () => p.ctx.db.selectFrom('audit_events').selectAll().orderBy('seq').execute();

  it('records each change with actor, role, before/after, request id and server UTC time', async () => {
    const before = await events();
    const res = await p.request('POST', `/trials/${trialId}/sites`, { token: admin, body: { code: 'S99', name: 'Hospital Nine' }, headers: { date: 'Mon, 01 Jan 1990 00:00:00 GMT' } });
    expect(res.status).toBe(201);
    const site = await res.json();
    const added = (await events()).slice(before.length);
    expect(added).toHaveLength(1);
    const e = added[0];
    expect(e).toMatchObject({ action: 'site.create', entity_type: 'site', entity_id: site.id, trial_id: trialId, actor_name: 'root (test)', actor_role: 'admin', request_id: res.headers.get('x-request-id') });
    expect(JSON.parse(e.after_json!)).toMatchObject({ code: 'S99', name: 'Hospital Nine' });
    // P11-AT-04: server time, UTC with milliseconds; a client's clock (Date header) never becomes the audit time.
    expect(e.occurred_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(e.occurred_at) - Date.now())).toBeLessThan(60_000);
  });

  it('writes no event when the change fails, and no change without its event', async () => {
    await p.request('POST', `/trials/${trialId}/sites`, { token: admin, body: { code: 'S1', name: 'one' } });
    const n = (await events()).length;
    const dup = await p.request('POST', `/trials/${trialId}/sites`, { token: admin, body: { code: 'S1', name: 'again' } });
    expect(dup.status).toBe(409);
    expect((await events()).length).toBe(n);
    // A failing audit write fails the operation: with the chain head gone the insert of the event fails and the
    // site row is rolled back with it.
    const sites = async () => (await p.ctx.db.selectFrom('sites').select('id').execute()).length;
    const sitesBefore = await sites();
    await sql`ALTER TABLE audit_chain_head RENAME TO audit_chain_head_gone`.execute(p.ctx.db);
    const failed = await p.request('POST', `/trials/${trialId}/sites`, { token: admin, body: { code: 'S2', name: 'two' } });
    expect(failed.status).toBe(500);
    await sql`ALTER TABLE audit_chain_head_gone RENAME TO audit_chain_head`.execute(p.ctx.db);
    expect(await sites()).toBe(sitesBefore);
  });

  it('refuses UPDATE, DELETE and REPLACE/TRUNCATE on the trail through the application connection', async () => {
    const approve = await p.request('POST', `/trials/${trialId}/protocol/approve`, { token: admin, body: { password: 'Correct-horse-battery-9' } });
    expect(approve.status).toBe(200);
    const statements = [
      sql`UPDATE audit_events SET action = 'forged' WHERE seq = 1`,
      sql`DELETE FROM audit_events WHERE seq = 1`,
      DIALECT === 'sqlite'
        ? sql`INSERT OR REPLACE INTO audit_events (seq, id, occurred_at, actor_name, actor_role, action, entity_type, entity_id, prev_hash, hash) VALUES (1, 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x')`
        : sql`TRUNCATE audit_events`,
      DIALECT === 'sqlite'
        ? sql`REPLACE INTO signatures (id, entity_type, entity_id, record_version, signer_id, signer_name, meaning, signed_at, content_sha256, mac) SELECT id, entity_type, entity_id, record_version, signer_id, signer_name, meaning, signed_at, content_sha256, mac FROM signatures`
        : sql`TRUNCATE signatures`,
    ];
    for (const s of statements) await expect(s.execute(p.ctx.db)).rejects.toThrow(/append-only/);
    expect((await verifyAuditChain(p.ctx.db)).ok).toBe(true);
  });

  const dropTriggers = async () => {
    if (DIALECT === 'sqlite') {
      for (const t of ['audit_events_no_update', 'audit_events_no_delete', 'audit_events_no_replace']) await sql.raw(`DROP TRIGGER ${t}`).execute(p.ctx.db);
    } else {
      await sql`DROP TRIGGER audit_events_no_update_delete ON audit_events`.execute(p.ctx.db);
    }
  };

  it('an event edited behind the platform\'s back (trigger dropped, raw SQL) fails verification at that event', async () => {
    await p.request('POST', `/trials/${trialId}/sites`, { token: admin, body: { code: 'S5', name: 'five' } });
    const all = await events();
    const target = all.find((e) => e.action === 'site.create' && e.after_json?.includes('five'))!;
    await dropTriggers();
    await sql`UPDATE audit_events SET after_json = ${target.after_json!.replace('five', 'FIVE')} WHERE seq = ${target.seq}`.execute(p.ctx.db);
    const v = await verifyAuditChain(p.ctx.db);
    expect(v.ok).toBe(false);
    expect(v.firstBroken).toMatchObject({ seq: Number(target.seq), eventId: target.id, reason: expect.stringContaining('content') });
    // The API and the CLI report the same break.
    const api = await (await p.request('GET', '/audit/verify', { token: admin })).json();
    expect(api.firstBroken.seq).toBe(Number(target.seq));
    const cli = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'audit', 'verify'], { env: { ...process.env, ...p.env } }).catch((e) => e);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`audit trail broken at event ${target.seq}`);
  });

  it('detects a deleted event, reordered events and a truncated tail', async () => {
    for (const code of ['S6', 'S7', 'S8']) await p.request('POST', `/trials/${trialId}/sites`, { token: admin, body: { code, name: code } });
    await dropTriggers();
    const all = await events();
    const mid = all[Math.floor(all.length / 2)];
    await sql`DELETE FROM audit_events WHERE seq = ${mid.seq}`.execute(p.ctx.db);
    let v = await verifyAuditChain(p.ctx.db);
    expect(v.firstBroken?.seq).toBe(Number(mid.seq) + 1);
    expect(v.firstBroken?.reason).toMatch(/sequence gap/);

    // Swap the content of two later events, keeping their seq: the link breaks at the first.
    const [a, b] = all.slice(-2);
    await sql`UPDATE audit_events SET seq = -1 WHERE seq = ${a.seq}`.execute(p.ctx.db);
    await sql`UPDATE audit_events SET seq = ${a.seq} WHERE seq = ${b.seq}`.execute(p.ctx.db);
    await sql`UPDATE audit_events SET seq = ${b.seq} WHERE seq = -1`.execute(p.ctx.db);
    v = await verifyAuditChain(p.ctx.db);
    expect(v.ok).toBe(false);
  });

  it('detects removal of the newest events against the chain head', async () => {
    await p.request('POST', `/trials/${trialId}/sites`, { token: admin, body: { code: 'S9', name: 'nine' } });
    await dropTriggers();
    const last = (await events()).at(-1)!;
    await sql`DELETE FROM audit_events WHERE seq = ${last.seq}`.execute(p.ctx.db);
    const v = await verifyAuditChain(p.ctx.db);
    expect(v.ok).toBe(false);
    expect(v.firstBroken?.reason).toMatch(/tail/);
  });

  it('lists a trial\'s events filtered and paged for qc, and records each review (P11-AT-05)', async () => {
    const qc = await seedUser(p, 'qc1');
    await grant(p, trialId, qc.id, 'qc');
    const token = await p.login('qc1');
    const page1 = await (await p.request('GET', `/trials/${trialId}/audit?limit=2`, { token })).json();
    expect(page1.events).toHaveLength(2);
    expect(page1.nextAfterSeq).toBe(page1.events[1].seq);
    const page2 = await (await p.request('GET', `/trials/${trialId}/audit?limit=2&afterSeq=${page1.nextAfterSeq}`, { token })).json();
    expect(page2.events[0].seq).toBeGreaterThan(page1.nextAfterSeq);
    const sites = await (await p.request('GET', `/trials/${trialId}/audit?entityType=site`, { token })).json();
    expect(sites.events.every((e: { entityType: string }) => e.entityType === 'site')).toBe(true);
    const bad = await p.request('GET', `/trials/${trialId}/audit?limit=nope`, { token });
    expect(bad.status).toBe(400);
    expect(await p.request('POST', `/trials/${trialId}/audit/reviews`, { token, body: { throughSeq: page1.nextAfterSeq, comment: 'weekly review' } })).toHaveProperty('status', 204);
    const reviews = await (await p.request('GET', `/trials/${trialId}/audit?entityType=audit_trail`, { token })).json();
    expect(reviews.events).toHaveLength(1);
    expect(reviews.events[0]).toMatchObject({ action: 'audit.review', actorRole: 'qc', after: { comment: 'weekly review' } });
  });

  it('keeps one gap-free chain under 50 concurrent writers (AT-T2)', async () => {
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => p.request('POST', `/trials/${trialId}/sites`, { token: admin, body: { code: `C${i}`, name: `site ${i}` } })),
    );
    const v = await verifyAuditChain(p.ctx.db);
    expect(v.ok).toBe(true);
    expect((await events()).filter((e) => e.action === 'site.create').length).toBe(51);
  });
});
