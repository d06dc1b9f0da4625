import { describe, expect, it } from 'vitest';
import { filterOperations } from '../../src/operations/filters.js';
import { inputParameters } from '../../src/operations/shared.js';
import { sqlAlertOperations } from '../../src/operations/sql-alerts.js';
import { sqlSnippetOperations } from '../../src/operations/sql-snippets.js';
import { modelJsonSchema } from '../../src/tools/schema.js';
import { present } from '../../src/tools/present.js';
import { annotationsFor } from '../../src/tools/register.js';
import { op, rejects, request } from './catalog.js';

const all = [...filterOperations, ...sqlSnippetOperations, ...sqlAlertOperations];

const params = { timerange: '1712233090~1712237090', aggregation: 'day', tz: 'Europe/Berlin', filters: [{ variable_name: 'country', selected_values: ['DE'] }] };

/**
 * The Update Filter / Update SQL Snippet / Update SQL Alert request bodies of Cluvio's reference (v2024-06-01): the
 * attributes of the body schema, and the relationships of the request samples with the type each refers to.
 */
const UPDATE_BODIES: Record<string, { attributes: string[]; relationships: Record<string, { type: string; many: boolean }> }> = {
  updateFilter: {
    attributes: [
      'display_name',
      'variable_name',
      'control_type',
      'value_type',
      'values',
      'value_names',
      'sql_query',
      'data_refresh_rate',
      'default_values',
      'required',
      'dropdown_validate',
      'relative_range_enabled',
      'before_range_enabled',
      'after_range_enabled',
      'from_to_range_enabled',
      'allowed_aggregations',
    ],
    relationships: {
      datasource: { type: 'datasources', many: false },
      sql_snippets: { type: 'sql_snippets', many: true },
      parent_filter: { type: 'filters', many: false },
    },
  },
  updateSqlSnippet: {
    attributes: ['name', 'description', 'text', 'params'],
    relationships: { datasource: { type: 'datasources', many: false }, sql_snippets: { type: 'sql_snippets', many: true } },
  },
  updateSqlAlert: {
    attributes: [
      'name',
      'description',
      'sql_query',
      'run_schedule',
      'run_at',
      'run_every',
      'trigger_condition',
      'trigger_value',
      'email_condition',
      'emails',
      'cc_emails',
      'bcc_emails',
      'error_emails',
      'attach_as',
    ],
    relationships: { datasource: { type: 'datasources', many: false } },
  },
};

describe('catalog entries of this group', () => {
  it('has the 19 operations with their toolsets', () => {
    expect(filterOperations.map((o) => o.id)).toEqual([
      'createFilter',
      'listFilters',
      'getFilter',
      'updateFilter',
      'deleteFilter',
      'getDropDownFilterOptions',
      'refreshDropDownFilterOptions',
    ]);
    expect(sqlSnippetOperations.map((o) => o.id)).toEqual(['createSqlSnippet', 'listSqlSnippets', 'getSqlSnippet', 'updateSqlSnippet', 'deleteSqlSnippet']);
    expect(sqlAlertOperations.map((o) => o.id)).toEqual([
      'createSqlAlert',
      'listSqlAlerts',
      'getSqlAlert',
      'updateSqlAlert',
      'deleteSqlAlert',
      'runSqlAlertQuery',
      'listSqlAlertResults',
    ]);
    for (const o of filterOperations) expect(o.toolset).toBe('filters');
    for (const o of sqlSnippetOperations) expect(o.toolset).toBe('sql_snippets');
    for (const o of sqlAlertOperations) expect(o.toolset).toBe('sql_alerts');
  });

  it('keeps reads and the options refresh in read-only mode; running an alert e-mails, so it is a write', () => {
    const reads = all.filter((o) => o.access === 'read').map((o) => o.id);
    expect(reads.sort()).toEqual(
      ['getDropDownFilterOptions', 'getFilter', 'getSqlAlert', 'getSqlSnippet', 'listFilters', 'listSqlAlertResults', 'listSqlAlerts', 'listSqlSnippets'].sort(),
    );
    expect(op('refreshDropDownFilterOptions').access).toBe('run');
    expect(op('runSqlAlertQuery').access).toBe('write');
    expect(annotationsFor(op('getDropDownFilterOptions'), false)).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    expect(annotationsFor(op('runSqlAlertQuery'), false)).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false });
    expect(annotationsFor(op('deleteSqlAlert'), false)).toMatchObject({ destructiveHint: true });
  });

  it('advertises every field of the reference\'s Update request bodies, all optional but id, no defaults', () => {
    for (const [update, ref] of Object.entries(UPDATE_BODIES)) {
      const json = modelJsonSchema(op(update).input, 'input') as { properties: Record<string, Record<string, unknown>>; required?: string[] };
      // Relationships are taken as ids: a to-one "datasource" as datasource_id, a to-many "sql_snippets" as sql_snippet_ids.
      const relationshipArgs = Object.entries(ref.relationships).map(([name, r]) => (r.many ? `${name.replace(/s$/, '')}_ids` : `${name}_id`));
      expect(Object.keys(json.properties).sort(), update).toEqual(['id', ...ref.attributes, ...relationshipArgs].sort());
      expect(json.required, update).toEqual(['id']);
      for (const [k, v] of Object.entries(json.properties)) expect(v, `${update}.${k}`).not.toHaveProperty('default');
      expect(op(update).description, update).not.toMatch(/create_\w+ fields/);
    }
  });

  it('sends each relationship argument as the reference\'s relationship, with its type', () => {
    for (const [update, ref] of Object.entries(UPDATE_BODIES)) {
      const args: Record<string, unknown> = { id: 'x1' };
      for (const [name, r] of Object.entries(ref.relationships)) {
        if (r.many) args[`${name.replace(/s$/, '')}_ids`] = [`${name}-1`, `${name}-2`];
        else args[`${name}_id`] = `${name}-1`;
      }
      const body = request(update, args).body as { data: { relationships: Record<string, { data: unknown }> } };
      const expected = Object.fromEntries(
        Object.entries(ref.relationships).map(([name, r]) => [
          name,
          { data: r.many ? [{ id: `${name}-1`, type: r.type }, { id: `${name}-2`, type: r.type }] : { id: `${name}-1`, type: r.type } },
        ]),
      );
      expect(body.data.relationships, update).toEqual(expected);
    }
  });

  it('refuses values outside the reference\'s enums on update too', () => {
    expect(rejects('updateFilter', { id: 'f1', control_type: 'slider' })).toBe(true);
    expect(rejects('updateSqlAlert', { id: 'a1', attach_as: 'pdf' })).toBe(true);
  });
});

describe('filters', () => {
  it('creates a SQL drop-down with its datasource, snippets and parent filter as relationships', () => {
    const args = {
      display_name: 'Country',
      variable_name: 'country',
      control_type: 'dropdown_multi',
      value_type: 'TEXT',
      sql_query: 'SELECT code, name FROM countries',
      data_refresh_rate: 60,
      default_values: ['DE', null],
      dropdown_validate: true,
      datasource_id: 'ds1',
      sql_snippet_ids: ['s1', 's2'],
      parent_filter_id: 'f0',
    };
    expect(request('createFilter', args)).toEqual({
      method: 'POST',
      path: '/filters',
      query: {},
      bodyType: 'jsonapi',
      body: {
        data: {
          type: 'filters',
          attributes: {
            display_name: 'Country',
            variable_name: 'country',
            control_type: 'dropdown_multi',
            value_type: 'TEXT',
            sql_query: 'SELECT code, name FROM countries',
            data_refresh_rate: 60,
            default_values: ['DE', null],
            dropdown_validate: true,
          },
          relationships: {
            datasource: { data: { id: 'ds1', type: 'datasources' } },
            sql_snippets: { data: [{ id: 's1', type: 'sql_snippets' }, { id: 's2', type: 'sql_snippets' }] },
            parent_filter: { data: { id: 'f0', type: 'filters' } },
          },
        },
      },
    });
  });

  it('sends no defaults of its own, since most flags only apply to some control types', () => {
    expect(request('createFilter', { variable_name: 'q', control_type: 'input', value_type: 'TEXT' }).body).toEqual({
      data: { type: 'filters', attributes: { variable_name: 'q', control_type: 'input', value_type: 'TEXT' } },
    });
  });

  it('creates manual drop-downs and aggregation pickers', () => {
    const manual = request('createFilter', {
      variable_name: 'tier',
      control_type: 'dropdown_manual',
      value_type: 'NUMBER',
      values: ['1', '2'],
      value_names: ['Gold', 'Silver'],
    });
    expect(manual.body).toEqual({
      data: { type: 'filters', attributes: { variable_name: 'tier', control_type: 'dropdown_manual', value_type: 'NUMBER', values: ['1', '2'], value_names: ['Gold', 'Silver'] } },
    });
    const agg = request('createFilter', { variable_name: 'agg', control_type: 'date_time_aggregation', value_type: 'TEXT', allowed_aggregations: ['day', 'week_sunday'] });
    expect((agg.body as { data: { attributes: Record<string, unknown> } }).data.attributes.allowed_aggregations).toEqual(['day', 'week_sunday']);
  });

  it('refuses bad enums, variable names and missing required attributes', () => {
    const ok = { variable_name: 'country', control_type: 'dropdown', value_type: 'TEXT' };
    expect(rejects('createFilter', ok)).toBe(false);
    expect(rejects('createFilter', { ...ok, control_type: 'slider' })).toBe(true);
    expect(rejects('createFilter', { ...ok, value_type: 'text' })).toBe(true);
    expect(rejects('createFilter', { ...ok, allowed_aggregations: ['fortnight'] })).toBe(true);
    expect(rejects('createFilter', { ...ok, variable_name: 'my country' })).toBe(true);
    expect(rejects('createFilter', { ...ok, variable_name: 'my-country_2' })).toBe(false);
    expect(rejects('createFilter', { control_type: 'input', value_type: 'TEXT' })).toBe(true);
    expect(rejects('createFilter', { ...ok, data_refresh_rate: 1.5 })).toBe(true);
    expect(rejects('createFilter', { ...ok, name: 'country' })).toBe(true);
  });

  it('lists without sending the paging arguments, and gets with an include', () => {
    expect(request('listFilters', { offset: 10, limit: 5 })).toEqual({ method: 'GET', path: '/filters', query: {}, body: undefined, bodyType: undefined });
    expect(request('getFilter', { id: 'f1', include: 'parent_filter' })).toMatchObject({ method: 'GET', path: '/filters/f1', query: { include: 'parent_filter' } });
    expect(rejects('getFilter', { id: 'f1', include: 'dashboards' })).toBe(true);
  });

  it('shows filters by variable name, flattening their relationships', () => {
    const body = {
      data: [
        {
          id: 'f1',
          type: 'filters',
          attributes: { display_name: 'Country', variable_name: 'country', control_type: 'dropdown', value_type: 'TEXT', sql_query: 'SELECT 1' },
          relationships: { datasource: { data: { id: 'ds1', type: 'datasources' } } },
        },
      ],
    };
    const out = present(op('listFilters'), { offset: 0, limit: 50 }, body, false);
    expect(out.structured).toEqual({
      items: [{ id: 'f1', variable_name: 'country', display_name: 'Country', control_type: 'dropdown', value_type: 'TEXT', datasource_id: 'ds1' }],
      total: 1,
      offset: 0,
    });
  });

  it('updates only what is given, with the id in the envelope', () => {
    expect(request('updateFilter', { id: 'f1', display_name: 'Land', parent_filter_id: 'f2' })).toEqual({
      method: 'PATCH',
      path: '/filters/f1',
      query: {},
      bodyType: 'jsonapi',
      body: { data: { type: 'filters', id: 'f1', attributes: { display_name: 'Land' }, relationships: { parent_filter: { data: { id: 'f2', type: 'filters' } } } } },
    });
  });

  it('deletes', () => {
    expect(request('deleteFilter', { id: 'f1' })).toMatchObject({ method: 'DELETE', path: '/filters/f1', query: {}, body: undefined });
    expect(present(op('deleteFilter'), { id: 'f1' }, undefined, false).text).toBe('Filter f1 deleted.');
  });

  it('gets and refreshes drop-down options with a plain JSON body', () => {
    expect(request('getDropDownFilterOptions', { id: 'f1', dashboard_id: 'd1', parameters: params })).toEqual({
      method: 'POST',
      path: '/filters/f1/options',
      query: {},
      bodyType: 'json',
      body: { dashboard_id: 'd1', parameters: params },
    });
    expect(request('getDropDownFilterOptions', { id: 'f1' })).toMatchObject({ body: {} });
    expect(request('refreshDropDownFilterOptions', { id: 'f1', dashboard_id: 'd1', parameters: { timerange: '~' } })).toEqual({
      method: 'POST',
      path: '/filters/f1/options/refresh',
      query: {},
      bodyType: 'json',
      body: { dashboard_id: 'd1', parameters: { timerange: '~' } },
    });
    expect(rejects('refreshDropDownFilterOptions', { id: 'f1', parameters: { aggregation: 'fortnight' } })).toBe(true);
    expect(rejects('getDropDownFilterOptions', { id: 'f1', parameters: { timerange: 'yesterday' } })).toBe(true);
  });

  it('advertises the filter inputs in full', () => {
    const full = modelJsonSchema(inputParameters, 'input');
    for (const id of ['getDropDownFilterOptions', 'refreshDropDownFilterOptions']) {
      const schema = modelJsonSchema(op(id).input, 'input') as { properties: Record<string, { properties?: object }> };
      expect(Object.keys(schema.properties.parameters?.properties ?? {}).sort(), id).toEqual(['aggregation', 'filters', 'timerange', 'tz']);
      expect(schema.properties.parameters, id).toEqual(full);
    }
  });

  it('shows plain JSON answers (options, execution id, 204)', () => {
    const options = { data_timestamp: 1712233090, options: { values: ['DE'], value_names: ['Germany'] } };
    expect(present(op('getDropDownFilterOptions'), { id: 'f1' }, options, false).structured).toEqual(options);
    expect(present(op('refreshDropDownFilterOptions'), { id: 'f1' }, undefined, false).text).toBe('Done (no content).');
  });
});

describe('SQL snippets', () => {
  it('creates with its datasource and used snippets as relationships', () => {
    expect(request('createSqlSnippet', { name: 'active_users', text: 'users WHERE active', params: 'a, b', datasource_id: 'ds1', sql_snippet_ids: ['s0'] })).toEqual({
      method: 'POST',
      path: '/sql_snippets',
      query: {},
      bodyType: 'jsonapi',
      body: {
        data: {
          type: 'sql_snippets',
          attributes: { name: 'active_users', text: 'users WHERE active', params: 'a, b' },
          relationships: { datasource: { data: { id: 'ds1', type: 'datasources' } }, sql_snippets: { data: [{ id: 's0', type: 'sql_snippets' }] } },
        },
      },
    });
  });

  it('requires name, text and datasource on create, none of them on update', () => {
    expect(rejects('createSqlSnippet', { name: 'x', text: 'y' })).toBe(true);
    expect(rejects('createSqlSnippet', { name: 'x', datasource_id: 'ds1' })).toBe(true);
    expect(rejects('createSqlSnippet', { text: 'y', datasource_id: 'ds1' })).toBe(true);
    expect(request('updateSqlSnippet', { id: 's1', text: 'users' })).toEqual({
      method: 'PATCH',
      path: '/sql_snippets/s1',
      query: {},
      bodyType: 'jsonapi',
      body: { data: { type: 'sql_snippets', id: 's1', attributes: { text: 'users' } } },
    });
    expect(request('updateSqlSnippet', { id: 's1', datasource_id: 'ds2' }).body).toEqual({
      data: { type: 'sql_snippets', id: 's1', attributes: {}, relationships: { datasource: { data: { id: 'ds2', type: 'datasources' } } } },
    });
  });

  it('lists, gets and deletes', () => {
    expect(request('listSqlSnippets', { name: 'act' })).toMatchObject({ method: 'GET', path: '/sql_snippets', query: {} });
    expect(request('getSqlSnippet', { id: 's1', include: 'sql_snippets' })).toMatchObject({ method: 'GET', path: '/sql_snippets/s1', query: { include: 'sql_snippets' } });
    expect(rejects('getSqlSnippet', { id: 's1', include: 'parent_filter' })).toBe(true);
    expect(request('deleteSqlSnippet', { id: 's1' })).toMatchObject({ method: 'DELETE', path: '/sql_snippets/s1', query: {} });
    expect(present(op('deleteSqlSnippet'), { id: 's1' }, undefined, false).text).toBe('SQL snippet s1 deleted.');
  });
});

describe('SQL alerts', () => {
  const alert = { name: 'No orders', sql_query: 'SELECT count(*) FROM orders', run_schedule: 'at', run_at: '06:00,18:00', email_condition: 'changed', datasource_id: 'ds1' };

  it('creates with the datasource as a relationship and has_results as the default trigger', () => {
    expect(request('createSqlAlert', { ...alert, emails: 'a@example.com,b@example.com', attach_as: 'excel' })).toEqual({
      method: 'POST',
      path: '/sql_alerts',
      query: {},
      bodyType: 'jsonapi',
      body: {
        data: {
          type: 'sql_alerts',
          attributes: {
            name: 'No orders',
            sql_query: 'SELECT count(*) FROM orders',
            run_schedule: 'at',
            run_at: '06:00,18:00',
            trigger_condition: 'has_results',
            email_condition: 'changed',
            emails: 'a@example.com,b@example.com',
            attach_as: 'excel',
          },
          relationships: { datasource: { data: { id: 'ds1', type: 'datasources' } } },
        },
      },
    });
  });

  it('refuses bad enums and what the reference requires in words', () => {
    expect(rejects('createSqlAlert', alert)).toBe(false);
    expect(rejects('createSqlAlert', { ...alert, run_schedule: 'hourly' })).toBe(true);
    expect(rejects('createSqlAlert', { ...alert, email_condition: 'never' })).toBe(true);
    expect(rejects('createSqlAlert', { ...alert, trigger_condition: 'greater' })).toBe(true);
    expect(rejects('createSqlAlert', { ...alert, attach_as: 'pdf' })).toBe(true);
    const { datasource_id: _, ...noDatasource } = alert;
    expect(rejects('createSqlAlert', noDatasource)).toBe(true);
    expect(rejects('createSqlAlert', { ...alert, run_at: undefined })).toBe(true);
    expect(rejects('createSqlAlert', { ...alert, run_schedule: 'every', run_at: undefined })).toBe(true);
    expect(rejects('createSqlAlert', { ...alert, run_schedule: 'every', run_every: 15 })).toBe(false);
    expect(rejects('createSqlAlert', { ...alert, trigger_condition: 'greater_than' })).toBe(true);
    expect(rejects('createSqlAlert', { ...alert, trigger_condition: 'greater_than', trigger_value: 0 })).toBe(false);
    expect(rejects('createSqlAlert', { ...alert, run_schedule: 'disabled', run_at: undefined })).toBe(false);
  });

  it('updates only what is given: no default trigger condition on update', () => {
    expect(request('updateSqlAlert', { id: 'a1', run_schedule: 'disabled' })).toEqual({
      method: 'PATCH',
      path: '/sql_alerts/a1',
      query: {},
      bodyType: 'jsonapi',
      body: { data: { type: 'sql_alerts', id: 'a1', attributes: { run_schedule: 'disabled' } } },
    });
    expect(request('updateSqlAlert', { id: 'a1', datasource_id: 'ds2' }).body).toEqual({
      data: { type: 'sql_alerts', id: 'a1', attributes: {}, relationships: { datasource: { data: { id: 'ds2', type: 'datasources' } } } },
    });
  });

  it('lists, gets, deletes and runs', () => {
    expect(request('listSqlAlerts', { name: 'orders', offset: 0, limit: 10 })).toMatchObject({ method: 'GET', path: '/sql_alerts', query: {} });
    expect(request('getSqlAlert', { id: 'a1', include: 'datasource' })).toMatchObject({ method: 'GET', path: '/sql_alerts/a1', query: { include: 'datasource' } });
    expect(rejects('getSqlAlert', { id: 'a1', include: 'sql_snippets' })).toBe(true);
    expect(request('deleteSqlAlert', { id: 'a1' })).toMatchObject({ method: 'DELETE', path: '/sql_alerts/a1', query: {} });
    expect(present(op('deleteSqlAlert'), { id: 'a1' }, undefined, false).text).toBe('SQL alert a1 deleted.');
    expect(request('runSqlAlertQuery', { id: 'a1' })).toEqual({ method: 'POST', path: '/sql_alerts/a1/run', query: {}, body: undefined, bodyType: undefined });
  });

  it('lists results with cursor and limit as query parameters', () => {
    expect(request('listSqlAlertResults', { id: 'a1' })).toEqual({ method: 'GET', path: '/sql_alerts/a1/results', query: { limit: 100 }, body: undefined, bodyType: undefined });
    expect(request('listSqlAlertResults', { id: 'a1', cursor: 'abc', limit: 1000 })).toMatchObject({ query: { cursor: 'abc', limit: 1000 } });
    expect(rejects('listSqlAlertResults', { id: 'a1', limit: 1001 })).toBe(true);
    expect(rejects('listSqlAlertResults', { id: 'a1', limit: 0 })).toBe(true);
    const answer = { cursor: 'next', count: 120, items: [{ result_status: 'ok', created_at: '2024-06-01T00:00:00Z' }] };
    expect(present(op('listSqlAlertResults'), { id: 'a1' }, answer, false).structured).toEqual(answer);
  });
});
