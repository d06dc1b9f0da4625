import type { Arbitrary } from 'fast-check';
import type { JsonSchema } from './arbitraries.mjs';

export interface Tool {
  name: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  annotations?: { destructiveHint?: boolean; readOnlyHint?: boolean; [k: string]: unknown };
}
export interface CallPlan {
  strategy: string;
  args: unknown;
  /** call_operation: whether the outer call is schema-valid although its inner `arguments` are hostile. */
  outerValid?: boolean;
}
export interface FuzzContext {
  /** Existing ids by list (datasources, dashboards, …, executions). */
  ids: Record<string, string[]>;
  shapes: Record<string, unknown>;
}
export function shapesFrom(tools: Tool[]): Record<string, unknown>;
export function argumentsFor(tool: Tool, ctx: FuzzContext): { valid: Arbitrary<CallPlan>; hostile: Arbitrary<CallPlan> };
export function discoveryArguments(discoveryTools: Tool[], operationTools: Tool[], ctx: FuzzContext): Record<string, { valid: Arbitrary<CallPlan>; hostile: Arbitrary<CallPlan> }>;
