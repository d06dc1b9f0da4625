import { z } from 'zod';
import { id } from './shared.js';
import { defineOperation } from './types.js';

export const exportJobOperations = [
  defineOperation({
    id: 'getExportJob',
    title: 'Get Export Job',
    toolset: 'export_jobs',
    route: 'GET /export_jobs/{id}',
    description: 'Status of a PDF/PNG/CSV export job; file_url (valid briefly) once job_status is success.',
    input: z.object({ id }),
    access: 'read',
    present: { kind: 'json' },
  }),
  defineOperation({
    id: 'cancelExportJob',
    title: 'Cancel Export Job',
    toolset: 'export_jobs',
    route: 'POST /export_jobs/{id}/cancel',
    description: 'Cancel a running PDF/PNG/CSV export job.',
    input: z.object({ id }),
    access: 'run',
    idempotent: true,
    present: { kind: 'done', message: (a) => `Cancel requested for export job ${a.id}.` },
  }),
];
