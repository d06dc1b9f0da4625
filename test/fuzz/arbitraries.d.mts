import type { Arbitrary } from 'fast-check';

export type JsonSchema = Record<string, any>;
export interface ArbitraryOptions {
  /** Overrides by property name. */
  hint?: (key: string | undefined, schema: JsonSchema) => Arbitrary<unknown> | undefined;
  /** Full schemas for objects advertised only in words, by property name. */
  shapes?: Record<string, unknown>;
}
export interface Hostile {
  strategy: string;
  args: unknown;
}

export const ODD_STRINGS: string[];
export const ODD_NUMBERS: number[];
export const EXTRA_KEYS: string[];
export function nested(levels: number, kind?: 'object' | 'array'): unknown;
export function arbitraryFor(schema: JsonSchema, opts?: ArbitraryOptions, key?: string, depth?: number): Arbitrary<unknown>;
export function hostileArgs(schema: JsonSchema, opts?: ArbitraryOptions): Arbitrary<Hostile>;
export function hintsFor(tool: { name: string; annotations?: { destructiveHint?: boolean } }, ids: Record<string, string[]>): NonNullable<ArbitraryOptions['hint']>;
export function unknownToolNames(known: string[]): Arbitrary<string>;
export function describeValue(value: unknown, depth?: number): string;
