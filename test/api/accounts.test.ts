// @req P11-ACC-01 P11-ID-04 SEC-08 SEC-09 SEC-10 SEC-11 P11-AT-05: accounts, passwords, lockout, sessions.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/services/password-hash.js';
import { DIALECT, TEST_PASSWORD, type TestPlatform, createTestPlatform, seedUser } from '../helpers/test-platform.js';

describe(`accounts and sessions (${DIALECT})`, () => {
  let p: TestPlatform;
  let clock = Date.parse('2026-11-22T09:00:00.000Z');
  beforeEach(async () => {
    clock = Date.parse('2026-11-22T09:00:00.000Z');
    p = await createTestPlatform({ now: () => new Date(clock), env: { LOGIN_RATE_PER_IP: '1000', LOGIN_RATE_PER_USER: '8' } });
    await seedUser(p, 'root', { admin: true });
  });
  afterEach(async () => p?.dispose());

  const auditActions = async () => (await p.ctx.db.selectFrom('audit_events').select(['action', 'entity_id']).orderBy('seq').execute()).map((e) => e.action);

  it('logs in, shows /me, logs out; the token is dead afterwards and stored only as a digest', async () => {
    const login = await p.request('POST', '/auth/login', { body: { username: 'ROOT', password: TEST_PASSWORD } });
    expect(login.status).toBe(200);
    const { token, user } = await login.json();
    expect(user).toMatchObject({ username: 'root', isAdmin: true });
    expect(JSON.stringify(user)).not.toContain('password');
    const rows = await p.ctx.db.selectFrom('sessions').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);
    expect((await p.request('GET', '/me', { token })).status).toBe(200);
    expect((await p.request('POST', '/auth/logout', { token })).status).toBe(204);
    const after = await p.request('GET', '/me', { token });
    expect(after.status).toBe(401);
    expect(await auditActions()).toEqual(expect.arrayContaining(['auth.login', 'auth.logout']));
  });

  it('ends sessions after the idle timeout and the absolute timeout (SEC-10)', async () => {
    const token = await p.login('root');
    clock += 29 * 60_000;
    expect((await p.request('GET', '/me', { token })).status).toBe(200);
    clock += 31 * 60_000; // idle more than 30 minutes since the last touch
    const idle = await p.request('GET', '/me', { token });
    expect(idle.status).toBe(401);
    expect((await idle.json()).detail).toMatch(/idle/);

    const token2 = await p.login('root');
    for (let i = 0; i < 25; i++) {
      clock += 29 * 60_000; // keep it busy for ~12 hours
      const r = await p.request('GET', '/me', { token: token2 });
      if (r.status === 401) {
        expect((await r.json()).detail).toMatch(/absolute/);
        expect(i).toBeGreaterThanOrEqual(23);
        return;
      }
    }
    throw new Error('session outlived its absolute limit');
  });

  it('locks the account at the 5th failure, audits it, and refuses even the right password while locked (P11-ID-04)', async () => {
    for (let i = 1; i <= 5; i++) {
      const r = await p.request('POST', '/auth/login', { body: { username: 'root', password: `wrong-${i}` } });
      expect(r.status).toBe(401);
    }
    const locked = await p.request('POST', '/auth/login', { body: { username: 'root', password: TEST_PASSWORD } });
    expect(locked.status).toBe(423);
    expect(await auditActions()).toEqual(expect.arrayContaining(['auth.login_failed', 'auth.account_locked']));
    clock += 16 * 60_000;
    expect((await p.request('POST', '/auth/login', { body: { username: 'root', password: TEST_PASSWORD } })).status).toBe(200);
  });

  it('answers an unknown user like a wrong password (SEC-08)', async () => {
    const a = await p.request('POST', '/auth/login', { body: { username: 'nobody', password: 'whatever-123' } });
    const b = await p.request('POST', '/auth/login', { body: { username: 'root', password: 'whatever-123' } });
    expect(a.status).toBe(b.status);
    expect((await a.json()).detail).toBe((await b.json()).detail);
  });

  it('rate-limits login per account with 429, Retry-After and an audit event (SEC-11)', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 10; i++) {
      const r = await p.request('POST', '/auth/login', { body: { username: 'someone', password: `x-${i}` } });
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get('retry-after');
    }
    expect(statuses.slice(0, 8).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(8)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(await auditActions()).toContain('auth.rate_limited');
  });

  it('enforces the password policy with precise reasons', async () => {
    const token = await p.login('root');
    const r = await p.request('POST', '/users', { token, body: { username: 'jane', displayName: 'Jane Roe', password: 'jane-password' } });
    expect(r.status).toBe(400);
    const body = await r.json();
    expect(body.detail).toMatch(/at least 12|username|common/);
  });

  it('never reuses a username and revokes sessions on deactivation (P11-ACC-01)', async () => {
    const token = await p.login('root');
    const u = await (await p.request('POST', '/users', { token, body: { username: 'jane', displayName: 'Jane Roe', password: 'Tulip-orbit-9-stone' } })).json();
    const janeToken = await p.login('jane', 'Tulip-orbit-9-stone');
    // @req P11-AT-02: a change without a reason is refused with 422.
    const noReason = await p.request('POST', `/users/${u.id}/disable`, { token, body: { reason: '' } });
    expect(noReason.status).toBe(422);
    expect((await p.request('POST', `/users/${u.id}/disable`, { token, body: {} })).status).toBe(422);
    expect((await p.request('POST', `/users/${u.id}/disable`, { token, body: { reason: 'left the core lab' } })).status).toBe(200);
    expect((await p.request('GET', '/me', { token: janeToken })).status).toBe(401);
    const again = await p.request('POST', '/users', { token, body: { username: 'jane', displayName: 'Another Jane', password: 'Tulip-orbit-9-stone' } });
    expect(again.status).toBe(409);
    const disabled = await p.request('POST', '/auth/login', { body: { username: 'jane', password: 'Tulip-orbit-9-stone' } });
    expect(disabled.status).toBe(401);
  });

  it('hashes with scrypt at OWASP cost (N=2^17, r=8, p=1) by default and rehashes weaker hashes on login (SEC-09)', async () => {
    const strong = await hashPassword('Some-long-passphrase-1', 17);
    expect(strong).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$/);
    expect(await verifyPassword('Some-long-passphrase-1', strong, 17)).toEqual({ ok: true, needsRehash: false });
    expect((await verifyPassword('wrong', strong, 17)).ok).toBe(false);
    const weak = await hashPassword('Some-long-passphrase-1', 10);
    expect(await verifyPassword('Some-long-passphrase-1', weak, 17)).toEqual({ ok: true, needsRehash: true });
  });
});
