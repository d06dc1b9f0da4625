/** The seeded SQL alerts: a delay spike (has results) and cancellations above 100 (a comparison). */
import { ref } from '../store.js';
import { SEED, T2, type Put } from './ids.js';

export function seedAlerts(put: Put): void {
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
    id: SEED.alerts.delaySpike,
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
    relationships: { datasource: ref('datasources', SEED.datasources.sample) },
  });
  put({
    id: SEED.alerts.cancellations,
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
    relationships: { datasource: ref('datasources', SEED.datasources.sample) },
  });
}
