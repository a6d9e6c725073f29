// The contract's types for openapi-fetch: the server's own generated file (src/api/openapi.d.ts, `npm run gen:api`,
// freshness-checked in CI), so the application and the server compile against one generation of openapi.yaml.
export type { $defs, components, operations, paths, webhooks } from '../../../src/api/openapi.js';
