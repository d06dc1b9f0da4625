import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deriveReference, OUTPUT_FILE, REFERENCE_FILE, render } from '../../scripts/reference-shapes.mjs';
import { OPERATIONS } from '../../src/operations/index.js';
import { isLocal } from '../../src/operations/types.js';

const reference = deriveReference(readFileSync(REFERENCE_FILE, 'utf8'));

describe('src/check/reference.json (the documented answers, derived from the reference)', () => {
  it('is what scripts/reference-shapes.mjs derives from reference/: run it after changing either', () => {
    expect(readFileSync(OUTPUT_FILE, 'utf8')).toBe(render(reference));
  });

  it("has every Cluvio operation of the catalog by its title, and the two data-server operations (not this server's own)", () => {
    const titles = Object.keys(reference.operations);
    const cluvio = OPERATIONS.filter((op) => !isLocal(op));
    for (const op of cluvio) expect(titles, op.id).toContain(op.title);
    for (const op of OPERATIONS.filter(isLocal)) expect(titles, op.id).not.toContain(op.title);
    expect(titles).toEqual(expect.arrayContaining(['Get Result Data', 'Get Schema Data']));
    expect(titles).toHaveLength(cluvio.length + 2);
  });

  it('reads the answer of an operation as the reference documents it', () => {
    const ops = reference.operations;
    expect(ops['List Datasources']).toMatchObject({ authorizations: 4, content_type: 'application/vnd.api+json', jsonapi: { type: 'datasources', many: true } });
    expect(ops['List Datasources'].jsonapi.attributes).toEqual(expect.arrayContaining(['name', 'database_type', 'default_schema_name', 'bigquery_service_key']));
    expect(ops['List Datasources'].jsonapi.relationships).toEqual({ agents: 'datasource_agents' });
    expect(ops['Get Report'].jsonapi).toMatchObject({ type: 'reports', many: false, relationships: { dashboard: 'dashboards', datasource: 'datasources' } });
    expect(ops['Get Execution Data']).toEqual({
      authorizations: 5,
      content_type: 'application/json',
      no_content: true,
      grants: 'Get Result Data',
      keys: ['data_key', 'data_access_token', 'data_timestamp'],
    });
    expect(ops['Get Datasource Schema']).toMatchObject({ grants: 'Get Schema Data', keys: ['data_key', 'data_access_token'] });
    expect(ops['Cancel Execution']).toEqual({ authorizations: 3, content_type: null });
    expect(ops['Get Schema Data']).toMatchObject({ authorizations: 0, keys: ['schemas'] });
  });
});
