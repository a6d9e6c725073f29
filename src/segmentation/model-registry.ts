// The model registry is a folder of models, one per subfolder <id>/ holding the ONNX file and model-card.json.
// A model is only ever loaded after its bytes hash to the card's sha256, so every stored AI result can name the
// exact model that produced it (architecture.md, "Models are data").
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainError } from '../domain/errors.js';
import { type ModelCard, parseModelCard } from './model-card.js';

export const MODEL_CARD_FILE = 'model-card.json';

/** The platform's default promptable lesion model in the committed registry (chosen on bench/segment-accuracy.ts). */
export const DEFAULT_LESION_MODEL_ID = 'lesion-seg-v3';

/** The registry committed with the code: <repo>/workers/models. */
export function defaultModelRegistryDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../workers/models');
}

export interface RegisteredModel {
  readonly card: ModelCard;
  /** the ONNX bytes whose sha256 matched the card */
  readonly onnx: Uint8Array;
  readonly dir: string;
}

export async function readModelCard(registryDir: string, modelId: string): Promise<ModelCard> {
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(modelId)) {
    throw new DomainError('VALIDATION_FAILED', `model id '${modelId}' is not a registry id`);
  }
  const cardPath = path.join(registryDir, modelId, MODEL_CARD_FILE);
  let text: string;
  try {
    text = await readFile(cardPath, 'utf8');
  } catch {
    throw new DomainError('NOT_FOUND', `model '${modelId}' has no ${MODEL_CARD_FILE} in the registry`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DomainError('VALIDATION_FAILED', `model '${modelId}': ${MODEL_CARD_FILE} is not JSON`);
  }
  const card = parseModelCard(json);
  if (card.id !== modelId) {
    throw new DomainError('VALIDATION_FAILED', `model card id '${card.id}' does not match its folder '${modelId}'`);
  }
  return card;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads card and model, and refuses a model whose bytes do not hash to the card's sha256. */
export async function loadRegisteredModel(registryDir: string, modelId: string): Promise<RegisteredModel> {
  const card = await readModelCard(registryDir, modelId);
  const dir = path.join(registryDir, modelId);
  let onnx: Uint8Array;
  try {
    onnx = await readFile(path.join(dir, card.file));
  } catch {
    throw new DomainError('NOT_FOUND', `model '${modelId}': ${card.file} is missing`);
  }
  const actual = sha256Hex(onnx);
  if (actual !== card.sha256) {
    throw new DomainError('UNPROCESSABLE', `model '${modelId}': ${card.file} sha256 ${actual} does not match the card's ${card.sha256}`, {
      expectedSha256: card.sha256,
      actualSha256: actual,
    });
  }
  return { card, onnx, dir };
}

/** Ids of the registry's models (folders that hold a model card); cards are not validated here. */
export async function listRegisteredModelIds(registryDir: string): Promise<string[]> {
  const entries = await readdir(registryDir, { withFileTypes: true });
  const ids: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const files = await readdir(path.join(registryDir, e.name));
    if (files.includes(MODEL_CARD_FILE)) ids.push(e.name);
  }
  return ids.sort();
}
