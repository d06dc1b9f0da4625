import { describe, expect, it } from 'vitest';
import { merge, sanitised, shapeDifferences, typeOf, type Typed } from '../../src/check/recording.js';
import { fixtureOf } from '../../scripts/recording-to-fixture.mjs';

/** Every string a typed value holds (keys and values). */
function strings(t: Typed): string[] {
  if (t === null) return [];
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.flatMap(strings);
  return Object.entries(t).flatMap(([k, v]) => [k, ...strings(v)]);
}

describe('a value replaced by its type', () => {
  const answer = {
    data: [
      {
        id: 'dash-ops-0001',
        type: 'dashboards',
        attributes: {
          name: 'Flight Operations',
          created_at: '2026-01-15T09:12:00Z',
          anchor_date: '2026-01-15',
          data_refresh_rate: 60,
          ratio: 0.5,
          published: true,
          description: null,
          password: 'hunter2',
          layout: [{ type: 'report', id: 'rep-1', row: 1 }],
          default_parameters: { 'Origin Airport': 'FRA' },
        },
        relationships: { reports: { data: [{ id: 'rep-flights', type: 'reports' }] } },
      },
      { id: 'dash-growth-0002', type: 'dashboards', attributes: { name: 'Airport Growth', description: 'Fast growers' } },
    ],
  };

  it('keeps the API names and JSON:API type names; every value becomes a type, an id its shape', () => {
    expect(typeOf(answer)).toEqual({
      data: [
        {
          id: '<id>',
          type: 'dashboards',
          attributes: {
            name: '<string>',
            created_at: '<date-time>',
            anchor_date: '<date>',
            data_refresh_rate: '<integer>',
            ratio: '<number>',
            published: '<boolean>',
            description: '<string>',
            password: '<secret>',
            layout: [{ type: 'report', id: '<id:aaa-9>', row: '<integer>' }],
            default_parameters: { '<key>': '<string>' },
          },
          relationships: { reports: { data: [{ id: '<id:aaa-aaaaaaa>', type: 'reports' }] } },
        },
      ],
    });
    expect(typeOf({ id: 'smpl-data-0001' })).toEqual({ id: '<id:aaaa-aaaa-9999>' });
    expect(typeOf({ data_access_token: 'G4w9B6KL', data_key: 'schemas/x/y', secret_key: 's', api_key: 'k' })).toEqual({
      data_access_token: '<secret>',
      data_key: '<secret>',
      secret_key: '<secret>',
      api_key: '<secret>',
    });
    // Rows are lists of lists: one merged type, no value.
    expect(typeOf({ rows: [[1, 'Lufthansa'], [2, null]] })).toEqual({ rows: [['<integer>|<string>']] });
    // A type name is kept only as the type of an object with an id.
    expect(typeOf({ type: 'Flight Operations' })).toEqual({ type: '<string>' });
  });

  it('leaves no string of the account in the result', () => {
    const all = strings(typeOf(answer)).join('\n');
    for (const value of ['dash-ops-0001', 'Flight Operations', 'hunter2', 'FRA', 'Origin Airport', 'rep-flights', 'Fast growers', '2026']) expect(all).not.toContain(value);
  });

  it('merges list items: objects by key, null gives way, ids of different shapes become <id>', () => {
    expect(merge({ a: '<string>', b: null }, { b: '<integer>', c: '<boolean>' })).toEqual({ a: '<string>', b: '<integer>', c: '<boolean>' });
    expect(merge('<id:aa>', '<id:a-9>')).toBe('<id>');
    expect(merge('<string>', '<integer>')).toBe('<integer>|<string>');
    expect(merge([], ['<string>'])).toEqual(['<string>']);
  });

  it("quotes nothing of the account in check's own words", () => {
    expect(sanitised('type "dashboards", documented "reports"')).toBe('type "dashboards", documented "reports"');
    expect(sanitised('type "Secret Plans 2026", documented "reports"')).toBe('type "<string>", documented "reports"');
  });
});

describe('comparing shapes (contract fixtures)', () => {
  const expected = typeOf({ data: { id: 'a', type: 'reports', attributes: { name: 'x', rows: 1, note: null, tags: [] } } });

  it('accepts the same shape with other values, nulls and empty lists', () => {
    const actual = typeOf({ data: { id: 'rep-0002', type: 'reports', attributes: { name: 'other', rows: 7, note: 'n', tags: ['t'], extra: true } } });
    expect(shapeDifferences(expected, actual)).toEqual([]);
    expect(shapeDifferences(expected, typeOf({ data: { id: 'b', type: 'reports', attributes: { name: null, rows: 1, note: null, tags: [] } } }))).toEqual([]);
  });

  it('names what differs: a missing member, another type, another JSON:API type', () => {
    const actual = typeOf({ data: { id: 'b', type: 'dashboards', attributes: { name: 3, tags: {} } } });
    expect(shapeDifferences(expected, actual)).toEqual([
      '$.data.type: dashboards, expected reports',
      '$.data.attributes.name: <integer>, expected <string>',
      '$.data.attributes.rows: missing',
      '$.data.attributes.tags: an object, expected a list',
    ]);
  });

  it('a recording becomes a fixture of the answers that came, at the route they came from', () => {
    const recording = {
      cluvio_mcp_check: 1,
      cluvio_mcp: '0.1.0',
      reference: '2024-06-01',
      server: 'eu',
      operations: {
        listReports: { route: 'GET /reports', verdict: 'passed', status: 200, answer: { status: 200, content_type: 'application/vnd.api+json', body: expected } },
        getDatasourceSchema: {
          route: 'GET /datasources/{id}/schema',
          found_route: 'GET /datasources/{id}/schemas',
          verdict: 'found elsewhere',
          status: 404,
          answer: { status: 200, content_type: 'application/json', body: { data_key: '<secret>' } },
        },
        listUsers: { route: 'GET /users', verdict: 'forbidden', status: 403 },
        getExportJob: { route: 'GET /export_jobs/{id}', verdict: 'not checked', status: null },
      },
    };
    expect(fixtureOf(recording)).toEqual({
      from: 'cluvio-mcp check --record (cluvio-mcp 0.1.0, reference 2024-06-01, server eu)',
      operations: {
        listReports: { route: 'GET /reports', status: 200, content_type: 'application/vnd.api+json', body: expected },
        getDatasourceSchema: { route: 'GET /datasources/{id}/schemas', status: 200, content_type: 'application/json', body: { data_key: '<secret>' } },
      },
    });
    expect(() => fixtureOf({ operations: {} }, 'x.json')).toThrow('x.json is not a recording of cluvio-mcp check');
  });
});
