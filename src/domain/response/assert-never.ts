/** Exhaustiveness guard for switches over the closed sets in response-values.ts. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
}
