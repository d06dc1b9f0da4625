import { z } from 'zod';
import { id } from './shared.js';
import { defineOperation } from './types.js';

export const exportJobOperations = [
  defineOperation({
    id: 'getExportJob',
    title: 'Get Export Job',
    toolset: 'export_jobs',
    route: 'GET /export_jobs/{id}',
    description: "An export job's status, with file_url once it succeeded.",
    input: z.object({ id }),
    access: 'read',
    present: { kind: 'json' },
  }),
  defineOperation({
    id: 'cancelExportJob',
    title: 'Cancel Export Job',
    toolset: 'export_jobs',
    route: 'POST /export_jobs/{id}/cancel',
    description: 'Cancel a running export job.',
    input: z.object({ id }),
    access: 'run',
    idempotent: true,
    present: { kind: 'done', message: (a) => `Cancel requested for export job ${a.id}.` },
  }),
];
