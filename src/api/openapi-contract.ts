import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { TRIAL_ROLES, type TrialRole } from '../domain/roles.js';

// openapi.yaml is the contract: routes, who may call them (x-access: the single deny-by-default policy table,
// SEC-01) and the request validators are all derived from it, so nothing is written twice.
export const OPENAPI_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../openapi.yaml');
export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type Access =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  | { kind: 'admin' }
  /** trial-scoped: the path has {trialId}; members with one of `roles` (and admins if `admin`) may call */
  | { kind: 'trial'; roles: TrialRole[]; admin: boolean }
  /** job-scoped: the job's creator, members of its trial, admins */
  | { kind: 'job' };

export interface Operation {
  method: HttpMethod;
  path: string; // OpenAPI form: /trials/{trialId}
  operationId: string;
  access: Access;
  validateParams: ValidateFunction;
  validateQuery: ValidateFunction;
  validateBody?: ValidateFunction;
  bodyRequired: boolean;
}

export interface Contract {
  text: string;
  operations: Map<string, Operation>; // key: "get /trials/{trialId}"
}

export const operationKey = (method: string, p: string) => `${method.toLowerCase()} ${p}`;

function parseAccess(op: any, where: string): Access {
  const a = op['x-access'];
  if (!a) throw new Error(`${where}: x-access missing (every route must state who may call it)`);
  switch (a.kind) {
    case 'public':
    case 'authenticated':
    case 'admin':
    case 'job':
      return { kind: a.kind };
    case 'trial': {
      const roles = a.roles as string[];
      if (!Array.isArray(roles) || roles.some((r) => !(TRIAL_ROLES as readonly string[]).includes(r))) {
        throw new Error(`${where}: x-access.roles must list trial roles`);
      }
      if (!where.includes('{trialId}')) throw new Error(`${where}: trial access needs a {trialId} path parameter`);
      return { kind: 'trial', roles: roles as TrialRole[], admin: a.admin === true };
    }
    default:
      throw new Error(`${where}: unknown x-access kind ${a.kind}`);
  }
}

export function loadContract(file = OPENAPI_FILE): Contract {
  const text = readFileSync(file, 'utf8');
  const doc = YAML.parse(text);
  // discriminator: a oneOf keyed by a property (e.g. a prompt's kind) reports the errors of the chosen branch only
  const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: false, useDefaults: true, discriminator: true });
  const ajvCoerce = new Ajv2020({ allErrors: true, strict: false, coerceTypes: true, useDefaults: true, discriminator: true });
  for (const a of [ajv, ajvCoerce]) {
    (addFormats as unknown as (x: Ajv2020) => void)(a);
    a.addSchema({ $id: 'openapi.json', components: doc.components }, 'openapi.json');
  }
  const rewrite = (schema: unknown): unknown =>
    JSON.parse(JSON.stringify(schema ?? {}).replace(/"#\/components\//g, '"openapi.json#/components/'));
  const deref = (obj: any): any => {
    if (obj && typeof obj.$ref === 'string') {
      const parts = obj.$ref.replace(/^#\//, '').split('/');
      return parts.reduce((o: any, k: string) => o[k], doc);
    }
    return obj;
  };

  const operations = new Map<string, Operation>();
  for (const [p, item] of Object.entries<any>(doc.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const where = `${method.toUpperCase()} ${p}`;
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(deref);
      const schemaFor = (location: 'path' | 'query') => {
        const ps = params.filter((x: any) => x.in === location);
        return rewrite({
          type: 'object',
          properties: Object.fromEntries(ps.map((x: any) => [x.name, x.schema ?? {}])),
          required: ps.filter((x: any) => x.required).map((x: any) => x.name),
          additionalProperties: location === 'path',
        });
      };
      const body = deref(op.requestBody);
      const jsonSchema = body?.content?.['application/json']?.schema;
      operations.set(operationKey(method, p), {
        method,
        path: p,
        operationId: op.operationId,
        access: parseAccess(op, where),
        validateParams: ajvCoerce.compile(schemaFor('path') as object),
        validateQuery: ajvCoerce.compile(schemaFor('query') as object),
        validateBody: jsonSchema ? ajv.compile(rewrite(jsonSchema) as object) : undefined,
        bodyRequired: body?.required === true,
      });
    }
  }
  return { text, operations };
}

export function ajvErrorsToProblemErrors(v: ValidateFunction, prefix: string) {
  return (v.errors ?? []).map((e) => {
    if (e.keyword === 'discriminator') {
      const { tag, tagValue } = e.params as { tag: string; tagValue: unknown };
      return { pointer: `${prefix}${e.instancePath}/${tag}`, detail: tagValue === undefined ? 'is required' : `${JSON.stringify(tagValue)} is not one of the accepted values` };
    }
    return plainError(e, prefix);
  });
}

function plainError(e: NonNullable<ValidateFunction['errors']>[number], prefix: string) {
  return {
    pointer: `${prefix}${e.instancePath}${e.keyword === 'required' ? `/${(e.params as any).missingProperty}` : e.keyword === 'additionalProperties' ? `/${(e.params as any).additionalProperty}` : ''}`,
    detail: e.keyword === 'additionalProperties' ? 'is not an accepted field' : (e.message ?? 'is invalid'),
  };
}
