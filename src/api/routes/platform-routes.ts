import type { RouteRegistry } from '../define-route.js';
import { defineRoute } from '../define-route.js';
import type { HealthProbe } from '../app.js';

export function platformRoutes(reg: RouteRegistry, health: HealthProbe): void {
  defineRoute(reg, 'get', '/health', async (_s, c) => {
    const h = await health();
    return c.json(h, h.status === 'ok' ? 200 : 503);
  });
  defineRoute(reg, 'get', '/openapi.yaml', (_s, c) => c.body(reg.contract.text, 200, { 'content-type': 'application/yaml' }));
}
