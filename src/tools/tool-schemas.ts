/**
 * The advertised JSON Schema of every operation's tool, computed at build time (scripts/tool-schemas.mjs
 * overwrites the emitted dist/tools/tool-schemas.js): converting 89 zod schemas costs ~30 ms at start-up.
 * Undefined when not built (tests on src/): schemas are then converted on first use.
 */
export const TOOL_SCHEMAS: Record<string, { input: Record<string, unknown>; output?: Record<string, unknown> }> | undefined = undefined;
