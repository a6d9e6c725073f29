import { ApiError } from './problem.js';

// A refused form names the fields at fault in its problem's `errors` ({ pointer, detail }). Body validation
// points at '/body/<field>' and the domain's own checks (the password policy) at '/<field>'; both land on the
// field here, so each message can be shown beside the control it is about.

export type FieldProblems = Record<string, string[]>;

export function fieldProblems(error: unknown): FieldProblems {
  const out: FieldProblems = {};
  if (!(error instanceof ApiError)) return out;
  const errors = error.problem?.errors ?? [];
  for (const e of errors) {
    if (!e.pointer || !e.detail) continue;
    const field = e.pointer.replace(/^\/body(?=\/|$)/, '').split('/').filter(Boolean)[0];
    if (!field) continue;
    (out[field] ??= []).push(e.detail);
  }
  return out;
}
