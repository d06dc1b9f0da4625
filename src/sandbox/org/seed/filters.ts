/** The seeded drop-down filters (origin airport: SQL; airline: manual) and SQL snippet. */
import { ref } from '../store.js';
import { SEED, T1, type Put } from './ids.js';

const AIRLINES: Array<[string, string]> = [
  ['NA', 'Northwind Air'],
  ['BL', 'Bluejay Airlines'],
  ['AE', 'Aero Europa'],
  ['SK', 'Skylark'],
  ['MP', 'Meridian Pacific'],
  ['CN', 'Cordillera Norte'],
  ['SA', 'Savanna Airways'],
  ['GU', 'Gulf Crescent'],
  ['TV', 'Tulip Vliegt'],
  ['AU', 'Austral Wings'],
  ['MA', 'Maple Air'],
  ['IN', 'Indus Jet'],
];

export function seedFilters(put: Put): void {
  const filterBase = {
    data_refresh_rate: null,
    default_values: null,
    required: false,
    dropdown_validate: false,
    relative_range_enabled: true,
    before_range_enabled: true,
    after_range_enabled: true,
    from_to_range_enabled: true,
    allowed_aggregations: null,
    values: null,
    value_names: null,
    sql_query: null,
    last_query_success: null,
    last_query_error_message: null,
    created_at: T1,
    updated_at: T1,
  };
  put({
    id: SEED.filters.originAirport,
    type: 'filters',
    attributes: {
      ...filterBase,
      display_name: 'Origin airport',
      variable_name: 'origin_airport',
      control_type: 'dropdown_multi',
      value_type: 'TEXT',
      sql_query: 'SELECT code, name FROM airports ORDER BY code',
      data_refresh_rate: 1440,
      dropdown_validate: true,
      last_query_success: '2026-10-31T04:00:00Z',
    },
    relationships: { datasource: ref('datasources', SEED.datasources.sample), sql_snippets: [], parent_filter: null },
  });
  put({
    id: SEED.filters.airline,
    type: 'filters',
    attributes: {
      ...filterBase,
      display_name: 'Airline',
      variable_name: 'airline',
      // Manual option values are for dropdown_manual in the reference ("values: only for … dropdown_manual").
      control_type: 'dropdown_manual',
      value_type: 'TEXT',
      values: AIRLINES.map(([code]) => code),
      value_names: AIRLINES.map(([code, name]) => `${name} (${code})`),
      dropdown_validate: true,
    },
    relationships: { datasource: null, sql_snippets: [], parent_filter: null },
  });
}

export function seedSnippets(put: Put): void {
  put({
    id: SEED.snippets.activeAirports,
    type: 'sql_snippets',
    attributes: {
      name: 'active_airports',
      description: 'Origin airports with at least one flight that was not cancelled in the last 90 days of the data.',
      text: 'SELECT DISTINCT origin AS code FROM flights WHERE NOT cancelled AND flight_date > (SELECT MAX(flight_date) - 90 FROM flights)',
      params: null,
      created_at: T1,
      updated_at: T1,
    },
    relationships: { datasource: ref('datasources', SEED.datasources.sample), sql_snippets: [] },
  });
}
