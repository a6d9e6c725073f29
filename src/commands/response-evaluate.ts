// `corelab response evaluate [FILE|-]`: one subject as JSON in, the evaluation as JSON out (the contract other
// tools use). Pure apart from JSON parsing; the CLI wiring reads the file / stdin and writes the streams.
import { isDomainError } from '../domain/errors.js';
import { evaluateSubjectResponse } from '../domain/response/index.js';

export interface CommandResult {
  readonly exitCode: 0 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

/** RFC 9457-shaped problem written to stderr on invalid input. */
export interface ResponseInputProblem {
  readonly type: string;
  readonly title: string;
  readonly status: 422;
  readonly detail: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}

export const INVALID_RESPONSE_INPUT_TYPE = 'urn:corelab:problem:invalid-response-input';

export function responseEvaluate(inputText: string): CommandResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(inputText);
  } catch (e) {
    return problem({
      type: INVALID_RESPONSE_INPUT_TYPE,
      title: 'Invalid response input',
      status: 422,
      detail: `input is not valid JSON: ${(e as Error).message}`,
      errors: [{ path: '', message: 'malformed JSON' }],
    });
  }
  try {
    const evaluation = evaluateSubjectResponse(parsed);
    return { exitCode: 0, stdout: `${JSON.stringify(evaluation, null, 2)}\n`, stderr: '' };
  } catch (e) {
    if (isDomainError(e) && e.code === 'INVALID_RESPONSE_INPUT') {
      const errors = e.extras.errors as ResponseInputProblem['errors'];
      return problem({
        type: INVALID_RESPONSE_INPUT_TYPE,
        title: 'Invalid response input',
        status: 422,
        detail: e.detail,
        ...(errors && { errors }),
      });
    }
    throw e; // an engine defect is not an input problem: let the CLI fail loudly
  }
}

function problem(p: ResponseInputProblem): CommandResult {
  return { exitCode: 2, stdout: '', stderr: `${JSON.stringify(p, null, 2)}\n` };
}
