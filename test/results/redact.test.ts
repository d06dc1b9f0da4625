import { describe, expect, test } from 'vitest';
import { REDACTED, redactSecrets } from '../../src/results/redact.js';

describe('redactSecrets', () => {
  test('credentials are replaced, wherever they are nested; everything else is kept', () => {
    const datasource = {
      id: '7',
      name: 'Warehouse',
      password: 'hunter2',
      options: { bigquery_service_key: '{"private_key":"…"}', port: 5432 },
      agents: [{ id: 'a1', secret_key: 'sk-1' }, 'plain'],
    };
    expect(redactSecrets(datasource, false)).toStrictEqual({
      id: '7',
      name: 'Warehouse',
      password: REDACTED,
      options: { bigquery_service_key: REDACTED, port: 5432 },
      agents: [{ id: 'a1', secret_key: REDACTED }, 'plain'],
    });
    // The replacement tells the operator how to show them.
    expect(REDACTED).toBe('[redacted: set CLUVIO_REVEAL_SECRETS=true to show]');
    // The input is not changed.
    expect(datasource.password).toBe('hunter2');
  });

  test('with reveal, credentials are shown', () => {
    expect(redactSecrets({ password: 'hunter2', nested: [{ secret_key: 'sk-1' }] }, true)).toStrictEqual({ password: 'hunter2', nested: [{ secret_key: 'sk-1' }] });
  });

  test('the data access token is dropped, whether or not credentials are revealed', () => {
    const execution = { id: 'e1', data_access_token: 'tok', result: { data_access_token: 'tok2', rows: 3 } };
    for (const reveal of [false, true]) {
      expect(redactSecrets(execution, reveal)).toStrictEqual({ id: 'e1', result: { rows: 3 } });
    }
  });

  test('an empty, null or missing credential is shown as such: there is nothing to hide', () => {
    expect(redactSecrets({ password: '', secret_key: null, bigquery_service_key: undefined }, false)).toStrictEqual({
      password: '',
      secret_key: null,
      bigquery_service_key: undefined,
    });
  });

  test('scalars, null and arrays of scalars pass through', () => {
    expect(redactSecrets('password', false)).toBe('password');
    expect(redactSecrets(null, false)).toBeNull();
    expect(redactSecrets(0, false)).toBe(0);
    expect(redactSecrets([1, 'a'], false)).toStrictEqual([1, 'a']);
  });
});
