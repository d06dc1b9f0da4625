import { z } from 'zod';
import { MAX_SEARCH_LIMIT, SEARCH_KINDS } from '../search/index.js';
import { searchAccount } from '../workflows/search.js';
import { id, toolOnly, UNADVERTISED_DEFAULTS } from './shared.js';
import { defineOperation, LOCAL } from './types.js';

const MAX_QUERY_CHARS = 500;

const limit = toolOnly(
  z
    .number()
    .int()
    .min(1)
    .refine((n) => n <= MAX_SEARCH_LIMIT, `at most ${MAX_SEARCH_LIMIT}`)
    .default(10),
);
UNADVERTISED_DEFAULTS.add(limit);

/** This server's own operations: Cluvio's API has no search, so the handler searches the account's own listings. */
export const searchOperations = [
  defineOperation({
    id: 'searchAccount',
    title: 'Search Account',
    // With the reports it mostly finds; read-only and discovery modes include it (access read).
    toolset: 'reports',
    route: LOCAL,
    description:
      'Find reports, dashboards, filters, SQL snippets and SQL alerts by words in their names, descriptions, variables or SQL. Check before writing new SQL.',
    input: z.object({
      // Every argument is the tool's own: nothing is sent to Cluvio as is.
      query: toolOnly(
        z
          .string()
          .refine((s) => /[\p{L}\p{N}]/u.test(s), 'needs a word to look for, e.g. "delay_minutes" or "cancelled flights"')
          .refine((s) => s.length <= MAX_QUERY_CHARS, `at most ${MAX_QUERY_CHARS} characters: a few words`),
      ),
      kinds: toolOnly(z.array(z.enum(SEARCH_KINDS)).optional()),
      datasource_id: toolOnly(id.optional()),
      dashboard_id: toolOnly(id.optional()),
      limit,
    }),
    access: 'read',
    handler: searchAccount,
  }),
];
