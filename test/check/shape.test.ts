import { describe, expect, it } from 'vitest';
import { documented } from '../../src/check/reference.js';
import { compare } from '../../src/check/shape.js';

const JSONAPI = 'application/vnd.api+json; charset=utf-8';
const report = documented('Get Report')!;
const reportAttributes = Object.fromEntries(report.jsonapi!.attributes.map((a) => [a, null]));
const aReport = (extra: Record<string, unknown> = {}, relationships: Record<string, unknown> = {}) => ({
  data: { id: 'r1', type: 'reports', attributes: { ...reportAttributes, ...extra }, relationships },
});

describe('an answer against the reference', () => {
  it('passes a documented answer, whatever the charset of its media type', () => {
    const d = compare(report, { status: 200, contentType: JSONAPI, body: aReport({}, { dashboard: { data: { id: 'd', type: 'dashboards' } } }) });
    expect(d.problems).toEqual([]);
    expect(d.contentType).toBeUndefined();
    expect(d.undocumented).toEqual([]);
    expect(d.missing).toEqual(Object.keys(report.jsonapi!.relationships).filter((r) => r !== 'dashboard').map((r) => `relationships.${r}`));
  });

  it('reports documented attributes missing and undocumented ones present, without failing', () => {
    const { sql_query: _dropped, ...rest } = reportAttributes;
    const d = compare(report, { status: 200, contentType: JSONAPI, body: { data: { id: 'r1', type: 'reports', attributes: { ...rest, owner_note: null }, relationships: { owner: { data: null } } } } });
    expect(d.problems).toEqual([]);
    expect(d.missing).toContain('sql_query');
    expect(d.undocumented).toEqual(['owner_note', 'relationships.owner']);
  });

  it('fails another JSON:API type, one object for a list, a linkage of another type, no data, an error status', () => {
    expect(compare(report, { status: 200, contentType: JSONAPI, body: { data: { id: 'r1', type: 'dashboards', attributes: {} } } }).problems).toEqual(['type "dashboards", documented "reports"']);
    expect(compare(documented('List Reports')!, { status: 200, contentType: JSONAPI, body: aReport() }).problems).toEqual(['one object where a list is documented']);
    expect(compare(report, { status: 200, contentType: JSONAPI, body: { data: [] } }).problems).toEqual(['a list where one object is documented']);
    expect(compare(report, { status: 200, contentType: JSONAPI, body: aReport({}, { datasource: { data: { id: 'x', type: 'filters' } } }) }).problems).toEqual([
      'relationship datasource links type "filters", documented "datasources"',
    ]);
    expect(compare(report, { status: 200, contentType: JSONAPI, body: { reports: [] } }).problems).toEqual(['no JSON:API "data" member']);
    expect(compare(report, { status: 404, body: undefined }).problems).toEqual(['HTTP 404']);
    expect(compare(report, { status: 204, body: undefined }).problems).toEqual(['HTTP 204 without a body; documented: application/vnd.api+json']);
  });

  it('reports another media type without failing; 204 passes where the reference allows it', () => {
    const grant = documented('Get Execution Data')!;
    const d = compare(grant, { status: 200, contentType: JSONAPI, body: { data_key: 'k', data_access_token: 't', extra: 1 } });
    expect(d).toEqual({ problems: [], contentType: 'application/vnd.api+json', missing: ['data_timestamp'], undocumented: ['extra'] });
    expect(compare(grant, { status: 204, body: undefined }).problems).toEqual([]);
    expect(compare(grant, { status: 200, contentType: 'application/json', body: ['k'] }).problems).toEqual(['a list where a JSON object is documented']);
  });

  it('compares every item of a list: attributes missing from all of them, types of each', () => {
    const list = documented('List Reports')!;
    const items = [aReport().data, { ...aReport().data, id: 'r2', attributes: { name: 'x' } }];
    expect(compare(list, { status: 200, contentType: JSONAPI, body: { data: items } })).toMatchObject({ problems: [], undocumented: [] });
    expect(compare(list, { status: 200, contentType: JSONAPI, body: { data: [...items, { id: 'x', type: 'filters' }] } }).problems).toEqual(['type "filters", documented "reports"']);
    expect(compare(list, { status: 200, contentType: JSONAPI, body: { data: [] } })).toEqual({ problems: [], missing: [], undocumented: [] });
  });
});
