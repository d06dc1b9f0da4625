/** The seeded users: an admin (the user behind the API key), an analyst, a viewer and a pending invitation. */
import { ref, type ResourceRecord } from '../store.js';
import { PENDING_SINCE, SEED, T0, type Put } from './ids.js';

function user(id: string, first: string | null, last: string | null, email: string, role: string, accepted: string | null, otp = false): ResourceRecord {
  return {
    id,
    type: 'users',
    attributes: {
      firstname: first,
      lastname: last,
      email,
      role,
      otp_app_enabled: otp,
      otp_phone_enabled: false,
      created_at: id === SEED.users.pending ? PENDING_SINCE : T0,
      deactivated_at: null,
      invitation_created_at: id === SEED.users.admin ? null : id === SEED.users.pending ? PENDING_SINCE : T0,
      invitation_accepted_at: id === SEED.users.admin ? null : accepted,
    },
    relationships: { invited_by_user: id === SEED.users.admin ? null : ref('users', SEED.users.admin) },
  };
}

export function seedUsers(put: Put): void {
  put(user(SEED.users.admin, 'Ada', 'Lovelace', 'ada.admin@example.com', 'admin', null, true));
  put(user(SEED.users.analyst, 'Alan', 'Turing', 'alan.analyst@example.com', 'analyst', '2026-01-16T08:40:00Z'));
  put(user(SEED.users.viewer, 'Grace', 'Hopper', 'grace.viewer@example.com', 'viewer', '2026-02-02T12:00:00Z'));
  put(user(SEED.users.pending, null, null, 'pending.invitee@example.com', 'viewer', null));
}
