/** The seeded dashboards (Flight Operations, Airport Growth, Product Analytics) and their reports. */
import { ref, type ResourceRecord } from '../store.js';
import { LAST_QUARTER_OF_DATA, SEED, T0, T1, T2, type Put } from './ids.js';

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
    relationships: { user: ref('users', owner) },
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
    relationships: { dashboard: ref('dashboards', dash), datasource: ref('datasources', ds) },
  };
}

export function seedDashboards(put: Put): void {
  put(
    dashboard(
      SEED.dashboards.ops,
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
      SEED.users.admin,
    ),
  );
  put(
    dashboard(
      SEED.dashboards.growth,
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
      SEED.users.analyst,
    ),
  );
  put(
    dashboard(
      SEED.dashboards.product,
      {
        name: 'Product Analytics',
        description: 'Sign-ups of the product, per period and plan.',
        time_zone_config: { type: 'input', allowed_time_zones: ['UTC', 'Europe/Berlin', 'America/New_York'] },
        default_parameters: { aggregation: 'month' },
        default_page_width: 1200,
        filters_configuration: { apply_immediately: true, aggregation_options: ['day', 'week', 'month'] },
        created_at: T2,
      },
      SEED.users.analyst,
    ),
  );
}

export function seedReports(put: Put): void {
  const sample = SEED.datasources.sample;
  put(
    report(SEED.reports.flightsPerPeriod, SEED.dashboards.ops, sample, [1, 1, 12, 4], {
      name: 'Flights per period',
      description: 'Flights and passengers per selected aggregation period.',
      sql_query:
        'SELECT {departed_at:aggregation} AS period, COUNT(*) AS flights, SUM(passengers) AS passengers FROM flights WHERE {departed_at=timerange} AND {origin=origin_airport} GROUP BY 1 ORDER BY 1',
      chart_configuration: { type: 'line', x: 'period', y: ['flights', 'passengers'] },
    }),
  );
  put(
    report(SEED.reports.topAirports, SEED.dashboards.ops, sample, [5, 1, 6, 4], {
      name: 'Top airports',
      description: 'The ten origin airports with the most passengers.',
      sql_query:
        'SELECT origin, COUNT(*) AS flights, SUM(passengers) AS passengers FROM flights WHERE {departed_at=timerange} AND {airline_code=airline} GROUP BY 1 ORDER BY 3 DESC LIMIT 10',
      unlimited_csv_export_enabled: true,
      chart_configuration: { type: 'bar', x: 'origin', y: ['passengers'] },
    }),
  );
  put(
    report(SEED.reports.delayByAirline, SEED.dashboards.ops, sample, [5, 7, 6, 4], {
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
    report(SEED.reports.airportGrowth, SEED.dashboards.growth, sample, [1, 1, 12, 5], {
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
    report(SEED.reports.signups, SEED.dashboards.product, SEED.datasources.product, [1, 1, 12, 4], {
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
}
