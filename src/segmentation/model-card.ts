// A model card describes everything the pipeline needs to feed an ONNX segmentation model and read its output,
// so any model with a valid card plugs in unchanged (architecture.md, "Models are data").
import { Ajv } from 'ajv';
import { DomainError } from '../domain/errors.js';

export const MODEL_TASKS = ['promptable-lesion-segmentation', 'tissue-segmentation'] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

/** image: HU normalised as `intensity` says; image-relative: (HU - HU at the click) / scaleHu, clipped to +-limit;
 * prompt: the prompt encoding */
export const INPUT_CHANNELS = ['image', 'image-relative', 'prompt'] as const;
export type InputChannel = (typeof INPUT_CHANNELS)[number];

export const OUTPUT_ACTIVATIONS = ['sigmoid', 'softmax'] as const;
/** sigmoid: one probability channel per class (already activated); softmax: class scores, argmax decides. */
export type OutputActivation = (typeof OUTPUT_ACTIVATIONS)[number];

export type IntensityNormalisation =
  /** clip to [lowerHu, upperHu], then (x - offset) / scale: CT, where HU are absolute */
  | { readonly kind: 'window-linear'; readonly lowerHu: number; readonly upperHu: number; readonly offset: number; readonly scale: number }
  /** (x - min) / (max - min) over the VOI: MR, whose intensities have no absolute scale */
  | { readonly kind: 'min-max' };

export type PromptEncoding =
  /** exp(-d^2 / 2 sigma^2), d the distance in mm from the click (or from the drawn line) */
  | { readonly kind: 'gaussian-heatmap'; readonly sigmaMm: number }
  /**
   * slice propagation (layout NCHW): on the click's slice a Gaussian of the in-plane distance from the click, sigma in
   * model voxels; on every further slice the previous slice's mask (0/1 on the same model grid)
   */
  | { readonly kind: 'previous-slice-mask'; readonly clickSigmaVoxels: number }
  | { readonly kind: 'none' };

export const INPUT_LAYOUTS = ['NCDHW', 'NCHW'] as const;
/** NCDHW: one 3D VOI per run; NCHW: one slice of the series per run (slice propagation, see slicePropagation) */
export type InputLayout = (typeof INPUT_LAYOUTS)[number];

/**
 * How a 2D model is run over a series: the click's slice first, then slice by slice up and down, each slice prompted
 * with the previous slice's mask, until the mask vanishes. The in-plane model spacing is chosen per lesion: a first
 * run at the card's spacingMm on the click's slice sizes the lesion, then the spacing is set so that the lesion spans
 * about lesionDiameterVoxels model voxels (clamped to [minSpacingMm, maxSpacingMm]); a lesion that reaches the
 * model grid's edge on the click's slice is run again at twice the spacing, up to edgeMaxSpacingMm.
 */
export interface SlicePropagation {
  readonly zoom: { readonly lesionDiameterVoxels: number; readonly minSpacingMm: number; readonly maxSpacingMm: number };
  /** the widest spacing the edge rule may reach (at least zoom.maxSpacingMm): it bounds the model's in-plane reach */
  readonly edgeMaxSpacingMm: number;
  /** the walk stops this far (mm, along the slice direction) from the click's slice either way */
  readonly maxExtentMm: number;
}

export interface ModelCard {
  readonly id: string;
  readonly version: string;
  readonly task: ModelTask;
  readonly modality: string;
  readonly file: string;
  readonly sha256: string;
  readonly licence: string;
  readonly input: {
    readonly name: string;
    readonly layout: InputLayout;
    /** VOI size [x (columns), y (rows), z (slices)] in voxels; ONNX dims are [N, C, z, y, x] (NCHW: z is 1, [N, C, y, x]) */
    readonly sizeVoxels: readonly [number, number, number];
    /** target spacing [x, y, z] in mm (NCHW: the in-plane spacing of the first run; z is the series' own) */
    readonly spacingMm: readonly [number, number, number];
    readonly channels: readonly InputChannel[];
    readonly intensity: IntensityNormalisation;
    /** for an image-relative channel: the reference is the mean of the 3x3x3 VOI voxels nearest the click */
    readonly relativeIntensity?: { readonly scaleHu: number; readonly limit: number };
    readonly prompt: PromptEncoding;
    /** layout NCHW only: how the 2D model walks the series */
    readonly slicePropagation?: SlicePropagation;
  };
  readonly output: {
    readonly name: string;
    readonly activation: OutputActivation;
    readonly classes: readonly { readonly index: number; readonly name: string }[];
    /** probability threshold for sigmoid outputs; softmax outputs use argmax */
    readonly threshold?: number;
  };
  /** how the model was produced (script, data, seed, source): free-form, recorded for traceability */
  readonly method: Record<string, unknown>;
}

const vec3Positive = {
  type: 'array',
  items: { type: 'number', exclusiveMinimum: 0 },
  minItems: 3,
  maxItems: 3,
} as const;

export const MODEL_CARD_SCHEMA = {
  $id: 'https://corelab.example/schemas/model-card.json',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'version', 'task', 'modality', 'file', 'sha256', 'licence', 'input', 'output', 'method'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' },
    version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+([-+][0-9A-Za-z.-]+)?$' },
    task: { enum: MODEL_TASKS },
    modality: { type: 'string', minLength: 1 },
    file: { type: 'string', pattern: '^[A-Za-z0-9._-]+\\.onnx$' },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    licence: { type: 'string', minLength: 1 },
    input: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'layout', 'sizeVoxels', 'spacingMm', 'channels', 'intensity', 'prompt'],
      properties: {
        name: { type: 'string', minLength: 1 },
        layout: { enum: INPUT_LAYOUTS },
        sizeVoxels: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 1024 }, minItems: 3, maxItems: 3 },
        spacingMm: vec3Positive,
        channels: { type: 'array', items: { enum: INPUT_CHANNELS }, minItems: 1, maxItems: 3, uniqueItems: true },
        relativeIntensity: {
          type: 'object',
          additionalProperties: false,
          required: ['scaleHu', 'limit'],
          properties: { scaleHu: { type: 'number', exclusiveMinimum: 0 }, limit: { type: 'number', exclusiveMinimum: 0 } },
        },
        intensity: {
          oneOf: [
            {
              type: 'object',
              additionalProperties: false,
              required: ['kind', 'lowerHu', 'upperHu', 'offset', 'scale'],
              properties: {
                kind: { const: 'window-linear' },
                lowerHu: { type: 'number' },
                upperHu: { type: 'number' },
                offset: { type: 'number' },
                scale: { type: 'number', exclusiveMinimum: 0 },
              },
            },
            { type: 'object', additionalProperties: false, required: ['kind'], properties: { kind: { const: 'min-max' } } },
          ],
        },
        prompt: {
          oneOf: [
            {
              type: 'object',
              additionalProperties: false,
              required: ['kind', 'sigmaMm'],
              properties: { kind: { const: 'gaussian-heatmap' }, sigmaMm: { type: 'number', exclusiveMinimum: 0 } },
            },
            {
              type: 'object',
              additionalProperties: false,
              required: ['kind', 'clickSigmaVoxels'],
              properties: { kind: { const: 'previous-slice-mask' }, clickSigmaVoxels: { type: 'number', exclusiveMinimum: 0 } },
            },
            { type: 'object', additionalProperties: false, required: ['kind'], properties: { kind: { const: 'none' } } },
          ],
        },
        slicePropagation: {
          type: 'object',
          additionalProperties: false,
          required: ['zoom', 'edgeMaxSpacingMm', 'maxExtentMm'],
          properties: {
            zoom: {
              type: 'object',
              additionalProperties: false,
              required: ['lesionDiameterVoxels', 'minSpacingMm', 'maxSpacingMm'],
              properties: {
                lesionDiameterVoxels: { type: 'number', exclusiveMinimum: 0 },
                minSpacingMm: { type: 'number', exclusiveMinimum: 0 },
                maxSpacingMm: { type: 'number', exclusiveMinimum: 0 },
              },
            },
            edgeMaxSpacingMm: { type: 'number', exclusiveMinimum: 0 },
            maxExtentMm: { type: 'number', exclusiveMinimum: 0 },
          },
        },
      },
    },
    output: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'activation', 'classes'],
      properties: {
        name: { type: 'string', minLength: 1 },
        activation: { enum: OUTPUT_ACTIVATIONS },
        classes: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['index', 'name'],
            properties: { index: { type: 'integer', minimum: 0 }, name: { type: 'string', minLength: 1 } },
          },
        },
        threshold: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      },
    },
    method: { type: 'object' },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
const validateCard = ajv.compile(MODEL_CARD_SCHEMA);

/** Validates a parsed model card against MODEL_CARD_SCHEMA plus the rules a schema cannot say. */
export function parseModelCard(json: unknown): ModelCard {
  if (!validateCard(json)) {
    const errors = (validateCard.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
    throw new DomainError('VALIDATION_FAILED', `model card is invalid: ${errors.join('; ')}`, { errors });
  }
  const card = json as unknown as ModelCard;
  const promptChannel = card.input.channels.includes('prompt');
  if (promptChannel !== (card.input.prompt.kind !== 'none')) {
    throw new DomainError('VALIDATION_FAILED', 'model card is invalid: a prompt channel needs a prompt encoding and the reverse');
  }
  if (card.input.channels.includes('image-relative') && (!card.input.relativeIntensity || !promptChannel)) {
    throw new DomainError('VALIDATION_FAILED', 'model card is invalid: an image-relative channel needs relativeIntensity and a prompt');
  }
  if (card.task === 'promptable-lesion-segmentation' && !promptChannel) {
    throw new DomainError('VALIDATION_FAILED', 'model card is invalid: a promptable model needs a prompt channel');
  }
  const twoD = card.input.layout === 'NCHW';
  if (twoD !== (card.input.slicePropagation !== undefined) || twoD !== (card.input.prompt.kind === 'previous-slice-mask')) {
    throw new DomainError(
      'VALIDATION_FAILED',
      'model card is invalid: layout NCHW, slicePropagation and the previous-slice-mask prompt go together (a 2D model walks the series slice by slice)',
    );
  }
  if (twoD && card.input.sizeVoxels[2] !== 1) {
    throw new DomainError('VALIDATION_FAILED', 'model card is invalid: a 2D (NCHW) model reads one slice: sizeVoxels[2] must be 1');
  }
  const sp = card.input.slicePropagation;
  if (sp && (sp.zoom.minSpacingMm > sp.zoom.maxSpacingMm || sp.zoom.maxSpacingMm > sp.edgeMaxSpacingMm)) {
    throw new DomainError(
      'VALIDATION_FAILED',
      'model card is invalid: slicePropagation needs zoom.minSpacingMm <= zoom.maxSpacingMm <= edgeMaxSpacingMm',
    );
  }
  if (card.input.intensity.kind === 'window-linear' && card.input.intensity.lowerHu >= card.input.intensity.upperHu) {
    throw new DomainError('VALIDATION_FAILED', 'model card is invalid: intensity window lowerHu must be below upperHu');
  }
  if (card.output.activation === 'sigmoid' && card.output.threshold === undefined) {
    throw new DomainError('VALIDATION_FAILED', 'model card is invalid: a sigmoid output needs a threshold');
  }
  return card;
}
