// Loads the `response:` section of a protocol file (protocols/recist-1.1.yaml, protocols/irecist.yaml, or a
// trial's protocol) and validates it against protocols/schema/response-criteria.schema.json, then resolves the
// options over the primer's defaults. The only I/O is reading the YAML and the schema.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { DomainError } from '../domain/errors.js';
import {
  validateResponseOptions,
  type Criterion,
  type ResponseOptions,
} from '../domain/response/index.js';

export const RESPONSE_CRITERIA_SCHEMA_PATH = fileURLToPath(
  new URL('../../protocols/schema/response-criteria.schema.json', import.meta.url),
);
export const RECIST11_PROTOCOL_PATH = fileURLToPath(new URL('../../protocols/recist-1.1.yaml', import.meta.url));
export const IRECIST_PROTOCOL_PATH = fileURLToPath(new URL('../../protocols/irecist.yaml', import.meta.url));

export interface ResponseCriteriaSection {
  readonly criteria: readonly Criterion[];
  /** Resolved: what the file leaves out takes the primer's defaults. */
  readonly options: ResponseOptions;
}

let compiled: ValidateFunction | undefined;
function schemaValidator() {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(RESPONSE_CRITERIA_SCHEMA_PATH, 'utf8')) as object;
    compiled = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
  }
  return compiled;
}

/** Validates a parsed `response` section (the value of the key) and resolves it. */
export function toResponseCriteriaSection(section: unknown, source: string): ResponseCriteriaSection {
  const validate = schemaValidator();
  if (!validate(section)) {
    const errors = (validate.errors ?? []).map((e) => ({
      path: `response${e.instancePath.replaceAll('/', '.')}`,
      message: `${e.message ?? 'invalid'}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`,
    }));
    throw new DomainError('VALIDATION_FAILED', `${source}: ${errors[0]?.path}: ${errors[0]?.message}`, { errors });
  }
  const s = section as { criteria: Criterion[]; options?: unknown };
  // The domain validator resolves defaults; it rejects the same things as the schema (tested), so this cannot
  // fail after the schema passed unless the two drift apart.
  return { criteria: [...s.criteria], options: validateResponseOptions(s.options ?? {}, 'response.options') };
}

/** Parses protocol YAML text and returns its validated `response` section. */
export function parseResponseCriteria(yamlText: string, source = 'protocol'): ResponseCriteriaSection {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (e) {
    throw new DomainError('VALIDATION_FAILED', `${source}: not valid YAML: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || !('response' in doc)) {
    throw new DomainError('VALIDATION_FAILED', `${source}: no top-level 'response' section`);
  }
  return toResponseCriteriaSection((doc as { response: unknown }).response, source);
}

export async function loadResponseCriteria(path: string): Promise<ResponseCriteriaSection> {
  return parseResponseCriteria(await readFile(path, 'utf8'), path);
}
