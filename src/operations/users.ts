import { z } from 'zod';
import { id, listArgs } from './shared.js';
import { defineOperation } from './types.js';

const userGroupIds = z.array(id);
const userGroups = { user_group_ids: { name: 'user_groups', type: 'user_groups', many: true } };
/** Cheap to advertise, unlike z.email(), whose JSON Schema carries a long pattern. */
const email = z.string().refine((v) => /^[^\s@]+@[^\s@]+$/.test(v), 'expected an e-mail address');

export const userOperations = [
  defineOperation({
    id: 'listUsers',
    title: 'List Users',
    toolset: 'users',
    route: 'GET /users',
    description: 'List users of the organization with role and invitation state.',
    input: z.object({ ...listArgs, name: z.string().optional().describe('Case-insensitive substring of the e-mail'), include: z.enum(['user_groups']).optional() }),
    access: 'read',
    present: { kind: 'list', columns: ['id', 'email', 'firstname', 'lastname', 'role', 'invitation_accepted_at', 'deactivated_at'] },
  }),
  defineOperation({
    id: 'getUser',
    title: 'Get User',
    toolset: 'users',
    route: 'GET /users/{id}',
    description: 'Get a user with role, group memberships and invitation state.',
    input: z.object({ id, include: z.enum(['user_groups', 'invited_by_user']).optional() }),
    access: 'read',
  }),
  defineOperation({
    id: 'updateUser',
    title: 'Update User',
    toolset: 'users',
    route: 'PATCH /users/{id}',
    description: "Change a user's role or custom group memberships. Cannot promote to admin or change admins.",
    input: z.object({
      id,
      role: z.enum(['analyst', 'viewer']).optional(),
      user_group_ids: userGroupIds.optional().describe('Full list; replaces current memberships'),
    }),
    access: 'write',
    request: { body: 'jsonapi', resourceType: 'users', relationships: userGroups },
  }),
  defineOperation({
    id: 'inviteUser',
    title: 'Invite User',
    toolset: 'users',
    route: 'POST /users/invite',
    description: 'E-mail an invitation to join the organization; creates a user that is usable once accepted.',
    input: z.object({
      email,
      role: z.enum(['viewer', 'analyst', 'admin']).default('viewer'),
      user_group_ids: userGroupIds.optional().describe('Custom user groups to join'),
    }),
    access: 'write',
    request: { body: 'json' },
  }),
  defineOperation({
    id: 'resendUserInvite',
    title: 'Resend User Invite',
    toolset: 'users',
    route: 'POST /users/{id}/invite',
    description: 'Send the invitation e-mail again to an invited user who has not accepted yet.',
    input: z.object({ id }),
    access: 'write',
    present: { kind: 'done', message: (a) => `Invitation to user ${a.id} sent again.` },
  }),
  defineOperation({
    id: 'deleteUserInvite',
    title: 'Delete User Invite',
    toolset: 'users',
    route: 'DELETE /users/{id}/invite',
    description: 'Withdraw the pending invitation of an invited user.',
    input: z.object({ id }),
    access: 'write',
    present: { kind: 'done', message: (a) => `Invitation of user ${a.id} deleted.` },
  }),
];
