import { z } from 'zod';
import { id, listArgs } from './shared.js';
import { defineOperation } from './types.js';

/** UserGroupAttributes and UserGroupRelationships as the reference defines them for create and update (none required). */
const attributes = {
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  user_ids: z.array(id).optional(),
  dashboard_ids: z.array(id).optional().describe('Shared with it'),
};

const relationships = {
  user_ids: { name: 'users', type: 'users', many: true },
  dashboard_ids: { name: 'dashboards', type: 'dashboards', many: true },
};

export const userGroupOperations = [
  defineOperation({
    id: 'createUserGroup',
    title: 'Create User Group',
    toolset: 'user_groups',
    route: 'POST /user_groups',
    description: 'Create a user group.',
    input: z.object(attributes),
    access: 'write',
    // Members and dashboards: shares dashboards with people.
    confirm: { class: 'destructive' },
    request: { body: 'jsonapi', resourceType: 'user_groups', relationships },
  }),
  defineOperation({
    id: 'listUserGroups',
    title: 'List User Groups',
    toolset: 'user_groups',
    route: 'GET /user_groups',
    description: 'List user groups, built-in included.',
    input: z.object({ ...listArgs }),
    access: 'read',
    present: { kind: 'list', columns: ['id', 'name', 'built_in_behavior', 'description'] },
  }),
  defineOperation({
    id: 'getUserGroup',
    title: 'Get User Group',
    toolset: 'user_groups',
    route: 'GET /user_groups/{id}',
    description: 'Get a user group.',
    input: z.object({ id, include: z.enum(['users', 'dashboards']).optional() }),
    access: 'read',
  }),
  defineOperation({
    id: 'updateUserGroup',
    title: 'Update User Group',
    toolset: 'user_groups',
    route: 'PATCH /user_groups/{id}',
    description: 'Change a user group; id lists replace current ones.',
    input: z.object({ id, ...attributes }),
    access: 'write',
    request: { body: 'jsonapi', resourceType: 'user_groups', relationships },
  }),
  defineOperation({
    id: 'deleteUserGroup',
    title: 'Delete User Group',
    toolset: 'user_groups',
    route: 'DELETE /user_groups/{id}',
    description: 'Delete a custom user group.',
    input: z.object({ id }),
    access: 'write',
    present: { kind: 'done', message: (a) => `User group ${a.id} deleted.` },
  }),
];
