import { createUser, disableUser, listUsers, resetPassword, verifyIdentity } from '../../services/accounts.js';
import { type RouteRegistry, defineRoute } from '../define-route.js';

export function userRoutes(reg: RouteRegistry): void {
  const { ctx } = reg;
  defineRoute(reg, 'get', '/users', async (_s, c) => c.json(await listUsers(ctx)));
  defineRoute(reg, 'post', '/users', async (s, c) => c.json(await createUser(ctx, s.actor, s.body), 201));
  defineRoute(reg, 'post', '/users/{userId}/disable', async (s, c) =>
    c.json(await disableUser(ctx, s.actor, s.params.userId, s.body.reason)),
  );
  defineRoute(reg, 'post', '/users/{userId}/reset-password', async (s, c) => {
    await resetPassword(ctx, s.actor, s.params.userId, s.body.password, s.body.reason);
    return c.body(null, 204);
  });
  defineRoute(reg, 'post', '/users/{userId}/verify-identity', async (s, c) =>
    c.json(await verifyIdentity(ctx, s.actor, s.params.userId, s.body.reason)),
  );
}
