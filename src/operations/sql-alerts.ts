import { runAlertQuestion } from './confirm.js';
import { z } from 'zod';
import { runSqlAlertQuery } from '../workflows/alerts.js';
import { id, listArgs, quiet, waitArgs } from './shared.js';
import { defineOperation } from './types.js';

const TRIGGER_CONDITIONS = ['has_results', 'no_results', 'greater_than', 'lower_than', 'equal', 'not_equal'] as const;
const COMPARISONS: readonly string[] = TRIGGER_CONDITIONS.slice(2);

/** SqlAlertAttributes and SqlAlertRelationships as the reference defines them for create and update. */
const attributes = {
  name: z.string().min(1),
  description: z.string().optional(),
  sql_query: z.string().min(1),
  run_schedule: z.enum(['disabled', 'at', 'every']),
  run_at: z.string().optional().describe('e.g. 06:00,18:00'),
  run_every: z.number().int().min(1).optional().describe('Minutes'),
  // Required by the reference, with a default: the model may leave it out.
  trigger_condition: z.enum(TRIGGER_CONDITIONS).default('has_results'),
  trigger_value: z.number().optional(),
  email_condition: z.enum(['triggered', 'changed', 'all']),
  emails: z.string().optional().describe('Comma-separated'),
  cc_emails: z.string().optional(),
  bcc_emails: z.string().optional(),
  error_emails: z.string().optional(),
  attach_as: z.enum(['csv', 'excel']).optional(),
  datasource_id: id,
};

const relationships = { datasource_id: { name: 'datasource', type: 'datasources', many: false } };

/** What the reference states in words: run_at / run_every per schedule, trigger_value for comparisons. */
function checkSchedule(v: { run_schedule?: string; run_at?: string; run_every?: number; trigger_condition?: string; trigger_value?: number }, ctx: z.RefinementCtx): void {
  if (v.run_schedule === 'at' && !v.run_at) ctx.addIssue({ code: 'custom', path: ['run_at'], message: 'required when run_schedule is "at"' });
  if (v.run_schedule === 'every' && v.run_every === undefined) ctx.addIssue({ code: 'custom', path: ['run_every'], message: 'required when run_schedule is "every"' });
  if (v.trigger_condition && COMPARISONS.includes(v.trigger_condition) && v.trigger_value === undefined) {
    ctx.addIssue({ code: 'custom', path: ['trigger_value'], message: `required when trigger_condition is "${v.trigger_condition}"` });
  }
}

export const sqlAlertOperations = [
  defineOperation({
    id: 'createSqlAlert',
    title: 'Create SQL Alert',
    toolset: 'sql_alerts',
    route: 'POST /sql_alerts',
    description: 'Run SQL on a schedule; e-mail when its condition holds.',
    input: z.object(attributes).superRefine(checkSchedule),
    access: 'write',
    invalidates: ['search-index'],
    // E-mails people when it triggers.
    confirm: { class: 'destructive' },
    request: { body: 'jsonapi', resourceType: 'sql_alerts', relationships },
  }),
  defineOperation({
    id: 'listSqlAlerts',
    title: 'List SQL Alerts',
    toolset: 'sql_alerts',
    route: 'GET /sql_alerts',
    description: 'List SQL alerts.',
    input: z.object(listArgs),
    access: 'read',
    present: { kind: 'list', columns: ['id', 'name', 'run_schedule', 'last_result_status', 'datasource_id'] },
  }),
  defineOperation({
    id: 'getSqlAlert',
    title: 'Get SQL Alert',
    toolset: 'sql_alerts',
    route: 'GET /sql_alerts/{id}',
    description: 'Get a SQL alert.',
    input: z.object({ id, include: z.enum(['datasource']).optional() }),
    access: 'read',
  }),
  defineOperation({
    id: 'updateSqlAlert',
    title: 'Update SQL Alert',
    toolset: 'sql_alerts',
    route: 'PATCH /sql_alerts/{id}',
    description: 'Change a SQL alert.',
    input: z.object({
      id,
      ...attributes,
      name: attributes.name.optional(),
      sql_query: attributes.sql_query.optional(),
      run_schedule: attributes.run_schedule.optional(),
      // No default on update: leaving it out keeps the alert's condition.
      trigger_condition: z.enum(TRIGGER_CONDITIONS).optional(),
      email_condition: attributes.email_condition.optional(),
      datasource_id: attributes.datasource_id.optional(),
    }),
    access: 'write',
    invalidates: ['search-index'],
    request: { body: 'jsonapi', resourceType: 'sql_alerts', relationships },
  }),
  defineOperation({
    id: 'deleteSqlAlert',
    title: 'Delete SQL Alert',
    toolset: 'sql_alerts',
    route: 'DELETE /sql_alerts/{id}',
    description: 'Delete a SQL alert.',
    input: z.object({ id }),
    access: 'write',
    invalidates: ['search-index'],
    present: { kind: 'done', message: (a) => `SQL alert ${a.id} deleted.` },
  }),
  defineOperation({
    id: 'runSqlAlertQuery',
    title: 'Run SQL Alert Query',
    toolset: 'sql_alerts',
    route: 'POST /sql_alerts/{id}/run',
    description: "Run an alert now, wait, say if it triggered (and e-mailed).",
    input: z.object({ id, ...waitArgs }),
    access: 'write',
    confirm: { class: 'destructive', describe: runAlertQuestion },
    handler: runSqlAlertQuery,
  }),
  defineOperation({
    id: 'listSqlAlertResults',
    title: 'List SQL Alert Results',
    toolset: 'sql_alerts',
    route: 'GET /sql_alerts/{id}/results',
    candidates: ['GET /sql_alerts/{id}/alert_results', 'GET /sql_alerts/{id}/result'],
    description: "An alert's results, last 30 days, newest first; cursor pages back.",
    input: z.object({ id, cursor: z.string().optional(), limit: quiet(z.number().int().min(1).refine((n) => n <= 1000, 'at most 1000').default(100)) }),
    access: 'read',
  }),
];
