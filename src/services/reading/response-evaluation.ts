// The one door between reading and the response engine (src/domain/response). Reading never applies a RECIST
// rule itself: it builds the engine's input from a reader's own reads and stores the engine's output.
import type { EngineInput, EngineOutput } from '../../domain/reading/engine-contract.js';
import { evaluateSubjectResponse } from '../../domain/response/index.js';

export type { EngineInput, EngineOutput, EngineFollowup, EngineTimepoint } from '../../domain/reading/engine-contract.js';

/**
 * Evaluates one reader's course for a subject. The engine reports inconsistent input with DomainError
 * INVALID_RESPONSE_INPUT (422).
 */
export function evaluateSubject(input: EngineInput): EngineOutput {
  // The engine's output is a superset of the contract reading stores (it adds dates, reasons, flags).
  return evaluateSubjectResponse(input) as unknown as EngineOutput;
}
