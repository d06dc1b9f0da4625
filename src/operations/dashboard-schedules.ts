import { triggerScheduleQuestion } from './confirm.js';
import { z } from 'zod';
import { id, inputParameters, listArgs } from './shared.js';
import { defineOperation } from './types.js';

const ATTACHMENTS = ['excel', 'csv', 'png', 'dark_png', 'inline_png', 'dark_inline_png', 'pdf', 'dark_pdf'];

/** A time of day on the 24-hour clock (06:00) or the 12-hour clock (9:00am). */
const TIME = String.raw`(?:(?:[01]?\d|2[0-3]):[0-5]\d|(?:0?[1-9]|1[0-2]):[0-5]\d(?:am|pm|AM|PM))`;
const TIMES = `${TIME}(?:,${TIME})*`;
const DAY_OF_MONTH = '(?:[1-9]|[12]\\d|3[01])';
/** The reference's schedule grammar: disabled | daily;T | weekly;D;T | monthly;M;T, each list comma-separated. */
const SCHEDULE = new RegExp(`^(?:disabled|daily;${TIMES}|weekly;[0-6](?:,[0-6])*;${TIMES}|monthly;${DAY_OF_MONTH}(?:,${DAY_OF_MONTH})*;${TIMES})$`);
const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

/**
 * A comma-separated list as Cluvio takes it, with spaces around items removed. Checked by a refinement
 * rather than a regex so that the advertised schema stays a plain string.
 */
function commaList(ok: (item: string) => boolean, accepted: string) {
  return z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
        .join(','),
    )
    .refine((s) => s !== '' && s.split(',').every(ok), `expected a comma-separated list of ${accepted}`);
}

const emails = commaList((x) => EMAIL.test(x), 'e-mail addresses');
const schedule = z
  .string()
  .refine((s) => SCHEDULE.test(s), 'expected disabled, daily;<times>, weekly;<days 0-6>;<times> or monthly;<days 1-31>;<times>, e.g. weekly;0,2,4;06:00');

/**
 * DashboardScheduleAttributes and DashboardScheduleRelationships. The reference gives no defaults.
 * A schedule belongs to a dashboard or to one report; Cluvio takes the report when both are given.
 */
const attributes = {
  name: z.string().min(1),
  // No description: the name says addresses, and a wrong value is refused with 'a comma-separated list'.
  emails,
  attach_as: commaList((x) => ATTACHMENTS.includes(x), ATTACHMENTS.join(', ')).describe(`Comma list: ${ATTACHMENTS.join(',')}`),
  schedule: schedule.describe('disabled|daily;<times>|weekly;<0-6, 0=Mon>;<times>|monthly;<1-31>;<times>, e.g. daily;06:00,9:00pm'),
  cc_emails: emails.optional(),
  bcc_emails: emails.optional(),
  subject_text: z.string().optional(),
  body_text: z.string().optional(),
  send_via: z.string().optional(),
  page_width: z
    .number()
    .int()
    .refine((n) => n > 0, 'must be positive')
    .optional(),
  parameters: inputParameters.optional(),
  dashboard_id: id.optional(),
  report_id: id.optional(),
};

const relationships = {
  dashboard_id: { name: 'dashboard', type: 'dashboards', many: false },
  report_id: { name: 'report', type: 'reports', many: false },
};

export const dashboardScheduleOperations = [
  defineOperation({
    id: 'createDashboardSchedule',
    title: 'Create Dashboard Schedule',
    toolset: 'dashboard_schedules',
    route: 'POST /dashboard_schedules',
    description: 'E-mail a dashboard or report (dashboard_id or report_id) on a schedule.',
    input: z
      .object(attributes)
      .refine((a) => a.dashboard_id !== undefined || a.report_id !== undefined, { message: 'dashboard_id or report_id is required', path: ['dashboard_id'] }),
    access: 'write',
    // E-mails people on a schedule.
    confirm: { class: 'destructive' },
    request: { body: 'jsonapi', resourceType: 'dashboard_schedules', relationships },
  }),
  defineOperation({
    id: 'listDashboardSchedules',
    title: 'List Dashboard Schedules',
    toolset: 'dashboard_schedules',
    route: 'GET /dashboard_schedules',
    description: 'List e-mail schedules.',
    input: z.object({ ...listArgs }),
    access: 'read',
    present: { kind: 'list', columns: ['id', 'name', 'schedule', 'attach_as', 'dashboard_id', 'report_id', 'last_sent_at'] },
  }),
  defineOperation({
    id: 'getDashboardSchedule',
    title: 'Get Dashboard Schedule',
    toolset: 'dashboard_schedules',
    route: 'GET /dashboard_schedules/{id}',
    description: 'Get an e-mail schedule.',
    input: z.object({ id, include: z.enum(['dashboard', 'report']).optional() }),
    access: 'read',
  }),
  defineOperation({
    id: 'updateDashboardSchedule',
    title: 'Update Dashboard Schedule',
    toolset: 'dashboard_schedules',
    route: 'PATCH /dashboard_schedules/{id}',
    description: 'Change an e-mail schedule; "disabled" pauses it.',
    input: z.object({
      id,
      ...attributes,
      name: attributes.name.optional(),
      emails: attributes.emails.optional(),
      attach_as: attributes.attach_as.optional(),
      schedule: attributes.schedule.optional(),
    }),
    access: 'write',
    request: { body: 'jsonapi', resourceType: 'dashboard_schedules', relationships },
  }),
  defineOperation({
    id: 'deleteDashboardSchedule',
    title: 'Delete Dashboard Schedule',
    toolset: 'dashboard_schedules',
    route: 'DELETE /dashboard_schedules/{id}',
    description: 'Delete an e-mail schedule.',
    input: z.object({ id }),
    access: 'write',
    present: { kind: 'done', message: (a) => `Dashboard schedule ${a.id} deleted.` },
  }),
  defineOperation({
    id: 'triggerDashboardSchedule',
    title: 'Trigger Dashboard Schedule',
    toolset: 'dashboard_schedules',
    route: 'POST /dashboard_schedules/{id}/trigger',
    description: "Send a schedule's e-mail now, even if disabled.",
    input: z.object({ id }),
    access: 'write',
    confirm: { class: 'destructive', describe: triggerScheduleQuestion },
    present: { kind: 'done', message: (a) => `Dashboard schedule ${a.id} triggered; its e-mail is being sent.` },
  }),
];
