import { describe, expect, it } from 'vitest';
import { datasourceAgentOperations } from '../../src/operations/datasource-agents.js';
import { exportJobOperations } from '../../src/operations/export-jobs.js';
import { userGroupOperations } from '../../src/operations/user-groups.js';
import { userOperations } from '../../src/operations/users.js';
import { REDACTED } from '../../src/results/redact.js';
import { present } from '../../src/tools/present.js';
import { annotationsFor } from '../../src/tools/register.js';
import { modelJsonSchema } from '../../src/tools/schema.js';
import { op, rejects, request } from './catalog.js';

const all = [...datasourceAgentOperations, ...userOperations, ...userGroupOperations, ...exportJobOperations];

describe('catalog entries of this group', () => {
  it('has the 20 operations with their toolsets', () => {
    expect(datasourceAgentOperations.map((o) => o.id)).toEqual([
      'createDatasourceAgent',
      'listDatasourceAgents',
      'getDatasourceAgent',
      'updateDatasourceAgent',
      'deleteDatasourceAgent',
    ]);
    expect(userOperations.map((o) => o.id)).toEqual(['listUsers', 'getUser', 'updateUser', 'deactivateUser', 'activateUser', 'inviteUser', 'resendUserInvite', 'deleteUserInvite']);
    expect(userGroupOperations.map((o) => o.id)).toEqual(['createUserGroup', 'listUserGroups', 'getUserGroup', 'updateUserGroup', 'deleteUserGroup']);
    expect(exportJobOperations.map((o) => o.id)).toEqual(['getExportJob', 'cancelExportJob']);
    for (const o of datasourceAgentOperations) expect(o.toolset).toBe('datasource_agents');
    for (const o of userOperations) expect(o.toolset).toBe('users');
    for (const o of userGroupOperations) expect(o.toolset).toBe('user_groups');
    for (const o of exportJobOperations) expect(o.toolset).toBe('export_jobs');
  });

  it('keeps reads in read-only mode and marks every change as a write', () => {
    const reads = all.filter((o) => o.access === 'read').map((o) => o.id);
    expect(reads.sort()).toEqual(['getDatasourceAgent', 'getExportJob', 'getUser', 'getUserGroup', 'listDatasourceAgents', 'listUserGroups', 'listUsers']);
    expect(op('cancelExportJob').access).toBe('run');
    expect(op('cancelExportJob').idempotent).toBe(true);
  });
});

describe('datasource agents', () => {
  it('creates with a JSON:API envelope, enabled by default', () => {
    expect(request('createDatasourceAgent', { name: 'a' }).body).toEqual({ data: { type: 'datasource_agents', attributes: { name: 'a', enabled: true } } });
    expect(request('createDatasourceAgent', { name: 'prod agent', enabled: false })).toEqual({
      method: 'POST',
      path: '/datasource_agents',
      query: {},
      bodyType: 'jsonapi',
      body: { data: { type: 'datasource_agents', attributes: { name: 'prod agent', enabled: false } } },
    });
    expect(rejects('createDatasourceAgent', {})).toBe(true);
    expect(rejects('createDatasourceAgent', { name: 'x', enabled: 'yes' })).toBe(true);
  });

  it('says the secret key is returned only at creation, and redacts it unless revealed', () => {
    expect(op('createDatasourceAgent').description).toMatch(/only this returns its secret_key/);
    const doc = { data: { id: 'a1', type: 'datasource_agents', attributes: { name: 'n', secret_key: 's3cret' } } };
    expect(present(op('createDatasourceAgent'), {}, doc, false).structured).toMatchObject({ id: 'a1', secret_key: REDACTED });
    expect(present(op('createDatasourceAgent'), {}, doc, true).structured).toMatchObject({ secret_key: 's3cret' });
  });

  it('lists and gets with include as a query parameter', () => {
    expect(request('listDatasourceAgents', { include: 'datasources' })).toMatchObject({ method: 'GET', path: '/datasource_agents', query: { include: 'datasources' }, body: undefined });
    expect(request('getDatasourceAgent', { id: 'ag/1' })).toMatchObject({ method: 'GET', path: '/datasource_agents/ag%2F1', query: {} });
    expect(rejects('getDatasourceAgent', { id: 'a', include: 'agents' })).toBe(true);
  });

  it('updates by id with only the given attributes', () => {
    expect(request('updateDatasourceAgent', { id: 'a1', enabled: false })).toEqual({
      method: 'PATCH',
      path: '/datasource_agents/a1',
      query: {},
      bodyType: 'jsonapi',
      body: { data: { type: 'datasource_agents', id: 'a1', attributes: { enabled: false } } },
    });
    expect(rejects('updateDatasourceAgent', { enabled: true })).toBe(true);
  });

  it('deletes', () => {
    expect(request('deleteDatasourceAgent', { id: 'a1' })).toMatchObject({ method: 'DELETE', path: '/datasource_agents/a1', query: {}, body: undefined });
  });
});

describe('users', () => {
  it('lists with include; name filters by e-mail; columns include email and role', () => {
    expect(request('listUsers', { include: 'user_groups' })).toMatchObject({ method: 'GET', path: '/users', query: { include: 'user_groups' } });
    expect(rejects('listUsers', { include: 'invited_by_user' })).toBe(true);
    const p = op('listUsers').present;
    expect(p?.kind === 'list' && p.columns).toEqual(expect.arrayContaining(['id', 'email', 'role']));
    const doc = {
      data: [
        { id: 'u1', type: 'users', attributes: { email: 'ann@example.com', role: 'admin' } },
        { id: 'u2', type: 'users', attributes: { email: 'bob@example.com', role: 'viewer' } },
      ],
    };
    const out = present(op('listUsers'), { name: 'BOB', offset: 0, limit: 50 }, doc, false);
    expect(out.structured).toMatchObject({ total: 1, items: [{ id: 'u2', email: 'bob@example.com', role: 'viewer' }] });
  });

  it('gets with either include', () => {
    expect(request('getUser', { id: 'u1', include: 'invited_by_user' })).toMatchObject({ method: 'GET', path: '/users/u1', query: { include: 'invited_by_user' } });
    expect(rejects('getUser', { id: 'u1', include: 'dashboards' })).toBe(true);
  });

  it('updates role and group memberships as a relationship', () => {
    expect(request('updateUser', { id: 'u1', role: 'analyst', user_group_ids: ['g1', 'g2'] })).toEqual({
      method: 'PATCH',
      path: '/users/u1',
      query: {},
      bodyType: 'jsonapi',
      body: {
        data: {
          type: 'users',
          id: 'u1',
          attributes: { role: 'analyst' },
          relationships: { user_groups: { data: [{ id: 'g1', type: 'user_groups' }, { id: 'g2', type: 'user_groups' }] } },
        },
      },
    });
    expect(request('updateUser', { id: 'u1', user_group_ids: [] }).body).toEqual({ data: { type: 'users', id: 'u1', attributes: {}, relationships: { user_groups: { data: [] } } } });
    expect(rejects('updateUser', { id: 'u1', role: 'admin' })).toBe(true);
  });

  it('invites with a plain JSON body and role viewer by default', () => {
    expect(request('inviteUser', { email: 'new@example.com', user_group_ids: ['g1'] })).toEqual({
      method: 'POST',
      path: '/users/invite',
      query: {},
      bodyType: 'json',
      body: { email: 'new@example.com', role: 'viewer', user_group_ids: ['g1'] },
    });
    expect(request('inviteUser', { email: 'boss@example.com', role: 'admin' }).body).toEqual({ email: 'boss@example.com', role: 'admin', user_group_ids: [] });
    expect(rejects('inviteUser', { email: 'not-an-address' })).toBe(true);
    expect(rejects('inviteUser', { email: 'a@b.c', role: 'owner' })).toBe(true);
  });

  it('resends and deletes invites by user id', () => {
    expect(request('resendUserInvite', { id: 'u9' })).toEqual({ method: 'POST', path: '/users/u9/invite', query: {}, body: undefined, bodyType: undefined });
    expect(request('deleteUserInvite', { id: 'u9' })).toEqual({ method: 'DELETE', path: '/users/u9/invite', query: {}, body: undefined, bodyType: undefined });
    expect(op('resendUserInvite').access).toBe('write');
    expect(present(op('deleteUserInvite'), { id: 'u9' }, undefined, false).text).toContain('u9');
  });

  it('deactivates and activates by user id, activation optionally with a role', () => {
    expect(request('deactivateUser', { id: 'u9' })).toEqual({ method: 'POST', path: '/users/u9/deactivate', query: {}, body: undefined, bodyType: undefined });
    expect(request('activateUser', { id: 'u9' })).toEqual({ method: 'POST', path: '/users/u9/activate', query: {}, body: {}, bodyType: 'json' });
    expect(request('activateUser', { id: 'u9', role: 'viewer' }).body).toEqual({ role: 'viewer' });
    expect(rejects('activateUser', { id: 'u9', role: 'admin' })).toBe(true);
    for (const id of ['deactivateUser', 'activateUser']) expect(op(id)).toMatchObject({ access: 'write', idempotent: true });
    expect(annotationsFor(op('deactivateUser'), false).destructiveHint).toBe(true);
    expect(annotationsFor(op('activateUser'), false).destructiveHint).toBe(false);
    expect(present(op('activateUser'), { id: 'u9', role: 'viewer' }, undefined, false).text).toBe('User u9 activated as viewer.');
  });
});

describe('user groups', () => {
  it('creates with members and dashboards as relationships', () => {
    expect(request('createUserGroup', { name: 'Sales', description: 'EU sales', user_ids: ['u1'], dashboard_ids: ['d1', 'd2'] })).toEqual({
      method: 'POST',
      path: '/user_groups',
      query: {},
      bodyType: 'jsonapi',
      body: {
        data: {
          type: 'user_groups',
          attributes: { name: 'Sales', description: 'EU sales' },
          relationships: {
            users: { data: [{ id: 'u1', type: 'users' }] },
            dashboards: {
              data: [
                { id: 'd1', type: 'dashboards' },
                { id: 'd2', type: 'dashboards' },
              ],
            },
          },
        },
      },
    });
    expect(rejects('createUserGroup', { name: 'x', user_ids: 'u1' })).toBe(true);
  });

  it('lists without include and gets with include', () => {
    expect(request('listUserGroups', {})).toMatchObject({ method: 'GET', path: '/user_groups', query: {} });
    expect(rejects('listUserGroups', { include: 'users' })).toBe(true);
    expect(request('getUserGroup', { id: 'g1', include: 'dashboards' })).toMatchObject({ method: 'GET', path: '/user_groups/g1', query: { include: 'dashboards' } });
    expect(rejects('getUserGroup', { id: 'g1', include: 'user_groups' })).toBe(true);
  });

  it('updates any field, every one advertised and optional but id', () => {
    const schema = modelJsonSchema(op('updateUserGroup').input, 'input');
    expect(Object.keys(schema.properties as object)).toEqual(['id', 'name', 'description', 'user_ids', 'dashboard_ids']);
    expect(schema.required).toEqual(['id']);
    expect(request('updateUserGroup', { id: 'g1', dashboard_ids: ['d3'] })).toEqual({
      method: 'PATCH',
      path: '/user_groups/g1',
      query: {},
      bodyType: 'jsonapi',
      body: { data: { type: 'user_groups', id: 'g1', attributes: {}, relationships: { dashboards: { data: [{ id: 'd3', type: 'dashboards' }] } } } },
    });
  });

  it('deletes', () => {
    expect(request('deleteUserGroup', { id: 'g1' })).toMatchObject({ method: 'DELETE', path: '/user_groups/g1', body: undefined });
  });
});

describe('export jobs', () => {
  it('gets the status as plain JSON', () => {
    expect(request('getExportJob', { id: 'j1' })).toMatchObject({ method: 'GET', path: '/export_jobs/j1', query: {}, body: undefined });
    const out = present(op('getExportJob'), { id: 'j1' }, { job_status: 'success', file_url: 'https://x/f.pdf' }, false);
    expect(out.structured).toEqual({ job_status: 'success', file_url: 'https://x/f.pdf' });
  });

  it('cancels', () => {
    expect(request('cancelExportJob', { id: 'j1' })).toMatchObject({ method: 'POST', path: '/export_jobs/j1/cancel', body: undefined });
    expect(rejects('cancelExportJob', {})).toBe(true);
  });
});

describe('datasources', () => {
  it('create sends the reference defaults but leaves the SSL flags to Cluvio', () => {
    expect(request('createDatasource', { name: 'db', database_type: 'postgres', connection_mode: 'direct' }).body).toEqual({
      data: {
        type: 'datasources',
        attributes: { name: 'db', database_type: 'postgres', connection_mode: 'direct', enabled: true, max_concurrent_executions: 20, update_schema_nightly: true, update_schema_row_counts: true },
      },
    });
    expect(rejects('createDatasource', { name: 'db', database_type: 'sqlite', connection_mode: 'direct' })).toBe(true);
  });

  it('update advertises every attribute, sends only what is given and requires only id', () => {
    const create = modelJsonSchema(op('createDatasource').input, 'input');
    const update = modelJsonSchema(op('updateDatasource').input, 'input');
    expect(Object.keys(update.properties as object)).toEqual(['id', ...Object.keys(create.properties as object)]);
    expect(update.required).toEqual(['id']);
    expect(JSON.stringify(update)).not.toContain('"default"');
    expect(request('updateDatasource', { id: 'd1', agent_ids: ['a1'] }).body).toEqual({
      data: { type: 'datasources', id: 'd1', attributes: {}, relationships: { agents: { data: [{ id: 'a1', type: 'datasource_agents' }] } } },
    });
  });
});

describe('update schemas of this group', () => {
  it('carry no defaults, so an omitted field stays unchanged', () => {
    for (const id of ['updateDatasource', 'updateDatasourceAgent', 'updateUser', 'updateUserGroup']) {
      expect(JSON.stringify(modelJsonSchema(op(id).input, 'input')), id).not.toContain('"default"');
      expect(modelJsonSchema(op(id).input, 'input').required, id).toEqual(['id']);
    }
  });

});
