import { z } from 'zod';
import { id, listArgs } from './shared.js';
import { defineOperation } from './types.js';

const dashboards = { dashboard_ids: { name: 'dashboards', type: 'dashboards', many: true } };
const dashboardIds = z.array(id).optional();

export const dashboardGroupOperations = [
  defineOperation({
    id: 'createDashboardGroup',
    title: 'Create Dashboard Group',
    toolset: 'dashboard_groups',
    route: 'POST /dashboard_groups',
    description: 'Create a dashboard group.',
    input: z.object({ name: z.string().min(1), description: z.string().optional(), dashboard_ids: dashboardIds }),
    access: 'write',
    request: { body: 'jsonapi', resourceType: 'dashboard_groups', relationships: dashboards },
  }),
  defineOperation({
    id: 'listDashboardGroups',
    title: 'List Dashboard Groups',
    toolset: 'dashboard_groups',
    route: 'GET /dashboard_groups',
    description: 'List dashboard groups in order.',
    input: z.object({ ...listArgs }),
    access: 'read',
    present: { kind: 'list', columns: ['id', 'name', 'description', 'dashboard_ids'] },
  }),
  defineOperation({
    id: 'getDashboardGroup',
    title: 'Get Dashboard Group',
    toolset: 'dashboard_groups',
    route: 'GET /dashboard_groups/{id}',
    description: 'Get a dashboard group.',
    input: z.object({ id, include: z.enum(['dashboards']).optional() }),
    access: 'read',
  }),
  defineOperation({
    id: 'updateDashboardGroup',
    title: 'Update Dashboard Group',
    toolset: 'dashboard_groups',
    route: 'PATCH /dashboard_groups/{id}',
    description: 'Change a dashboard group; dashboard_ids replaces its list.',
    input: z.object({ id, name: z.string().min(1).optional(), description: z.string().optional(), dashboard_ids: dashboardIds }),
    access: 'write',
    request: { body: 'jsonapi', resourceType: 'dashboard_groups', relationships: dashboards },
  }),
  defineOperation({
    id: 'deleteDashboardGroup',
    title: 'Delete Dashboard Group',
    toolset: 'dashboard_groups',
    route: 'DELETE /dashboard_groups/{id}',
    description: 'Delete a dashboard group.',
    input: z.object({ id }),
    access: 'write',
    present: { kind: 'done', message: (a) => `Dashboard group ${a.id} deleted.` },
  }),
  defineOperation({
    id: 'sortDashboardGroups',
    title: 'Sort Dashboard Groups',
    toolset: 'dashboard_groups',
    route: 'POST /dashboard_groups/sort',
    description: 'Order dashboard groups; others follow by name.',
    input: z.object({ dashboard_group_ids: z.array(id) }),
    access: 'write',
    destructive: true,
    idempotent: true,
    request: { body: 'json' },
    present: { kind: 'done', message: () => 'Dashboard group order saved.' },
  }),
];
