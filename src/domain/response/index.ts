// Public API of the response engine (RECIST 1.1 and iRECIST). Callers: the reading workflow (after a reader's
// measurements, before e-signature), the exports' consistency check, and `corelab response evaluate`.
export { evaluateSubjectResponse, evaluateValidatedSubject } from './evaluate-subject-response.js';
export { validateSubjectResponseInput, validateResponseOptions, type InputProblem } from './validate-response-input.js';
export { checkBaseline } from './baseline-check.js';
export {
  defaultResponseOptions,
  withDefaultResponseOptions,
  type ResponseOptions,
  type PartialResponseOptions,
  type ConfirmationOptions,
  type IrecistOptions,
} from './response-options.js';
export type * from './response-input.js';
export type * from './response-output.js';
export { RESPONSE_RULESET_VERSION } from './response-output.js';
export * from './response-values.js';
