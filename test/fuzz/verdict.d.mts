import type { CallOutcome } from './session.mjs';
import type { JsonSchema } from './arbitraries.mjs';

export const MIN_VALID_RESULT_SHARE: number;
export const MIN_TOOLS_WITH_RESULT_SHARE: number;

export type Expectation =
  | { kind: 'invalid-params' }
  | { kind: 'unknown-tool' }
  | { kind: 'no-operation' }
  | { kind: 'not-json' }
  | { kind: 'valid' }
  | { kind: 'validation'; names: string[]; problems?: Array<{ path: string[]; message: string }> };
export interface Target {
  tool: string;
  /** Inside call_operation: the operation called. */
  operation?: string;
}
export interface Verdict {
  expectation: Expectation;
  target: Target;
  failure?: string;
  knownBug?: string;
  cancelled?: boolean;
}
export interface Tally {
  calls: number;
  cancelled: number;
  byExpectation: Record<string, number>;
  validResults: number;
  validErrors: number;
  validRefusedByValidation: number;
  generatedValid: number;
  generatedValidResults: number;
  generatedValidJudgedInvalid: number;
  /** Results of generated schema-valid calls, by tool. */
  resultsByTool: Record<string, number>;
  knownBugs: Record<string, number>;
  failures: number;
}

export function withoutUnsetNulls(schema: JsonSchema, value: unknown): unknown;
export function schemaProblems(schema: JsonSchema, value: unknown, path?: string[]): Array<{ path: string[]; message: string }>;
export function expectationFor(inputSchema: JsonSchema, args: unknown): Expectation;
export function namesArgument(message: string, name: string): boolean;
export function errorKind(text: string, name: string): string | undefined;
export function unmet(expectation: Expectation, out: CallOutcome, target: Target): string | undefined;
export function expectationOfCall(tool: string, args: unknown, schemas: Record<string, JsonSchema>, operations?: Record<string, JsonSchema>): { expectation: Expectation; target: Target };
export function judge(
  tool: string,
  args: unknown,
  out: CallOutcome,
  schemas: Record<string, JsonSchema>,
  operations?: Record<string, JsonSchema>,
  opts?: { cancelRequested?: boolean },
): Verdict;
export function newTally(): Tally;
export function count(tally: Tally, verdict: Verdict, out: CallOutcome, generatedValid?: boolean): void;
export function tallyProblems(tally: Tally, least?: { minCalls?: number; minValid?: number; tools?: number }): string[];
