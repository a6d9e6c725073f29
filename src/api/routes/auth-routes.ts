import { DomainError } from '../../domain/errors.js';
import { login, logout } from '../../services/accounts.js';
import { inTransaction } from '../../services/service-context.js';
import { listTrialsFor } from '../../services/trials.js';
import { type RouteRegistry, defineRoute } from '../define-route.js';
import { RateLimiter } from '../rate-limit.js';

export function authRoutes(reg: RouteRegistry): void {
  const { ctx } = reg;
  const perIp = new RateLimiter(ctx.config.loginRateLimit.perMinutePerIp, 60_000);
  const perUser = new RateLimiter(ctx.config.loginRateLimit.perMinutePerUser, 60_000);

  defineRoute(reg, 'post', '/auth/login', async (s, c) => {
    const { username, password } = s.body as { username: string; password: string };
    const nowMs = ctx.now().getTime();
    try {
      perIp.hit(`ip:${s.clientIp ?? 'unknown'}`, nowMs);
      perUser.hit(`user:${username.toLowerCase()}`, nowMs);
    } catch (e) {
      if (e instanceof DomainError && e.code === 'RATE_LIMITED') {
        await inTransaction(ctx, { ...s.actor, name: 'anonymous', role: 'user' }, async (_t, audit) =>
          audit({ action: 'auth.rate_limited', entityType: 'login', entityId: username.toLowerCase().slice(0, 64) }),
        );
      }
      throw e;
    }
    const { token, session } = await login(ctx, username, password, s.clientIp, s.requestId);
    return c.json({ token, expiresAt: session.expiresAt, user: session.user }, 200, { 'cache-control': 'no-store' });
  });

  defineRoute(reg, 'post', '/auth/logout', async (s, c) => {
    await logout(ctx, s.actor, s.session!.sessionId);
    return c.body(null, 204);
  });

  defineRoute(reg, 'get', '/me', async (s, c) => {
    const user = s.session!.user;
    const trials = await listTrialsFor(ctx, user.id, false);
    return c.json({ user, trials: trials.map((t) => ({ trialId: t.id, code: t.code, roles: t.roles })) });
  });
}
