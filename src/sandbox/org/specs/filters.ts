/** Filters, SQL snippets and SQL alerts: their specs, transcribed from the reference. */
import { unprocessable } from '../../http.js';
import { AGGREGATIONS } from '../../parameters.js';
import { FORMATS, arr, bool, int, num, scalar, str } from '../../validate.js';
import { ro, rw, timestamps, type ResourceSpec } from '../crud.js';
import { linkages, type Linkage } from '../store.js';

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
const TRIGGER_CONDITIONS = ['has_results', 'no_results', 'greater_than', 'lower_than', 'equal', 'not_equal'] as const;
const COMPARISONS: readonly string[] = TRIGGER_CONDITIONS.slice(2);
const RUN_SCHEDULES = ['disabled', 'at', 'every'] as const;
const EMAIL_CONDITIONS = ['triggered', 'changed', 'all'] as const;

export const filterSpec: ResourceSpec = {
  type: 'filters',
  what: 'filter',
  ops: ['create', 'list', 'get', 'update', 'delete'],
  attributes: {
    display_name: rw(str()),
    variable_name: rw(str({ nonEmpty: true }), { required: true }),
    control_type: rw(str({ enum: CONTROL_TYPES }), { required: true }),
    value_type: rw(str({ enum: VALUE_TYPES }), { required: true }),
    // Request-only in the reference (manual drop-downs): kept for the options routes, not returned.
    values: rw(arr(str()), { hidden: true }),
    value_names: rw(arr(str()), { hidden: true }),
    sql_query: rw(str()),
    data_refresh_rate: rw(int({ min: 1 })),
    default_values: rw(arr(scalar)),
    required: rw(bool, { default: false }),
    dropdown_validate: rw(bool, { default: false }),
    relative_range_enabled: rw(bool, { default: true }),
    before_range_enabled: rw(bool, { default: true }),
    after_range_enabled: rw(bool, { default: true }),
    from_to_range_enabled: rw(bool, { default: true }),
    allowed_aggregations: rw(arr(str({ enum: AGGREGATIONS }))),
    last_query_success: ro(),
    last_query_error_message: ro(),
    ...timestamps,
  },
  relationships: {
    datasource: { target: 'datasources', many: false },
    sql_snippets: { target: 'sql_snippets', many: true },
    parent_filter: { target: 'filters', many: false },
  },
  include: ['datasource', 'sql_snippets', 'parent_filter'],
  check: ({ state, rec }) => {
    const name = rec.attributes['variable_name'];
    const clash = state.records.list('filters').find((f) => f.id !== rec.id && f.attributes['variable_name'] === name);
    if (clash) throw unprocessable(`attribute "variable_name": filter ${clash.id} already uses "${String(name)}"`);
    if ((rec.relationships['parent_filter'] as Linkage | null)?.id === rec.id) throw unprocessable('relationship "parent_filter" cannot be the filter itself');
  },
};

export const sqlSnippetSpec: ResourceSpec = {
  type: 'sql_snippets',
  what: 'SQL snippet',
  ops: ['create', 'list', 'get', 'update', 'delete'],
  attributes: {
    name: rw(str({ nonEmpty: true }), { required: true }),
    description: rw(str()),
    text: rw(str({ nonEmpty: true }), { required: true }),
    params: rw(str()),
    ...timestamps,
  },
  relationships: {
    // "A SQL snippet is always associated with a particular datasource."
    datasource: { target: 'datasources', many: false, required: true },
    sql_snippets: { target: 'sql_snippets', many: true },
  },
  include: ['datasource', 'sql_snippets'],
  check: ({ rec }) => {
    if (linkages(rec.relationships['sql_snippets']).some((l) => l.id === rec.id)) throw unprocessable('relationship "sql_snippets" cannot contain the snippet itself');
  },
};

export const sqlAlertSpec: ResourceSpec = {
  type: 'sql_alerts',
  what: 'SQL alert',
  ops: ['create', 'list', 'get', 'update', 'delete'],
  attributes: {
    name: rw(str({ nonEmpty: true }), { required: true }),
    description: rw(str()),
    sql_query: rw(str({ nonEmpty: true }), { required: true }),
    run_schedule: rw(str({ enum: RUN_SCHEDULES }), { required: true }),
    run_at: rw(str({ format: FORMATS.times })),
    run_every: rw(int({ min: 1 })),
    // Required with a default in the reference: the default applies when it is left out.
    trigger_condition: rw(str({ enum: TRIGGER_CONDITIONS }), { default: 'has_results' }),
    trigger_value: rw(num()),
    email_condition: rw(str({ enum: EMAIL_CONDITIONS }), { required: true }),
    emails: rw(str({ format: FORMATS.emails })),
    cc_emails: rw(str({ format: FORMATS.emails })),
    bcc_emails: rw(str({ format: FORMATS.emails })),
    error_emails: rw(str({ format: FORMATS.emails })),
    attach_as: rw(str({ enum: ['csv', 'excel'] })),
    running_execution_id: ro(),
    last_result_status: ro(),
    last_error_message: ro(),
    last_query_run: ro(),
    last_query_success: ro(),
    last_query_error_message: ro(),
    ...timestamps,
  },
  relationships: { datasource: { target: 'datasources', many: false, required: true } },
  include: ['datasource'],
  check: ({ rec }) => {
    const a = rec.attributes;
    if (a['run_schedule'] === 'at' && !a['run_at']) throw unprocessable('attribute "run_at" is required when run_schedule is "at"');
    if (a['run_schedule'] === 'every' && a['run_every'] == null) throw unprocessable('attribute "run_every" is required when run_schedule is "every"');
    if (COMPARISONS.includes(a['trigger_condition'] as string) && a['trigger_value'] == null) {
      throw unprocessable(`attribute "trigger_value" is required when trigger_condition is "${String(a['trigger_condition'])}"`);
    }
  },
};
