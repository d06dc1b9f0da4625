// Replaces @modelcontextprotocol/server/_shims in the bundle: same exports, without the eager ajv (~300 KB, ~15 ms).
// The validator only checks elicitation replies, which this server never requests.
export { CfWorkerJsonSchemaValidator as DefaultJsonSchemaValidator } from '@modelcontextprotocol/server/validators/cf-worker';
export { default as process } from 'node:process';
