import { describe, expect, test } from 'vitest';
import { CluvioApiError, CluvioNetworkError } from '../../src/cluvio/errors.js';
import { InvalidDataKeyError } from '../../src/cluvio/data-client.js';
import { MalformedResultError } from '../../src/cluvio/result-stream.js';
import { InvalidPathParameterError } from '../../src/operations/request.js';
import { errorOutput } from '../../src/tools/errors.js';

function apiError(status: number, details: string[] = [], retryAfterMs?: number): CluvioApiError {
  return new CluvioApiError(status, details, 'getDatasource', retryAfterMs);
}

function unknownOutcome<E extends CluvioApiError | CluvioNetworkError>(err: E): E {
  err.outcomeUnknown = true;
  return err;
}

describe('errorOutput: Cluvio answered with an HTTP error', () => {
  test.each([
    [400, 'Check the arguments against the tool schema and try again.'],
    [401, 'The Cluvio API key was refused: check CLUVIO_API_KEY and that CLUVIO_REGION (eu/us) matches the account.'],
    [403, 'The API key lacks the permission for this operation; an admin can grant it under API Keys in Cluvio.'],
    [404, 'No such object: list the objects to find a valid id.'],
    [409, 'The object is in a conflicting state; get it again and retry.'],
    [422, 'Cluvio rejected the request as invalid; fix what the message names and try again.'],
    [429, 'Cluvio is rate-limiting this API key; wait a little before the next call.'],
  ])('HTTP %i names its own next step', (status, next) => {
    expect(errorOutput('get_datasource', apiError(status, ['no datasource 7']))).toStrictEqual({
      text: `get_datasource failed — Cluvio answered HTTP ${status}: no datasource 7. ${next}`,
      isError: true,
    });
  });

  test('any 5xx is a server-side problem worth retrying, from 500 on', () => {
    for (const status of [500, 502, 503]) {
      expect(errorOutput('t', apiError(status)).text).toBe(`t failed — Cluvio answered HTTP ${status}. Cluvio had a server-side problem; try again in a moment.`);
    }
  });

  test('another 4xx without its own advice: check the arguments', () => {
    for (const status of [405, 418, 499]) {
      expect(errorOutput('t', apiError(status)).text).toBe(`t failed — Cluvio answered HTTP ${status}. Check the arguments and try again.`);
    }
  });

  test("Cluvio's details are joined with semicolons; no details, no colon", () => {
    expect(errorOutput('t', apiError(422, ['name is missing', 'port must be a number'])).text).toBe(
      't failed — Cluvio answered HTTP 422: name is missing; port must be a number. Cluvio rejected the request as invalid; fix what the message names and try again.',
    );
    expect(errorOutput('t', apiError(404, [])).text).toBe('t failed — Cluvio answered HTTP 404. No such object: list the objects to find a valid id.');
    // Errors carry no structured content: clients validate it against the tool's output schema even when isError is set.
    expect(errorOutput('t', apiError(404, []))).not.toHaveProperty('structured');
  });

  test('a Retry-After is given in whole seconds, rounded up', () => {
    expect(errorOutput('t', apiError(429, [], 1500)).text).toBe(
      't failed — Cluvio answered HTTP 429. Cluvio is rate-limiting this API key; wait a little before the next call. Retry after 2 s.',
    );
    expect(errorOutput('t', apiError(503, [], 0)).text).toBe('t failed — Cluvio answered HTTP 503. Cluvio had a server-side problem; try again in a moment. Retry after 0 s.');
  });
});

describe('errorOutput: a 403 for a known operation', () => {
  test('names the permission and the server setting that offers only what the key can do', () => {
    expect(errorOutput('delete_dashboard', apiError(403), { toolset: 'dashboards', access: 'write' }).text).toMatch(
      /^delete_dashboard failed — Cluvio answered HTTP 403\. The API key lacks .+; an admin can grant it under API Keys in Cluvio\. A View key cannot change anything: with one, start the server with --read-only\.$/,
    );
    expect(errorOutput('list_users', apiError(403), { toolset: 'users', access: 'read' }).text).toBe(
      'list_users failed — Cluvio answered HTTP 403. The API key lacks View Users or Manage Users; an admin can grant it under API Keys in Cluvio. If the key is not meant to read users, start the server with --toolsets naming only what it can read (cluvio-mcp check lists them).',
    );
  });
});

describe('errorOutput: the permission advice is for a 403 only', () => {
  test('another status for a known operation keeps its own next step', () => {
    expect(errorOutput('get_dashboard', apiError(404), { toolset: 'dashboards', access: 'read' }).text).toBe(
      'get_dashboard failed — Cluvio answered HTTP 404. No such object: list the objects to find a valid id.',
    );
    expect(errorOutput('get_dashboard', apiError(401), { toolset: 'dashboards', access: 'read' }).text).not.toMatch(/lacks|--toolsets/);
  });

  test('a toolset name is written with spaces in the advice', () => {
    expect(errorOutput('list_sql_alerts', apiError(403), { toolset: 'sql_alerts', access: 'read' }).text).toContain(
      'If the key is not meant to read sql alerts, start the server with --toolsets',
    );
  });
});

describe('errorOutput: no HTTP answer', () => {
  test.each([
    ['timeout', 'Cluvio did not answer in time; try again, or raise CLUVIO_TIMEOUT_MS.'],
    ['malformed', 'Cluvio sent an unreadable answer; try again in a moment.'],
    ['connection', 'Check the network and CLUVIO_API_URL / CLUVIO_REGION, then try again.'],
  ] as const)('a %s error names its own next step', (kind, next) => {
    const err = new CluvioNetworkError('getDatasource: no answer within 30000 ms', 'getDatasource', kind);
    expect(errorOutput('get_datasource', err)).toStrictEqual({
      text: `get_datasource failed — getDatasource: no answer within 30000 ms. ${next}`,
      isError: true,
    });
  });
});

describe('errorOutput: a request not safe to repeat whose outcome is unknown', () => {
  const CHECK_FIRST =
    'The request may have reached Cluvio and taken effect: check with the matching get or list tool before repeating it, so it is not done twice.';

  test('an HTTP error: check before repeating, instead of the usual "try again"', () => {
    expect(errorOutput('create_datasource', unknownOutcome(apiError(502, ['bad gateway', 'upstream reset'], 1000)))).toStrictEqual({
      text: `create_datasource failed — Cluvio answered HTTP 502: bad gateway; upstream reset. ${CHECK_FIRST}`,
      isError: true,
    });
    expect(errorOutput('create_datasource', unknownOutcome(apiError(500))).text).toBe(`create_datasource failed — Cluvio answered HTTP 500. ${CHECK_FIRST}`);
  });

  test('a network error: the same', () => {
    const err = unknownOutcome(new CluvioNetworkError('createDatasource: connection reset', 'createDatasource', 'connection'));
    expect(errorOutput('create_datasource', err)).toStrictEqual({
      text: `create_datasource failed — createDatasource: connection reset. ${CHECK_FIRST}`,
      isError: true,
    });
  });
});

describe('errorOutput: refused or unreadable before or after Cluvio', () => {
  test('a bad path parameter: pass an id from the list tool', () => {
    expect(errorOutput('delete_datasource', new InvalidPathParameterError('deleteDatasource: path parameter id cannot be ".."'))).toStrictEqual({
      text: 'delete_datasource refused: deleteDatasource: path parameter id cannot be "..". Pass the object\'s id as listed by the matching list tool.',
      isError: true,
    });
  });

  test.each([
    ['a malformed result', new MalformedResultError('unexpected end of the result page')],
    ['an invalid data key', new InvalidDataKeyError('the data key leaves the data server')],
  ])('%s: try again, report it if it persists', (_, err) => {
    expect(errorOutput('get_execution_data', err)).toStrictEqual({
      text: `get_execution_data failed — ${err.message}. Try again; if it persists, report it.`,
      isError: true,
    });
  });

  test('anything else: failed unexpectedly, with its message', () => {
    expect(errorOutput('t', new TypeError('x is not a function'))).toStrictEqual({
      text: 't failed unexpectedly: x is not a function',
      isError: true,
    });
    expect(errorOutput('t', 'a thrown string')).toStrictEqual({
      text: 't failed unexpectedly: a thrown string',
      isError: true,
    });
  });
});
