/** Users and user groups: their specs, and memberships (built-in groups follow from roles, custom ones are stored). */
import { unprocessable } from '../../http.js';
import type { SandboxState } from '../../state.js';
import { str } from '../../validate.js';
import { ro, rw, timestamps, type ResourceSpec } from '../crud.js';
import { linksTo, ref, refs, setLink, type Linkage, type ResourceRecord } from '../store.js';

/** The user behind the sandbox's API key: owner of API-created dashboards, inviter of invited users. */
const API_KEY_USER = 'usr-admin';

/** A link to the API key's user, or null when that user is gone. */
export function apiKeyUser(state: SandboxState): Linkage | null {
  return state.records.get('users', API_KEY_USER) ? ref('users', API_KEY_USER) : null;
}

function builtInMembers(state: SandboxState, behavior: unknown): ResourceRecord[] | undefined {
  const users = state.records.list('users');
  if (behavior === 'all_users') return users;
  if (behavior === 'all_analysts') return users.filter((u) => u.attributes['role'] === 'analyst' || u.attributes['role'] === 'admin');
  return undefined;
}

function isMember(state: SandboxState, group: ResourceRecord, userId: string): boolean {
  const built = builtInMembers(state, group.attributes['built_in_behavior']);
  return built ? built.some((u) => u.id === userId) : linksTo(group, 'users', userId);
}

const customGroupOnly = (state: SandboxState, t: { id: string; rec?: ResourceRecord }): string | null =>
  t.rec?.attributes['built_in_behavior'] != null
    ? `user group ${t.id} is built in (${String(t.rec.attributes['built_in_behavior'])}): its members follow from roles, only custom groups can be given`
    : null;

/** Sets a user's custom group memberships (the owning side is the group's `users`). */
export function assignGroups(state: SandboxState, user: ResourceRecord, groupIds: string[]): void {
  for (const g of state.records.list('user_groups')) {
    if (g.attributes['built_in_behavior'] == null) setLink(g, 'users', ref('users', user.id), groupIds.includes(g.id));
  }
}

export const userSpec: ResourceSpec = {
  type: 'users',
  what: 'user',
  ops: ['list', 'get', 'update'],
  attributes: {
    firstname: ro(),
    lastname: ro(),
    email: ro(),
    // Update User accepts analyst|viewer only; responses also show admin.
    role: rw(str({ enum: ['analyst', 'viewer'] }), { access: 'update' }),
    otp_app_enabled: ro({ default: false }),
    otp_phone_enabled: ro({ default: false }),
    created_at: ro(),
    deactivated_at: ro(),
    invitation_created_at: ro(),
    invitation_accepted_at: ro(),
  },
  relationships: {
    user_groups: {
      target: 'user_groups',
      many: true,
      derive: (state, rec) => refs('user_groups', state.records.list('user_groups').filter((g) => isMember(state, g, rec.id))),
      assign: assignGroups,
      accept: customGroupOnly,
    },
    invited_by_user: { target: 'users', many: false, readOnly: true },
  },
  include: ['user_groups', 'invited_by_user'],
  listInclude: ['user_groups'],
  check: ({ before }) => {
    if (before?.attributes['role'] === 'admin') throw unprocessable(`user ${before.id} is an admin: API keys cannot update admin users`);
  },
};

export const userGroupSpec: ResourceSpec = {
  type: 'user_groups',
  what: 'user group',
  ops: ['create', 'list', 'get', 'update', 'delete'],
  attributes: {
    name: rw(str({ nonEmpty: true })),
    description: rw(str()),
    built_in_behavior: ro(),
    ...timestamps,
  },
  relationships: {
    dashboards: { target: 'dashboards', many: true },
    users: {
      target: 'users',
      many: true,
      access: 'rw',
      derive: (state, rec) => {
        const built = builtInMembers(state, rec.attributes['built_in_behavior']);
        return built ? refs('users', built) : undefined;
      },
    },
  },
  include: ['users', 'dashboards'],
  check: ({ before, given }) => {
    const behavior = before?.attributes['built_in_behavior'];
    if (behavior == null) return;
    const changed = [...Object.keys(given.attributes), ...Object.keys(given.relationships).filter((k) => k !== 'dashboards')];
    if (changed.length > 0) {
      throw unprocessable(`user group ${String(before?.id)} is built in (${String(behavior)}): only its dashboards can change, not ${changed.join(', ')}`);
    }
  },
  deleteBlocker: (_state, rec) => {
    const behavior = rec.attributes['built_in_behavior'];
    return behavior != null ? `it is a built-in user group (${String(behavior)})` : null;
  },
};
