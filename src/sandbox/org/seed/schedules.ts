/** The seeded dashboard schedule: Flight Operations as a PDF every Sunday morning. */
import { ref } from '../store.js';
import { SEED, T1, type Put } from './ids.js';

export function seedSchedules(put: Put): void {
  put({
    id: SEED.schedules.weeklyOps,
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
    relationships: { dashboard: ref('dashboards', SEED.dashboards.ops), report: null },
  });
}
