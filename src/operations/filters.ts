import { z } from 'zod';
import { getDropDownFilterOptions, refreshDropDownFilterOptions } from '../workflows/filter-options.js';
import { AGGREGATIONS, filterValue, id, inputParameters, listArgs, waitArgs } from './shared.js';
import { defineOperation } from './types.js';

const CONTROL_TYPES = [
  'input',
  'input_multi',
  'checkbox',
  'checkbox_two_way',
  'date_time',
  'date_time_range',
  'date',
  'date_range',
  'time',
  'time_range',
  'date_time_aggregation',
  'dropdown',
  'dropdown_multi',
  'dropdown_dynamic',
  'dropdown_multi_dynamic',
  'dropdown_manual',
  'dropdown_multi_manual',
] as const;
const VALUE_TYPES = ['TEXT', 'NUMBER', 'BOOLEAN', 'DATE', 'TIME', 'DATE_TIME'] as const;

/**
 * FilterAttributes and FilterRelationships as the reference defines them for create and update.
 * No defaults are sent: most flags apply to some control types only, so Cluvio applies its own.
 */
const attributes = {
  display_name: z.string().optional(),
  // A refinement, not .regex(): a pattern costs tokens in two tools, and the message says it when broken.
  variable_name: z.string().refine((s) => /^[A-Za-z0-9_-]+$/.test(s), 'letters, digits, _ and - only'),
  control_type: z.enum(CONTROL_TYPES),
  value_type: z.enum(VALUE_TYPES),
  values: z.array(z.string()).optional().describe('Manual options'),
  value_names: z.array(z.string()).optional(),
  sql_query: z.string().optional().describe('Columns value[, label]'),
  data_refresh_rate: z.number().int().optional().describe('Minutes'),
  default_values: z.array(filterValue).optional(),
  required: z.boolean().optional(),
  dropdown_validate: z.boolean().optional(),
  relative_range_enabled: z.boolean().optional(),
  before_range_enabled: z.boolean().optional(),
  after_range_enabled: z.boolean().optional(),
  from_to_range_enabled: z.boolean().optional(),
  allowed_aggregations: z.array(z.enum(AGGREGATIONS)).optional(),
  datasource_id: id.optional(),
  sql_snippet_ids: z.array(id).optional(),
  parent_filter_id: id.optional(),
};

const relationships = {
  datasource_id: { name: 'datasource', type: 'datasources', many: false },
  sql_snippet_ids: { name: 'sql_snippets', type: 'sql_snippets', many: true },
  parent_filter_id: { name: 'parent_filter', type: 'filters', many: false },
};

const parameters = inputParameters.optional();
const dynamic = { dashboard_id: id.optional(), parameters };

export const filterOperations = [
  defineOperation({
    id: 'createFilter',
    title: 'Create Filter',
    toolset: 'filters',
    route: 'POST /filters',
    description: 'A dashboard filter for SQL as {column=variable_name}; SQL drop-downs need datasource_id, sql_query.',
    input: z.object(attributes),
    access: 'write',
    invalidates: ['search-index'],
    request: { body: 'jsonapi', resourceType: 'filters', relationships },
  }),
  defineOperation({
    id: 'listFilters',
    title: 'List Filters',
    toolset: 'filters',
    route: 'GET /filters',
    description: 'List filters.',
    // Filters have no `name`, and the list presentation filters by name: only paging here.
    input: z.object({ offset: listArgs.offset, limit: listArgs.limit }),
    access: 'read',
    present: { kind: 'list', columns: ['id', 'variable_name', 'display_name', 'control_type', 'value_type', 'datasource_id'] },
  }),
  defineOperation({
    id: 'getFilter',
    title: 'Get Filter',
    toolset: 'filters',
    route: 'GET /filters/{id}',
    description: 'Get a filter.',
    input: z.object({ id, include: z.enum(['datasource', 'sql_snippets', 'parent_filter']).optional() }),
    access: 'read',
  }),
  defineOperation({
    id: 'updateFilter',
    title: 'Update Filter',
    toolset: 'filters',
    route: 'PATCH /filters/{id}',
    description: 'Change a filter; renaming variable_name breaks SQL using it.',
    input: z.object({
      id,
      ...attributes,
      variable_name: attributes.variable_name.optional(),
      control_type: attributes.control_type.optional(),
      value_type: attributes.value_type.optional(),
    }),
    access: 'write',
    invalidates: ['search-index'],
    request: { body: 'jsonapi', resourceType: 'filters', relationships },
  }),
  defineOperation({
    id: 'deleteFilter',
    title: 'Delete Filter',
    toolset: 'filters',
    route: 'DELETE /filters/{id}',
    description: 'Delete a filter; SQL using it then gets a text filter.',
    input: z.object({ id }),
    access: 'write',
    invalidates: ['search-index'],
    present: { kind: 'done', message: (a) => `Filter ${a.id} deleted.` },
  }),
  defineOperation({
    id: 'getDropDownFilterOptions',
    title: 'Get Drop-Down Filter Options',
    toolset: 'filters',
    route: 'POST /filters/{id}/options',
    description: "A drop-down filter's cached options; dynamic ones need dashboard_id, parameters.",
    input: z.object({ id, ...dynamic }),
    access: 'read',
    idempotent: true,
    request: { body: 'json' },
    handler: getDropDownFilterOptions,
  }),
  defineOperation({
    id: 'refreshDropDownFilterOptions',
    title: 'Refresh Drop-Down Filter Options',
    toolset: 'filters',
    route: 'POST /filters/{id}/options/refresh',
    description: "Rerun a SQL drop-down's query, wait, return its options; dynamic ones need dashboard_id, parameters.",
    input: z.object({ id, ...dynamic, ...waitArgs }),
    access: 'run',
    request: { body: 'json' },
    handler: refreshDropDownFilterOptions,
  }),
];
