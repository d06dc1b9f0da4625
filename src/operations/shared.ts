import { z } from 'zod';

/** Building blocks reused across catalog entries. Descriptions only where a name and type do not say it. */

export const id = z.string().min(1);

/**
 * This server's own paging and waiting arguments: their defaults are applied but not advertised (the answer
 * says what was shown and how to get more), which keeps them cheap in every tool that has them.
 */
export const UNADVERTISED_DEFAULTS = new WeakSet<z.ZodType>();
export function quiet<T extends z.ZodType>(schema: T): T {
  UNADVERTISED_DEFAULTS.add(schema);
  return schema;
}

/** Arguments a tool uses itself and never sends to Cluvio (paging, waiting, row caps): buildRequest leaves them out. */
export const TOOL_ONLY = new WeakSet<z.ZodType>();
export function toolOnly<T extends z.ZodType>(schema: T): T {
  TOOL_ONLY.add(schema);
  return schema;
}

export const AGGREGATIONS = ['second', 'minute', 'hour', 'day', 'week', 'week_sunday', 'month', 'quarter', 'year', 'all_time'] as const;

/**
 * JSON Schemas to advertise instead of the one zod would derive, for a schema that accepts more than is worth
 * spelling out in every tool that has it.
 */
export const ADVERTISED_AS = new WeakMap<z.ZodType, Record<string, unknown>>();

/**
 * A value of a filter (FilterInput.selected_values, a filter's default_values): a number, string, boolean or
 * null. Advertised without null, which selects rows with NULL and is rare, to keep 17 copies of it short.
 */
export const filterValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
ADVERTISED_AS.set(filterValue, { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] });

/** Cluvio's InputParameters: values for `{…}` parameter expressions in the SQL (a dashboard's filter inputs). */
export const inputParameters = z.object({
  // A refinement, not .regex(): the description says the format in fewer tokens than a pattern.
  timerange: z
    .string()
    .refine((s) => /^\d*~\d*$/.test(s), 'format: <unix-start>~<unix-end>, either side optional')
    .optional()
    .describe('<unix-start>~<unix-end>'),
  aggregation: z.enum(AGGREGATIONS).optional(),
  tz: z.string().optional(),
  filters: z
    .array(
      z.object({
        variable_name: z.string(),
        selected_values: z.array(filterValue).optional(),
      }),
    )
    .optional(),
});

/** Where a page of rows or list items starts. */
export const offset = toolOnly(quiet(z.number().int().min(0).default(0)));

export const MAX_LIST_LIMIT = 500;
export const listArgs = {
  // Matches any part of the name, in any case: the answer says so when nothing matches.
  name: toolOnly(z.string().optional()),
  offset,
  // The cap as a refinement: not worth its tokens in every list tool's schema.
  limit: toolOnly(
    quiet(
      z
        .number()
        .int()
        .min(1)
        .refine((n) => n <= MAX_LIST_LIMIT, `at most ${MAX_LIST_LIMIT}`)
        .default(50),
    ),
  ),
};

export const MAX_ROWS = 1000;
export const rowArgs = {
  max_rows: toolOnly(quiet(z.number().int().min(1).max(MAX_ROWS).default(100))),
};
export const reportRowArgs = {
  max_rows_per_report: toolOnly(quiet(z.number().int().min(1).max(200).default(20))),
};
/**
 * The longest a tool waits for work by default: most clients give up on a request after 60 s (the MCP SDK,
 * LangChain, Mastra, OpenAI Agents, mcp-remote), and progress notifications do not reset their timers.
 * CLUVIO_MAX_WAIT_SECONDS raises it for clients known to wait longer (buildCatalog applies it).
 */
export const WAIT_CEILING_SECONDS = 50;
export const DEFAULT_WAIT_SECONDS = 45;

export function waitSeconds(ceiling: number) {
  return toolOnly(quiet(z.number().int().min(0).max(ceiling).default(Math.min(DEFAULT_WAIT_SECONDS, ceiling))));
}

export const waitArgs = {
  max_wait_seconds: waitSeconds(WAIT_CEILING_SECONDS),
};
