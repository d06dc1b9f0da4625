import { describe, expect, test } from 'vitest';
import { flattenDocument, flattenResource, toDocument, type Relationship } from '../../src/cluvio/jsonapi.js';

const agents: Relationship = { type: 'datasource_agents', many: true };
const dashboard: Relationship = { type: 'dashboards', many: false };

describe('toDocument', () => {
  test('attributes only: type and attributes, no id, no relationships member', () => {
    expect(toDocument('datasources', { name: 'Sales', port: 5432, enabled: false, host: null })).toEqual({
      data: { type: 'datasources', attributes: { name: 'Sales', port: 5432, enabled: false, host: null } },
    });
    const doc = toDocument('datasources', {}) as { data: Record<string, unknown> };
    expect(doc.data).not.toHaveProperty('id');
    expect(doc.data).not.toHaveProperty('relationships');
    expect(doc.data.attributes).toEqual({});
  });

  test('id for PATCH', () => {
    expect(toDocument('datasources', { name: 'New' }, {}, '42')).toEqual({
      data: { type: 'datasources', id: '42', attributes: { name: 'New' } },
    });
  });

  test('to-many relationship: a list of identifiers; a single id becomes a list of one', () => {
    const doc = toDocument('datasources', { name: 'x' }, { agents: { rel: agents, ids: ['a1', 'a2'] } });
    expect(doc).toEqual({
      data: {
        type: 'datasources',
        attributes: { name: 'x' },
        relationships: {
          agents: {
            data: [
              { id: 'a1', type: 'datasource_agents' },
              { id: 'a2', type: 'datasource_agents' },
            ],
          },
        },
      },
    });
    expect(toDocument('t', {}, { agents: { rel: agents, ids: 'solo' } })).toEqual({
      data: { type: 't', attributes: {}, relationships: { agents: { data: [{ id: 'solo', type: 'datasource_agents' }] } } },
    });
  });

  test('to-one relationship: one identifier', () => {
    expect(toDocument('reports', { name: 'r' }, { dashboard: { rel: dashboard, ids: 'd9' } }, 'r1')).toEqual({
      data: { type: 'reports', id: 'r1', attributes: { name: 'r' }, relationships: { dashboard: { data: { id: 'd9', type: 'dashboards' } } } },
    });
  });

  test('null relationships: to-one → data null (unlink), to-many → empty list (clear)', () => {
    const doc = toDocument('reports', {}, { dashboard: { rel: dashboard, ids: null }, agents: { rel: agents, ids: null } }) as {
      data: { relationships: Record<string, unknown> };
    };
    expect(doc.data.relationships).toEqual({ dashboard: { data: null }, agents: { data: [] } });
  });

  test('an empty list for a to-one relationship unlinks it (data null), not an identifier without an id', () => {
    const doc = toDocument('reports', {}, { dashboard: { rel: dashboard, ids: [] } }) as { data: { relationships: Record<string, unknown> } };
    expect(doc.data.relationships).toStrictEqual({ dashboard: { data: null } });
  });

  test('an empty to-many list is sent as an empty list', () => {
    const doc = toDocument('t', {}, { agents: { rel: agents, ids: [] } }) as { data: { relationships: Record<string, unknown> } };
    expect(doc.data.relationships).toEqual({ agents: { data: [] } });
  });
});

describe('flattenResource', () => {
  test('id, attributes and relationship ids (to-one <rel>_id, to-many <singular>_ids)', () => {
    const flat = flattenResource({
      id: '5',
      type: 'reports',
      attributes: { name: 'Revenue', sql_query: 'select 1' },
      relationships: {
        dashboard: { data: { id: 'd1', type: 'dashboards' } },
        datasource: { data: null },
        user_groups: { data: [{ id: 'g1', type: 'user_groups' }, { id: 'g2', type: 'user_groups' }] },
        agents: { data: [] },
        filter_categories: { data: [{ id: 'c1', type: 'filter_categories' }] },
        links_only: {},
      },
    });
    expect(flat).toEqual({
      id: '5',
      name: 'Revenue',
      sql_query: 'select 1',
      dashboard_id: 'd1',
      datasource_id: null,
      user_group_ids: ['g1', 'g2'],
      agent_ids: [],
      filter_category_ids: ['c1'],
    });
    expect(flat).not.toHaveProperty('type');
    expect(flat).not.toHaveProperty('links_only_id');
  });

  test('relationships that are null, or whose data is neither an identifier, a list nor null, add no key', () => {
    const flat = flattenResource({ id: '1', relationships: { gone: null as unknown as { data?: unknown }, odd: { data: 'd1' }, count: { data: 3 } } });
    expect(flat).toStrictEqual({ id: '1' });
  });

  test('a resource without attributes or relationships is just its id', () => {
    expect(flattenResource({ id: '1', type: 'x' })).toEqual({ id: '1' });
  });
});

describe('flattenDocument', () => {
  test('a single resource', () => {
    expect(flattenDocument({ data: { id: '1', type: 'datasources', attributes: { name: 'A' } } })).toEqual({ data: { id: '1', name: 'A' } });
  });

  test('a list, with included grouped by type', () => {
    const out = flattenDocument({
      data: [
        { id: '1', type: 'datasources', attributes: { name: 'A' }, relationships: { agents: { data: [{ id: 'x', type: 'datasource_agents' }] } } },
        { id: '2', type: 'datasources', attributes: { name: 'B' }, relationships: { agents: { data: [] } } },
      ],
      included: [
        { id: 'x', type: 'datasource_agents', attributes: { name: 'agent x' } },
        { id: 'u', type: 'users', attributes: { email: 'u@example.com' } },
        { id: 'y', type: 'datasource_agents', attributes: { name: 'agent y' } },
      ],
    });
    expect(out).toEqual({
      data: [
        { id: '1', name: 'A', agent_ids: ['x'] },
        { id: '2', name: 'B', agent_ids: [] },
      ],
      included: {
        datasource_agents: [
          { id: 'x', name: 'agent x' },
          { id: 'y', name: 'agent y' },
        ],
        users: [{ id: 'u', email: 'u@example.com' }],
      },
    });
  });

  test('an empty included is left out; data null stays null', () => {
    expect(flattenDocument({ data: [], included: [] })).toEqual({ data: [] });
    expect(flattenDocument({ data: null })).toEqual({ data: null });
  });

  test('included resources without a type are grouped as "other"', () => {
    expect(flattenDocument({ data: null, included: [{ id: 'a', attributes: { n: 1 } }, { id: 'b', type: 7 }] })).toEqual({
      data: null,
      included: { other: [{ id: 'a', n: 1 }, { id: 'b' }] },
    });
  });

  test('to-many names: -ies → -y, a trailing s dropped, any other name kept', () => {
    const flat = flattenResource({
      id: '1',
      relationships: { policies: { data: [{ id: 'p' }] }, reports: { data: [{ id: 'r' }] }, staff: { data: [{ id: 's' }] } },
    });
    expect(flat).toEqual({ id: '1', policy_ids: ['p'], report_ids: ['r'], staff_ids: ['s'] });
  });

  test('data that is neither a resource nor a list flattens to null', () => {
    expect(flattenDocument({ data: 'abc' })).toStrictEqual({ data: null });
    expect(flattenDocument({ data: 7 })).toStrictEqual({ data: null });
  });

  test('something that is not a JSON:API document passes through', () => {
    const plain = { status: 'ok', rows: 3 };
    expect(flattenDocument(plain)).toEqual({ data: plain });
  });
});
