import { z } from 'zod';

/** Building blocks reused across catalog entries. Descriptions only where a name and type do not say it. */

export const id = z.string().min(1);

export const AGGREGATIONS = ['second', 'minute', 'hour', 'day', 'week', 'week_sunday', 'month', 'quarter', 'year', 'all_time'] as const;

/** Cluvio's InputParameters: values for `{…}` parameter expressions in the SQL (a dashboard's filter inputs). */
export const inputParameters = z.object({
  // A refinement, not .regex(): the description says the format in fewer tokens than a pattern.
  timerange: z
    .string()
    .refine((s) => /^\d*~\d*$/.test(s), 'format: <unix-start>~<unix-end>, either side optional')
    .optional()
    .describe('"<unix-start>~<unix-end>", inclusive; "~" = all time'),
  aggregation: z.enum(AGGREGATIONS).optional(),
  tz: z.string().optional(),
  filters: z
    .array(
      z.object({
        variable_name: z.string(),
        selected_values: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])),
      }),
    )
    .optional(),
});

export const listArgs = {
  name: z.string().optional().describe('Name contains (any case)'),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(50),
};

export const MAX_ROWS = 1000;
export const rowArgs = {
  max_rows: z.number().int().min(1).max(MAX_ROWS).default(100),
};
export const reportRowArgs = {
  max_rows_per_report: z.number().int().min(1).max(200).default(20),
};
/**
 * The longest a tool waits for work by default: most clients give up on a request after 60 s (the MCP SDK,
 * LangChain, Mastra, OpenAI Agents, mcp-remote), and progress notifications do not reset their timers.
 * CLUVIO_MAX_WAIT_SECONDS raises it for clients known to wait longer (buildCatalog applies it).
 */
export const WAIT_CEILING_SECONDS = 50;
export const DEFAULT_WAIT_SECONDS = 45;

export function waitSeconds(ceiling: number) {
  return z.number().int().min(0).max(ceiling).default(Math.min(DEFAULT_WAIT_SECONDS, ceiling));
}

export const waitArgs = {
  max_wait_seconds: waitSeconds(WAIT_CEILING_SECONDS),
};
