import type { Context, Hono } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Actor } from '../audit/audit-log.js';
import { DomainError } from '../domain/errors.js';
import type { TrialRole } from '../domain/roles.js';
import { type SessionInfo, authenticate } from '../services/accounts.js';
import type { ServiceContext } from '../services/service-context.js';
import { rolesOnTrial } from '../services/trials.js';
import type { AppEnv, RequestScope } from './app-env.js';
import { type Access, type Contract, type HttpMethod, ajvErrorsToProblemErrors, operationKey } from './openapi-contract.js';

export type Handler = (scope: RequestScope, c: Context<AppEnv>) => Promise<Response> | Response;

export interface RouteRegistry {
  app: Hono<AppEnv>;
  contract: Contract;
  ctx: ServiceContext;
  /** keys of registered routes, for the spec/route sync test */
  registered: Set<string>;
}

/** Order of role preference when a caller holds several roles: the audit records the most specific one. */
const ROLE_ORDER: TrialRole[] = ['adjudicator', 'reader', 'qc', 'biostatistician', 'sponsor'];

/**
 * Registers a handler for an operation of the contract. Authentication, the access policy from x-access and
 * request validation run here for every route, so no handler has to remember them. A route missing from the
 * spec cannot be registered.
 */
export function defineRoute(reg: RouteRegistry, method: HttpMethod, specPath: string, handler: Handler): void {
  const key = operationKey(method, specPath);
  const op = reg.contract.operations.get(key);
  if (!op) throw new Error(`route ${key} is not in openapi.yaml`);
  reg.registered.add(key);
  const honoPath = specPath.replace(/\{(\w+)\}/g, ':$1');
  reg.app.on(method.toUpperCase(), honoPath, async (c) => {
    const scope = c.get('scope');
    const session = await authenticateFor(reg.ctx, op.access, c);
    scope.session = session;
    if (!op.validateParams(c.req.param())) {
      throw new DomainError('NOT_FOUND', 'no such resource', { errors: ajvErrorsToProblemErrors(op.validateParams, '/path') });
    }
    scope.params = c.req.param() as Record<string, string>;
    const actorBase: Actor = {
      userId: session?.user.id ?? null,
      name: session?.user.displayName ?? 'anonymous',
      role: session?.user.isAdmin ? 'admin' : 'user',
      requestId: scope.requestId,
      clientIp: scope.clientIp,
      sessionId: session?.sessionId ?? null,
    };
    scope.actor = actorBase;
    await authorize(reg.ctx, op.access, scope, session);

    const query = Object.fromEntries(new URL(c.req.url).searchParams.entries()) as Record<string, unknown>;
    if (!op.validateQuery(query)) {
      const errors = ajvErrorsToProblemErrors(op.validateQuery, '/query');
      throw new DomainError('VALIDATION_FAILED', `invalid query: ${errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`, { errors });
    }
    scope.query = query;
    if (op.validateBody) {
      const type = c.req.header('content-type') ?? '';
      if (!type.includes('application/json')) {
        if (op.bodyRequired) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'send the request body as application/json');
      } else {
        const body = await readJsonBody(c, reg.ctx.config.http.maxJsonBytes);
        if (!op.validateBody(body)) {
          const errors = ajvErrorsToProblemErrors(op.validateBody, '/body');
          // P11-AT-02: a change that needs a reason and has none is refused as such (422), not as a generic 400.
          if (errors.length > 0 && errors.every((e) => e.pointer === '/body/reason')) {
            throw new DomainError('REASON_REQUIRED', 'this change requires a reason', { errors });
          }
          throw new DomainError('VALIDATION_FAILED', `invalid request body: ${errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`, { errors });
        }
        scope.body = body;
      }
    }
    return handler(scope, c);
  });
}

/**
 * The JSON body, read with a byte cap (SEC-03): `c.req.json()` would buffer whatever arrives, and a public route
 * (login) must not hold a multi-gigabyte chunked body in memory. Past the cap the request is refused at once.
 */
async function readJsonBody(c: Context<AppEnv>, maxBytes: number): Promise<unknown> {
  const tooLarge = () => new DomainError('PAYLOAD_TOO_LARGE', `a JSON request body is limited to ${maxBytes} bytes (API_MAX_JSON_BYTES)`);
  const declared = c.req.header('content-length');
  if (declared && Number(declared) > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = c.req.raw.body?.getReader();
  for (;;) {
    const next = reader ? await reader.read() : { done: true as const, value: undefined };
    if (next.done) break;
    total += next.value.byteLength;
    if (total > maxBytes) {
      // Stop reading but leave the socket to the server: the 413 goes out with Connection: close (problem.ts) and
      // the client reads it before the connection ends. Cancelling here would destroy the socket under the answer.
      reader!.releaseLock();
      throw tooLarge();
    }
    chunks.push(next.value);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new DomainError('VALIDATION_FAILED', 'request body is not valid JSON');
  }
}

async function authenticateFor(ctx: ServiceContext, access: Access, c: Context<AppEnv>): Promise<SessionInfo | undefined> {
  const header = c.req.header('authorization');
  const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (access.kind === 'public') return token ? authenticate(ctx, token).catch(() => undefined) : undefined;
  if (!token) throw new DomainError('UNAUTHENTICATED', 'send Authorization: Bearer <token> from POST /auth/login');
  return authenticate(ctx, token);
}

async function authorize(ctx: ServiceContext, access: Access, scope: RequestScope, session: SessionInfo | undefined): Promise<void> {
  switch (access.kind) {
    case 'public':
    case 'authenticated':
    case 'job': // checked by the handler against the job's trial (it must load the job first)
      return;
    case 'admin':
      if (!session!.user.isAdmin) throw new DomainError('FORBIDDEN', 'this action is reserved to administrators');
      return;
    case 'trial': {
      const user = session!.user;
      const trialId = scope.params.trialId;
      const trialExists = await ctx.db.selectFrom('trials').select('id').where('id', '=', trialId).executeTakeFirst();
      const roles = trialExists ? await rolesOnTrial(ctx.db, user.id, trialId) : [];
      scope.trialRoles = roles;
      // Non-members get 404, as if the trial did not exist (SEC-01/SEC-02: no existence leak across trials).
      if (!trialExists || (roles.length === 0 && !user.isAdmin)) throw new DomainError('NOT_FOUND', `trial ${trialId} not found`);
      const allowed = roles.filter((r) => access.roles.includes(r));
      if (allowed.length > 0) {
        scope.actor = { ...scope.actor, role: ROLE_ORDER.find((r) => allowed.includes(r))! };
        return;
      }
      if (user.isAdmin && access.admin) {
        scope.actor = { ...scope.actor, role: 'admin' };
        return;
      }
      throw new DomainError('FORBIDDEN', `your role on this trial (${roles.join(', ') || 'none'}) may not do this`);
    }
  }
}

export function clientIpOf(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // app.request() in tests has no socket
  }
}
