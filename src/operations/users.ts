import { updateUserQuestion, inviteUserQuestion } from './confirm.js';
import { z } from 'zod';
import { id, listArgs, quiet, toolOnly } from './shared.js';
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
    description: 'List users, roles and invitations.',
    input: z.object({ ...listArgs, name: toolOnly(z.string().optional().describe('E-mail contains')), include: z.enum(['user_groups']).optional() }),
    access: 'read',
    present: { kind: 'list', columns: ['id', 'email', 'firstname', 'lastname', 'role', 'invitation_accepted_at', 'deactivated_at'] },
  }),
  defineOperation({
    id: 'getUser',
    title: 'Get User',
    toolset: 'users',
    route: 'GET /users/{id}',
    description: 'Get a user.',
    input: z.object({ id, include: z.enum(['user_groups', 'invited_by_user']).optional() }),
    access: 'read',
  }),
  defineOperation({
    id: 'updateUser',
    title: 'Update User',
    toolset: 'users',
    route: 'PATCH /users/{id}',
    description: "Change a non-admin's role (not to admin) or groups.",
    input: z.object({
      id,
      role: z.enum(['analyst', 'viewer']).optional(),
      user_group_ids: userGroupIds.optional().describe('Replaces all memberships'),
    }),
    access: 'write',
    confirm: { describe: updateUserQuestion },
    request: { body: 'jsonapi', resourceType: 'users', relationships: userGroups },
  }),
  defineOperation({
    id: 'deactivateUser',
    title: 'Deactivate User',
    toolset: 'users',
    route: 'POST /users/{id}/deactivate',
    description: 'Log out and block a non-admin until activate_user.',
    input: z.object({ id }),
    access: 'write',
    destructive: true,
    idempotent: true,
    present: { kind: 'done', message: (a) => `User ${a.id} deactivated.` },
  }),
  defineOperation({
    id: 'activateUser',
    title: 'Activate User',
    toolset: 'users',
    route: 'POST /users/{id}/activate',
    description: 'Unblock a deactivated user; analyst only with a free seat.',
    input: z.object({ id, role: z.enum(['viewer', 'analyst']).optional() }),
    access: 'write',
    // Grants access again.
    confirm: { class: 'destructive' },
    idempotent: true,
    request: { body: 'json' },
    present: { kind: 'done', message: (a) => `User ${a.id} activated${a.role ? ` as ${a.role}` : ''}.` },
  }),
  defineOperation({
    id: 'inviteUser',
    title: 'Invite User',
    toolset: 'users',
    route: 'POST /users/invite',
    description: 'E-mail an invitation to join.',
    input: z.object({
      email,
      role: z.enum(['viewer', 'analyst', 'admin']).default('viewer'),
      user_group_ids: quiet(userGroupIds.default([]).describe('Groups to join')),
    }),
    access: 'write',
    confirm: { class: 'destructive', describe: inviteUserQuestion },
    request: { body: 'json' },
  }),
  defineOperation({
    id: 'resendUserInvite',
    title: 'Resend User Invite',
    toolset: 'users',
    route: 'POST /users/{id}/invite',
    description: 'Resend a pending invitation e-mail.',
    input: z.object({ id }),
    access: 'write',
    // E-mails the invitee.
    confirm: { class: 'destructive' },
    present: { kind: 'done', message: (a) => `Invitation to user ${a.id} sent again.` },
  }),
  defineOperation({
    id: 'deleteUserInvite',
    title: 'Delete User Invite',
    toolset: 'users',
    route: 'DELETE /users/{id}/invite',
    description: 'Withdraw a pending invitation.',
    input: z.object({ id }),
    access: 'write',
    present: { kind: 'done', message: (a) => `Invitation of user ${a.id} deleted.` },
  }),
];
