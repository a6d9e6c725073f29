import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { DomainError } from '../domain/errors.js';

// A trial's charter is data: protocols/<name>.yaml, validated against protocols/schema/protocol.schema.json
// (which references one schema per section). A trial stores the snapshot it was created with, and its hash.
export const PROTOCOLS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../protocols');
const SCHEMA_DIR = path.join(PROTOCOLS_DIR, 'schema');

let validator: ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null };

function getValidator() {
  if (validator) return validator;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  for (const f of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'))) {
    const schema = JSON.parse(readFileSync(path.join(SCHEMA_DIR, f), 'utf8'));
    ajv.addSchema(schema, f);
  }
  validator = ajv.getSchema('protocol.schema.json') as typeof validator;
  return validator;
}

export interface ProtocolSnapshot {
  name: string;
  document: Record<string, unknown>;
  json: string;
  sha256: string;
}

export function validateProtocolDocument(name: string, document: unknown): Record<string, unknown> {
  const validate = getValidator();
  if (!validate(document)) {
    const errors = (validate.errors ?? []).map((e) => ({ pointer: e.instancePath || '/', detail: e.message ?? 'invalid' }));
    throw new DomainError(
      'VALIDATION_FAILED',
      `protocol "${name}" does not match the protocol schema: ${errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`,
      { errors },
    );
  }
  return document as Record<string, unknown>;
}

export function loadProtocolFile(name: string): ProtocolSnapshot {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw new DomainError('VALIDATION_FAILED', `protocol name "${name}" is not valid`);
  let text: string;
  try {
    text = readFileSync(path.join(PROTOCOLS_DIR, `${name}.yaml`), 'utf8');
  } catch {
    throw new DomainError('VALIDATION_FAILED', `no protocol named "${name}" in protocols/`);
  }
  const document = validateProtocolDocument(name, YAML.parse(text));
  const json = JSON.stringify(document);
  return { name, document, json, sha256: createHash('sha256').update(json).digest('hex') };
}
