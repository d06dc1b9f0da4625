/**
 * The sandbox's one validator of request bodies (src/sandbox/validate.ts): what it refuses, in which order,
 * and the 422 it answers with — the member's path and what is accepted.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/sandbox/http.js';
import { PARAMETERS, STORED_INPUT_PARAMETERS, parseInputParameters, queryParameters } from '../../src/sandbox/parameters.js';
import { FORMATS, arr, bool, checkField, checkMembers, int, jsonApiData, obj, plainBody, str, type Member } from '../../src/sandbox/validate.js';

/** The status and detail `fn` throws (it must throw an ApiError). */
function refusal(fn: () => unknown): [number, string] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return [e.status, e.message];
    throw e;
  }
  throw new Error('accepted');
}

describe('checkField', () => {
  it('names the member by its path, and what a value must be', () => {
    const layout = arr(obj({ id: str(), column: int({ min: 1, max: 12 }) }, ['id']));
    expect(refusal(() => checkField('layout', 'x', layout))).toEqual([422, 'attribute "layout" must be an array']);
    expect(refusal(() => checkField('layout', [{ id: 'a', column: 13 }], layout, 'parameter'))).toEqual([422, 'parameter "layout[0].column" must be at most 12']);
    expect(refusal(() => checkField('layout', [{ column: 1 }], layout))).toEqual([422, 'attribute "layout[0]" needs "id"']);
    expect(refusal(() => checkField('layout', [{ id: 'a', row: 1 }], layout))).toEqual([422, 'unknown attribute "layout[0].row" (accepted: id, column)']);
    expect(refusal(() => checkField('n', 1.5, int()))).toEqual([422, 'attribute "n" must be an integer']);
    expect(() => checkField('layout', [{ id: 'a', column: null }], layout)).not.toThrow();
  });

  it('lists the accepted values of an enum, quoted when one is not a plain word', () => {
    expect(refusal(() => checkField('share_mode', 'everyone', str({ enum: ['none', 'custom'] })))).toEqual([
      422,
      'attribute "share_mode" has invalid value "everyone" (accepted: none, custom)',
    ]);
    expect(refusal(() => checkField('csv_column_separator', '|', str({ enum: [',', ';', '\t'] })))).toEqual([
      422,
      'attribute "csv_column_separator" has invalid value "|" (accepted: ",", ";", "\\t")',
    ]);
  });

  it('says which format a string must have', () => {
    expect(refusal(() => checkField('tz', 'Mars/Base', str({ format: FORMATS.timeZone })))).toEqual([
      422,
      'attribute "tz" has invalid value "Mars/Base" (expected an IANA time zone such as Europe/Berlin)',
    ]);
  });
});

describe('checkMembers', () => {
  const members: Record<string, Member> = { name: { field: str(), required: true }, host: { field: str(), nullable: true }, enabled: { field: bool } };

  it('checks the given members in order — unknown, null, then the field — and the required ones last', () => {
    expect(refusal(() => checkMembers({ enabled: 'yes', colour: 'red' }, members))).toEqual([422, 'attribute "enabled" must be a boolean']);
    expect(refusal(() => checkMembers({ colour: 'red', enabled: 'yes' }, members))).toEqual([422, 'unknown attribute "colour" (accepted: name, host, enabled)']);
    expect(refusal(() => checkMembers({ enabled: null }, members))).toEqual([422, 'attribute "enabled" must not be null']);
    expect(refusal(() => checkMembers({ host: null }, members))).toEqual([422, 'attribute "name" is required']);
    expect(checkMembers({ host: null }, members, { partial: true })).toEqual({ host: null });
  });

  it('lets the caller word the refusal of a member it knows but does not accept', () => {
    const unknown = (k: string): ApiError => new ApiError(422, `attribute "${k}" is read-only`);
    expect(refusal(() => checkMembers({ created_at: 'x' }, members, { unknown }))).toEqual([422, 'attribute "created_at" is read-only']);
  });
});

describe('request bodies', () => {
  const layout: Record<string, Member> = { layout: { field: arr(str()), required: true }, floating_enabled: { field: bool } };

  it('plainBody: no body is {} or, with a required member, 400; anything but an object is 422', () => {
    expect(plainBody(undefined, { parameters: PARAMETERS })).toEqual({});
    expect(refusal(() => plainBody(undefined, layout, 'parameter'))).toEqual([400, 'request body is required']);
    for (const body of [null, [], 'x']) expect(refusal(() => plainBody(body, layout))).toEqual([422, 'request body must be a JSON object']);
    expect(refusal(() => plainBody({ floating_enabled: true }, layout, 'parameter'))).toEqual([422, 'parameter "layout" is required']);
  });

  it('jsonApiData: the envelope, its type and its attributes object', () => {
    expect(refusal(() => jsonApiData({ data: { type: 'users', attributes: {} } }, 'dashboards'))).toEqual([422, '"data.type" must be "dashboards"']);
    expect(refusal(() => jsonApiData({ data: { attributes: [] } }, 'datasources'))).toEqual([422, '"data.attributes" must be an object']);
    expect(refusal(() => jsonApiData({ data: {} }, 'datasources'))).toEqual([422, '"data.attributes" is required']);
    expect(jsonApiData({ data: {} }, 'datasources', { attributesRequired: false })).toEqual({ attributes: {}, relationships: undefined });
  });
});

describe('InputParameters', () => {
  it('in a request: types, the aggregation enum and FilterInput checked; a malformed timerange is left to the query', () => {
    expect(refusal(() => parseInputParameters({ aggregation: 'fortnight' }))).toEqual([
      422,
      'attribute "parameters.aggregation" has invalid value "fortnight" (accepted: second, minute, hour, day, week, week_sunday, month, quarter, year, all_time)',
    ]);
    expect(refusal(() => parseInputParameters({ filters: [{ variable_name: 'a', selected_values: [{}] }] }))).toEqual([
      422,
      'attribute "parameters.filters[0].selected_values[0]" must be a string, number, boolean or null',
    ]);
    expect(refusal(() => parseInputParameters({ filters: [{ selected_values: [] }] }))).toEqual([422, 'attribute "parameters.filters[0]" needs "variable_name"']);
    expect(parseInputParameters({ timerange: 'yesterday', tz: null })).toEqual({ timerange: 'yesterday' });
    expect(queryParameters(null)).toBeUndefined();
  });

  it('stored with a dashboard: the formats too', () => {
    expect(refusal(() => checkField('default_parameters', { timerange: 'yesterday' }, STORED_INPUT_PARAMETERS))).toEqual([
      422,
      'attribute "default_parameters.timerange" has invalid value "yesterday" (expected <unix-start>~<unix-end>, either side optional)',
    ]);
  });
});
