// Which onnxruntime execution provider the segmentation pool asks for. Kept apart from onnx-session.ts so that the
// configuration (src/config.ts) can read it without loading onnxruntime's native module in every process.
import { DomainError } from '../domain/errors.js';

export const EXECUTION_PROVIDERS = ['cpu', 'cuda'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

/** Reads CORELAB_ONNX_EP (cpu | cuda, default cpu); an unknown value is a configuration error. */
export function executionProviderFromEnv(env: NodeJS.ProcessEnv = process.env): ExecutionProvider {
  const raw = (env.CORELAB_ONNX_EP ?? 'cpu').trim().toLowerCase();
  if (raw === '') return 'cpu';
  if ((EXECUTION_PROVIDERS as readonly string[]).includes(raw)) return raw as ExecutionProvider;
  throw new DomainError('VALIDATION_FAILED', `CORELAB_ONNX_EP='${raw}' is not one of ${EXECUTION_PROVIDERS.join(', ')}`);
}
