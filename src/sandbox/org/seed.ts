/**
 * The seeded organisation (fixed ids; other sandbox routes and the tests code against them):
 * three dashboards with reports and filters on the sample datasources, groups, a schedule, a
 * snippet, two alerts, four users, three user groups and a datasource agent. Relationships are
 * stored on their owning side; the inverse sides are derived (refreshAll) right after seeding.
 */
import type { Linkage, ResourceRecord } from './store.js';
import type { SandboxState } from '../state.js';
import { refreshAll } from './crud.js';
import { REGISTRY } from './specs/index.js';
import { PRODUCT_DATASOURCE_ID, SAMPLE_DATASOURCE_ID } from '../datasources.js';

export const SEED = {
  dashboards: { ops: 'dash-ops-0001', growth: 'dash-growth-0002', product: 'dash-product-0003' },
  reports: {
    flightsPerPeriod: 'rep-flights-per-period',
    topAirports: 'rep-top-airports',
    delayByAirline: 'rep-delay-by-airline',
    airportGrowth: 'rep-airport-growth',
    signups: 'rep-signups',
  },
  filters: { originAirport: 'flt-origin-airport', airline: 'flt-airline' },
  dashboardGroups: { operations: 'dgrp-operations', commercial: 'dgrp-commercial' },
  schedules: { weeklyOps: 'sched-weekly-ops' },
  snippets: { activeAirports: 'snip-active-airports' },
  alerts: { delaySpike: 'alert-delay-spike', cancellations: 'alert-cancellations' },
  users: { admin: 'usr-admin', analyst: 'usr-analyst', viewer: 'usr-viewer', pending: 'usr-pending' },
  userGroups: { allUsers: 'ugrp-all-users', allAnalysts: 'ugrp-all-analysts', analysts: 'ugrp-analysts' },
  agents: { main: 'agent-0001' },
} as const;

const one = (type: string, id: string): Linkage => ({ id, type });
const many = (type: string, ids: readonly string[]): Linkage[] => ids.map((id) => ({ id, type }));
const unix = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/** The last three months of the sample data (it runs 2024-01-01 … 2026-10-31). */
const LAST_QUARTER_OF_DATA = `${unix('2026-08-01T00:00:00Z')}~${unix('2026-10-31T23:59:59Z')}`;

const T0 = '2026-01-15T09:12:00Z';
const T1 = '2026-03-04T14:30:00Z';
const T2 = '2026-05-21T08:05:00Z';
const PENDING_SINCE = '2026-10-20T10:00:00Z';

function dashboard(id: string, attrs: Record<string, unknown>, owner: string): ResourceRecord {
  return {
    id,
    type: 'dashboards',
    attributes: {
      description: null,
      time_zone_config: { type: 'disabled' },
      automatic_update_enabled: true,
      thumbnail_enabled: true,
      thumbnail_image_url: `https://sandbox.local/thumbnails/${id}.png`,
      thumbnail_created_at: '2026-10-31T03:00:00Z',
      prewarm: false,
      data_refresh_rate: 1440,
      data_refresh_anchor_time: null,
      is_locked: false,
      default_parameters: null,
      default_page_width: 1600,
      floating_enabled: false,
      color_scheme: 'scheme_6',
      filters_configuration: {},
      created_at: T0,
      updated_at: T2,
      ...attrs,
    },
    relationships: { user: one('users', owner) },
  };
}

function report(id: string, dash: string, ds: string, layout: [number, number, number, number], attrs: Record<string, unknown>): ResourceRecord {
  const [row, column, width, height] = layout;
  return {
    id,
    type: 'reports',
    attributes: {
      description: null,
      r_query: null,
      r_query_enabled: false,
      data_refresh_rate: null,
      data_refresh_anchor_time: null,
      chart_configuration: {},
      download_actions_enabled: true,
      data_download_enabled: true,
      maximize_action_enabled: true,
      refresh_enabled: true,
      unused_filters_warning_enabled: false,
      unlimited_csv_export_enabled: false,
      default_page_width: 800,
      default_page_height: 600,
      display_name_as_title: true,
      attribution: 'Source: Cluvio sample data',
      no_data_message: 'No flights in the selected period',
      query_error: null,
      created_at: T1,
      updated_at: T2,
      row,
      column,
      width,
      height,
      ...attrs,
    },
    relationships: { dashboard: one('dashboards', dash), datasource: one('datasources', ds) },
  };
}

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

/** Seeds the organisation; the inverse sides of its links are derived right after. */
export function seedOrganisation(state: SandboxState): void {
  seedOrganisationRecords(state);
  refreshAll(state, REGISTRY);
}

function seedOrganisationRecords(state: SandboxState): void {
  const S = SEED;
  const put = (r: ResourceRecord): void => {
    state.records.put(r);
  };

  // Users first: dashboards and invitations point at them.
  const user = (id: string, first: string | null, last: string | null, email: string, role: string, accepted: string | null, otp = false): ResourceRecord => ({
    id,
    type: 'users',
    attributes: {
      firstname: first,
      lastname: last,
      email,
      role,
      otp_app_enabled: otp,
      otp_phone_enabled: false,
      created_at: id === S.users.pending ? PENDING_SINCE : T0,
      deactivated_at: null,
      invitation_created_at: id === S.users.admin ? null : id === S.users.pending ? PENDING_SINCE : T0,
      invitation_accepted_at: id === S.users.admin ? null : accepted,
    },
    relationships: { invited_by_user: id === S.users.admin ? null : one('users', S.users.admin) },
  });
  put(user(S.users.admin, 'Ada', 'Lovelace', 'ada.admin@example.com', 'admin', null, true));
  put(user(S.users.analyst, 'Alan', 'Turing', 'alan.analyst@example.com', 'analyst', '2026-01-16T08:40:00Z'));
  put(user(S.users.viewer, 'Grace', 'Hopper', 'grace.viewer@example.com', 'viewer', '2026-02-02T12:00:00Z'));
  put(user(S.users.pending, null, null, 'pending.invitee@example.com', 'viewer', null));

  put(
    dashboard(
      S.dashboards.ops,
      {
        name: 'Flight Operations',
        description: 'Daily operations: flight volumes, busiest airports, delays and cancellations per airline.',
        time_zone_config: { type: 'fixed', fixed_time_zone: 'Europe/Berlin' },
        data_refresh_rate: 60,
        data_refresh_anchor_time: '06:00',
        default_parameters: { timerange: LAST_QUARTER_OF_DATA, aggregation: 'week', tz: 'Europe/Berlin' },
        color_scheme: 'scheme_1',
        filters_configuration: {
          apply_immediately: false,
          aggregation_options: ['day', 'week', 'month', 'quarter'],
          filter_sorting: ['origin_airport', 'airline'],
          hidden_parameters: [],
        },
      },
      S.users.admin,
    ),
  );
  put(
    dashboard(
      S.dashboards.growth,
      {
        name: 'Airport Growth',
        description: 'Quarter-over-quarter passenger growth per origin airport.',
        time_zone_config: { type: 'organization' },
        prewarm: true,
        default_parameters: { aggregation: 'quarter' },
        color_scheme: 'scheme_3',
        filters_configuration: { apply_immediately: true, aggregation_options: ['month', 'quarter', 'year'] },
        created_at: T1,
      },
      S.users.analyst,
    ),
  );
  put(
    dashboard(
      S.dashboards.product,
      {
        name: 'Product Analytics',
        description: 'Sign-ups of the product, per period and plan.',
        time_zone_config: { type: 'input', allowed_time_zones: ['UTC', 'Europe/Berlin', 'America/New_York'] },
        default_parameters: { aggregation: 'month' },
        default_page_width: 1200,
        filters_configuration: { apply_immediately: true, aggregation_options: ['day', 'week', 'month'] },
        created_at: T2,
      },
      S.users.analyst,
    ),
  );

  const sample = SAMPLE_DATASOURCE_ID;
  put(
    report(S.reports.flightsPerPeriod, S.dashboards.ops, sample, [1, 1, 12, 4], {
      name: 'Flights per period',
      description: 'Flights and passengers per selected aggregation period.',
      sql_query:
        'SELECT {departed_at:aggregation} AS period, COUNT(*) AS flights, SUM(passengers) AS passengers FROM flights WHERE {departed_at=timerange} AND {origin=origin_airport} GROUP BY 1 ORDER BY 1',
      chart_configuration: { type: 'line', x: 'period', y: ['flights', 'passengers'] },
    }),
  );
  put(
    report(S.reports.topAirports, S.dashboards.ops, sample, [5, 1, 6, 4], {
      name: 'Top airports',
      description: 'The ten origin airports with the most passengers.',
      sql_query:
        'SELECT origin, COUNT(*) AS flights, SUM(passengers) AS passengers FROM flights WHERE {departed_at=timerange} AND {airline_code=airline} GROUP BY 1 ORDER BY 3 DESC LIMIT 10',
      unlimited_csv_export_enabled: true,
      chart_configuration: { type: 'bar', x: 'origin', y: ['passengers'] },
    }),
  );
  put(
    report(S.reports.delayByAirline, S.dashboards.ops, sample, [5, 7, 6, 4], {
      name: 'Delay and cancellations by airline',
      description: 'Average departure delay (minutes) and cancellation rate (%) per airline.',
      sql_query: [
        'SELECT a.name AS airline,',
        '  ROUND(AVG(f.delay_minutes)::numeric, 1) AS avg_delay_minutes,',
        '  ROUND(100.0 * AVG(CASE WHEN f.cancelled THEN 1 ELSE 0 END), 2) AS cancellation_rate_pct,',
        '  COUNT(*) AS flights',
        'FROM flights f JOIN airlines a ON a.code = f.airline_code',
        'WHERE {f.departed_at=timerange}',
        'GROUP BY a.name',
        'ORDER BY avg_delay_minutes DESC',
      ].join('\n'),
      data_refresh_rate: 30,
      chart_configuration: { type: 'table' },
    }),
  );
  put(
    report(S.reports.airportGrowth, S.dashboards.growth, sample, [1, 1, 12, 5], {
      name: 'Passenger growth by airport (last complete quarter)',
      description: 'Passengers per origin airport in the last complete quarter of the data (Q3 2026) against the quarter before (Q2 2026).',
      sql_query: [
        'WITH bounds AS (',
        "  SELECT (date_trunc('quarter', MAX(flight_date) + 1) - interval '3 months')::date AS cur_start FROM flights",
        '), q AS (',
        '  SELECT f.origin,',
        '    SUM(f.passengers) FILTER (WHERE f.flight_date >= b.cur_start) AS cur_passengers,',
        '    SUM(f.passengers) FILTER (WHERE f.flight_date < b.cur_start) AS prev_passengers',
        '  FROM flights f CROSS JOIN bounds b',
        "  WHERE f.flight_date >= b.cur_start - interval '3 months' AND f.flight_date < b.cur_start + interval '3 months' AND NOT f.cancelled",
        '  GROUP BY f.origin',
        ')',
        'SELECT origin AS airport, prev_passengers AS previous_quarter_passengers, cur_passengers AS last_quarter_passengers,',
        '  ROUND(100.0 * (cur_passengers - prev_passengers) / NULLIF(prev_passengers, 0), 1) AS growth_pct',
        'FROM q',
        'ORDER BY growth_pct DESC NULLS LAST',
      ].join('\n'),
      unused_filters_warning_enabled: true,
      data_refresh_anchor_time: '05:00',
      chart_configuration: { type: 'bar', x: 'airport', y: ['growth_pct'] },
    }),
  );
  put(
    report(S.reports.signups, S.dashboards.product, PRODUCT_DATASOURCE_ID, [1, 1, 12, 4], {
      name: 'Sign-ups',
      description: 'New users per period, and how many chose a paid plan.',
      sql_query: [
        'SELECT {u.signed_up_at:aggregation} AS period, COUNT(*) AS signups,',
        '  COUNT(*) FILTER (WHERE p.monthly_price > 0) AS paid_signups',
        'FROM users u JOIN plans p ON p.id = u.plan_id',
        'WHERE {u.signed_up_at=timerange}',
        'GROUP BY 1 ORDER BY 1',
      ].join('\n'),
      attribution: null,
      no_data_message: 'No sign-ups in the selected period',
      chart_configuration: { type: 'column', x: 'period', y: ['signups', 'paid_signups'] },
    }),
  );

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
    id: S.filters.originAirport,
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
    relationships: { datasource: one('datasources', sample), sql_snippets: [], parent_filter: null },
  });
  put({
    id: S.filters.airline,
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

  put({
    id: S.snippets.activeAirports,
    type: 'sql_snippets',
    attributes: {
      name: 'active_airports',
      description: 'Origin airports with at least one flight that was not cancelled in the last 90 days of the data.',
      text: 'SELECT DISTINCT origin AS code FROM flights WHERE NOT cancelled AND flight_date > (SELECT MAX(flight_date) - 90 FROM flights)',
      params: null,
      created_at: T1,
      updated_at: T1,
    },
    relationships: { datasource: one('datasources', sample), sql_snippets: [] },
  });

  const alertBase = {
    description: null,
    run_at: null,
    run_every: null,
    trigger_value: null,
    cc_emails: null,
    bcc_emails: null,
    error_emails: 'data-team@example.com',
    attach_as: null,
    running_execution_id: null,
    last_result_status: 'ok',
    last_error_message: null,
    last_query_run: '2026-10-31T18:00:00Z',
    last_query_success: '2026-10-31T18:00:00Z',
    last_query_error_message: null,
    created_at: T2,
    updated_at: T2,
  };
  put({
    id: S.alerts.delaySpike,
    type: 'sql_alerts',
    attributes: {
      ...alertBase,
      name: 'Delay spike',
      description: 'Days in the last week of the data whose average departure delay exceeds 45 minutes.',
      sql_query: [
        'SELECT flight_date AS day, ROUND(AVG(delay_minutes)::numeric, 1) AS avg_delay_minutes',
        'FROM flights',
        'WHERE NOT cancelled AND flight_date > (SELECT MAX(flight_date) - 7 FROM flights)',
        'GROUP BY flight_date',
        'HAVING AVG(delay_minutes) > 45',
        'ORDER BY flight_date',
      ].join('\n'),
      run_schedule: 'at',
      run_at: '07:00,19:00',
      trigger_condition: 'has_results',
      email_condition: 'triggered',
      emails: 'ops@example.com',
      attach_as: 'csv',
    },
    relationships: { datasource: one('datasources', sample) },
  });
  put({
    id: S.alerts.cancellations,
    type: 'sql_alerts',
    attributes: {
      ...alertBase,
      name: 'Cancellations above 100',
      description: 'Cancelled flights on the last day of the data.',
      sql_query: 'SELECT COUNT(*) AS cancellations FROM flights WHERE cancelled AND flight_date = (SELECT MAX(flight_date) FROM flights)',
      run_schedule: 'every',
      run_every: 60,
      trigger_condition: 'greater_than',
      trigger_value: 100,
      email_condition: 'changed',
      emails: 'ops@example.com,duty-manager@example.com',
      cc_emails: 'data-team@example.com',
    },
    relationships: { datasource: one('datasources', sample) },
  });

  put({
    id: S.dashboardGroups.operations,
    type: 'dashboard_groups',
    attributes: { name: 'Operations', description: 'Day-to-day flight operations.', created_at: T0, updated_at: T1, sort_position: 0 },
    relationships: { dashboards: many('dashboards', [S.dashboards.ops, S.dashboards.growth]) },
  });
  put({
    id: S.dashboardGroups.commercial,
    type: 'dashboard_groups',
    attributes: { name: 'Commercial', description: 'Product and revenue.', created_at: T0, updated_at: T2, sort_position: 1 },
    relationships: { dashboards: many('dashboards', [S.dashboards.product]) },
  });

  put({
    id: S.schedules.weeklyOps,
    type: 'dashboard_schedules',
    attributes: {
      name: 'Weekly operations PDF',
      emails: 'ops@example.com',
      attach_as: 'pdf',
      schedule: 'weekly;0;07:00',
      cc_emails: null,
      bcc_emails: 'archive@example.com',
      subject_text: 'Flight Operations — weekly report',
      body_text: 'Good morning, attached is last week’s Flight Operations dashboard.',
      send_via: null,
      page_width: 1600,
      last_sent_at: '2026-10-26T06:00:00Z',
      parameters: { aggregation: 'day', tz: 'Europe/Berlin' },
      created_at: T1,
      updated_at: T1,
    },
    relationships: { dashboard: one('dashboards', S.dashboards.ops), report: null },
  });

  const group = (id: string, name: string, description: string, builtIn: string | null, users: string[], dashboards: string[]): ResourceRecord => ({
    id,
    type: 'user_groups',
    attributes: { name, description, built_in_behavior: builtIn, created_at: T0, updated_at: T0 },
    relationships: { users: many('users', users), dashboards: many('dashboards', dashboards) },
  });
  put(group(S.userGroups.allUsers, 'All Users', 'Every current and future user of the organization.', 'all_users', [], [S.dashboards.ops]));
  put(group(S.userGroups.allAnalysts, 'All Analysts', 'Every current and future analyst and admin.', 'all_analysts', [], []));
  put(group(S.userGroups.analysts, 'Analytics Team', 'Analysts working on growth and product.', null, [S.users.analyst], [S.dashboards.growth, S.dashboards.product]));

  put({
    id: S.agents.main,
    type: 'datasource_agents',
    attributes: {
      agent_id: 'a7c3-9f2e-d41b',
      name: 'Warehouse agent (eu-central)',
      version: '2.4.1',
      address: '203.0.113.10',
      connected: false,
      active_queries: 0,
      enabled: true,
      created_at: T0,
      updated_at: T2,
    },
    relationships: {},
  });
}
