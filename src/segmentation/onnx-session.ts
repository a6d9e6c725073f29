// Opens an onnxruntime-node session for a registered model on the configured execution provider. CPU is the
// default; CUDA is used when asked for (CORELAB_ONNX_EP=cuda) and the install carries the CUDA provider
// (ONNXRUNTIME_NODE_INSTALL=cuda12); otherwise the session falls back to CPU and says why, so the provider that
// actually ran is what each AI result records.
import * as ort from 'onnxruntime-node';
import { DomainError } from '../domain/errors.js';
import type { ModelCard } from './model-card.js';
import { type ExecutionProvider } from './execution-provider.js';
import type { RegisteredModel } from './model-registry.js';

export { EXECUTION_PROVIDERS, type ExecutionProvider, executionProviderFromEnv } from './execution-provider.js';

export interface SessionOptions {
  readonly executionProvider: ExecutionProvider;
  /** onnxruntime intra-op threads; workers x threads should not exceed the cores (see planSegmentationPool) */
  readonly intraOpThreads: number;
}

export interface ModelSession {
  readonly card: ModelCard;
  readonly session: ort.InferenceSession;
  readonly requestedProvider: ExecutionProvider;
  readonly executionProvider: ExecutionProvider;
  /** why the requested provider was not used; absent when it was */
  readonly fallbackReason?: string;
}

function sessionOptions(ep: ExecutionProvider, threads: number): ort.InferenceSession.SessionOptions {
  switch (ep) {
    case 'cpu':
      return { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
    case 'cuda':
      return { executionProviders: [{ name: 'cuda', deviceId: 0 }], graphOptimizationLevel: 'all' };
  }
}

/**
 * The card must describe the graph it ships with: input and output names, and where the graph fixes them, the
 * channel count and VOI size ([N, C, z, y, x]). A mismatch is refused at load, not discovered as garbage later.
 */
export function assertCardMatchesGraph(card: ModelCard, session: ort.InferenceSession): void {
  const fail = (what: string) => {
    throw new DomainError('UNPROCESSABLE', `model '${card.id}': the card does not match the ONNX graph: ${what}`);
  };
  if (!session.inputNames.includes(card.input.name)) fail(`no input '${card.input.name}' (graph has ${session.inputNames.join(', ')})`);
  if (!session.outputNames.includes(card.output.name)) fail(`no output '${card.output.name}' (graph has ${session.outputNames.join(', ')})`);
  const meta = session.inputMetadata.find((m) => m.name === card.input.name);
  if (meta && meta.isTensor && meta.shape.length > 0) {
    const [sx, sy, sz] = card.input.sizeVoxels;
    const c = card.input.channels.length;
    const expected = card.input.layout === 'NCHW' ? [undefined, c, sy, sx] : [undefined, c, sz, sy, sx];
    if (meta.shape.length !== expected.length) fail(`input rank ${meta.shape.length}, the card's layout ${card.input.layout} needs ${expected.length}`);
    meta.shape.forEach((d, i) => {
      if (typeof d === 'number' && expected[i] !== undefined && d !== expected[i]) fail(`input dim ${i} is ${d}, the card implies ${expected[i]}`);
    });
  }
}

export async function openModelSession(model: RegisteredModel, options: SessionOptions): Promise<ModelSession> {
  const opened = await openOnProvider(model, options);
  assertCardMatchesGraph(model.card, opened.session);
  return opened;
}

async function openOnProvider(model: RegisteredModel, options: SessionOptions): Promise<ModelSession> {
  const threads = Math.max(1, Math.floor(options.intraOpThreads));
  if (options.executionProvider === 'cuda') {
    try {
      const session = await ort.InferenceSession.create(model.onnx, sessionOptions('cuda', threads));
      return { card: model.card, session, requestedProvider: 'cuda', executionProvider: 'cuda' };
    } catch (e) {
      const reason = `CUDA execution provider unavailable: ${(e as Error).message.split('\n')[0]}`;
      const session = await ort.InferenceSession.create(model.onnx, sessionOptions('cpu', threads));
      return { card: model.card, session, requestedProvider: 'cuda', executionProvider: 'cpu', fallbackReason: reason };
    }
  }
  const session = await ort.InferenceSession.create(model.onnx, sessionOptions('cpu', threads));
  return { card: model.card, session, requestedProvider: 'cpu', executionProvider: 'cpu' };
}

/**
 * Runs the model on one or more VOIs laid out as the card says ([N, C, z, y, x], float32; NCHW: [N, C, y, x], one
 * slice each) and returns the output tensor's data ([N, classes, z, y, x], or [N, classes, y, x]).
 */
export async function runModel(ms: ModelSession, input: Float32Array, batch = 1): Promise<Float32Array> {
  const [sx, sy, sz] = ms.card.input.sizeVoxels;
  const c = ms.card.input.channels.length;
  const expected = batch * c * sx * sy * sz;
  if (input.length !== expected) throw new RangeError(`model input has ${input.length} values, expected ${expected}`);
  const tensor = new ort.Tensor('float32', input, ms.card.input.layout === 'NCHW' ? [batch, c, sy, sx] : [batch, c, sz, sy, sx]);
  const out = await ms.session.run({ [ms.card.input.name]: tensor });
  const t = out[ms.card.output.name];
  if (!t) throw new DomainError('UNPROCESSABLE', `model '${ms.card.id}' has no output '${ms.card.output.name}'`);
  return t.data as Float32Array;
}
